import { Button, Input, List, Popover, Segmented, Space, Tag, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { PageError, PageLoading } from '../../../components/page-state';
import type { Alert } from '../../../lib/api/types';
import { formatDate, formatMomentIn, formatNumber, formatPercent } from '../../../lib/format';
import { useLanguage } from '../../../lib/i18n';
import { projectProgressQuery } from '../../overview/api/progress';
import { useProjectTimeZone } from '../../projects/api/get-projects';
import { useAcknowledge, useInbox } from '../api/alerts';

/** The inbox: drift, stale goals, task reminders and escalations, with the evidence behind each. */
export function AlertsPage() {
  const { t } = useLanguage();
  const [params, setParams] = useSearchParams();
  const show = params.get('show') === 'acknowledged' ? 'acknowledged' : 'unacknowledged';
  const inbox = useInbox(show === 'acknowledged');
  if (inbox.isPending) return <PageLoading />;
  if (inbox.error) return <PageError error={inbox.error} retry={() => void inbox.refetch()} />;
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={1} style={{ fontSize: 24 }}>
          {t('alerts.title')}
        </Typography.Title>
        <Segmented
          aria-label={t('alerts.title')}
          value={show}
          onChange={(v) => setParams({ show: v })}
          options={[
            { value: 'unacknowledged', label: t('alerts.unacknowledged') },
            { value: 'acknowledged', label: t('alerts.acknowledged') },
          ]}
        />
      </Space>
      <List<Alert>
        dataSource={inbox.data}
        locale={{ emptyText: t('alerts.empty') }}
        renderItem={(alert) => (
          <List.Item data-testid={`alert-${alert.alertId}`} actions={alert.acknowledged ? [] : [<Acknowledge key="ack" alert={alert} />]}>
            <List.Item.Meta
              title={
                <Space wrap>
                  <Tag>{t(`alerts.types.${alert.type}`, { defaultValue: alert.type })}</Tag>
                  <Link
                    to={`/ui/projects/${encodeURIComponent(alert.projectId)}${alert.goalId ? `?goal=${encodeURIComponent(alert.goalId)}` : '/tasks'}`}
                  >
                    {alert.subject}
                  </Link>
                </Space>
              }
              description={
                <>
                  <Evidence alert={alert} />
                </>
              }
            />
          </List.Item>
        )}
      />
    </>
  );
}

/** The evidence, and when it was raised: both in the project's time zone, which the raised time names. */
function Evidence({ alert }: { alert: Alert }) {
  const { t, language } = useLanguage();
  const timeZone = useProjectTimeZone(alert.projectId);
  const d = alert.data;
  // Amounts in the goal's unit (¥ for a CNY goal), as the overview prints them: the project's
  // progress (one read per project, shared by its cards) says each goal's unit.
  const unit = useQuery({
    ...projectProgressQuery(alert.projectId),
    enabled: alert.goalId !== undefined,
    select: (p) => p.goals.find((g) => g.goalId === alert.goalId)?.kpi.unit,
  }).data;
  const num = (v: unknown) => (typeof v === 'number' ? formatNumber(v, language, { unit }) : undefined);
  // The drift check's reason is an English sentence: said as such on the English page; elsewhere
  // the state it moved to, in the page's language, and the figures behind it say the same.
  const reason =
    language === 'en'
      ? typeof d['reason'] === 'string'
        ? (d['reason'] as string)
        : undefined
      : typeof d['to'] === 'string'
        ? t(`status.${d['to']}`, { defaultValue: '' }) || undefined
        : undefined;
  const parts = [
    reason,
    num(d['actualToDate']) && `${t('overview.actual')} ${num(d['actualToDate'])}`,
    num(d['expectedToDate']) && `${t('overview.expected')} ${num(d['expectedToDate'])}`,
    typeof d['pace'] === 'number' && `${t('overview.pace')} ${formatPercent(d['pace'] as number, language)}`,
    num(d['trailingForecast']) && `${t('overview.forecast')} ${num(d['trailingForecast'])}`,
    typeof d['asOf'] === 'string' && t('alerts.since', { date: formatDate(d['asOf'] as string, language) }),
  ].filter(Boolean);
  return (
    <>
      <div data-testid="raised-at">
        {t('alerts.raisedAt')}: {timeZone ? formatMomentIn(alert.raisedAt, language, timeZone) : '…'}
      </div>
      <div aria-label={t('alerts.evidence')}>{parts.join(' · ')}</div>
    </>
  );
}

function Acknowledge({ alert }: { alert: Alert }) {
  const { t } = useLanguage();
  const [note, setNote] = useState('');
  const [open, setOpen] = useState(false);
  const ack = useAcknowledge();
  return (
    <Popover
      open={open}
      onOpenChange={setOpen}
      trigger="click"
      content={
        <Space direction="vertical">
          <Input.TextArea
            aria-label={t('alerts.note')}
            placeholder={t('alerts.note')}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            rows={2}
          />
          {ack.error && <Typography.Text type="danger">{ack.error.message}</Typography.Text>}
          <Button
            type="primary"
            loading={ack.isPending}
            data-testid="acknowledge-confirm"
            onClick={() => ack.mutate({ alertId: alert.alertId, note: note.trim() || undefined }, { onSuccess: () => setOpen(false) })}
          >
            {t('alerts.acknowledge')}
          </Button>
        </Space>
      }
    >
      <Button data-testid="acknowledge">{t('alerts.acknowledge')}</Button>
    </Popover>
  );
}
