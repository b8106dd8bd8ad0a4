import { Alert, DatePicker, Form, Input, InputNumber, Modal, Select } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { ConflictNotice, problemOf, type ConflictRow } from '../../../components/conflict-notice';
import { ApiError } from '../../../lib/api/client';
import type { Goal, GoalFigure } from '../../../lib/api/types';
import { formatDate, formatNumber } from '../../../lib/format';
import { useLanguage } from '../../../lib/i18n';
import { useAdjustTarget, useCorrectActual, useMoveDeadline, useRecordActual } from '../api/goal-commands';
import { useGoal } from '../api/progress';

type Edit =
  | { kind: 'actual'; goal: GoalFigure }
  | { kind: 'correct'; goal: GoalFigure }
  | { kind: 'target'; goal: GoalFigure }
  | { kind: 'deadline'; goal: GoalFigure };

interface Values {
  value?: number;
  businessDate?: dayjs.Dayjs;
  source?: string;
  target?: number;
  reason?: string;
  actualId?: string;
  deadline?: dayjs.Dayjs;
}

const FIELDS: Record<Edit['kind'], string[]> = {
  actual: ['value', 'businessDate', 'source'],
  correct: ['actualId', 'value', 'reason'],
  target: ['target', 'reason'],
  deadline: ['deadline', 'reason'],
};

const TITLE: Record<Edit['kind'], string> = {
  actual: 'overview.recordActual',
  correct: 'overview.correctActual',
  target: 'overview.adjustTarget',
  deadline: 'overview.moveDeadline',
};

/** A goal's actuals, the latest business day first, as the person picks the one to correct. */
function actualsNewestFirst(goal: Goal | undefined) {
  return [...(goal?.actuals ?? [])].sort((a, b) => b.businessDate.localeCompare(a.businessDate) || b.actualId.localeCompare(a.actualId));
}

/**
 * Records or corrects an actual, adjusts a target or moves a deadline, with the If-Match of the goal
 * as the person saw it. A 412 (someone changed it first) writes nothing: the dialog shows the goal as
 * it is now beside the person's change, and sends it again only when asked, on the current version.
 */
export function GoalEditDialog({ edit, projectId, onClose }: { edit: Edit; projectId: string; onClose: () => void }) {
  const { t, language } = useLanguage();
  const goal = useGoal(edit.goal.goalId);
  // The version the person began editing: live refreshes of the goal must not move it, or a
  // colleague's change in between would be overwritten silently. Only "send again" moves it.
  const [seen, setSeen] = useState<Goal | undefined>(undefined);
  const [now, setNow] = useState<Goal | undefined>(undefined);
  useEffect(() => {
    if (goal.data && !seen) setSeen(goal.data);
  }, [goal.data, seen]);
  const record = useRecordActual(projectId);
  const correct = useCorrectActual(projectId);
  const adjust = useAdjustTarget(projectId);
  const move = useMoveDeadline(projectId);
  const mutation = { actual: record, correct, target: adjust, deadline: move }[edit.kind];
  const [form] = Form.useForm<Values>();
  const conflict = mutation.error instanceof ApiError && mutation.error.status === 412;
  const { fields, message } = problemOf(conflict ? undefined : mutation.error, FIELDS[edit.kind]);
  const unit = edit.goal.kpi.unit;
  const n = (v: number | null | undefined) => formatNumber(v ?? null, language, { unit });

  useEffect(() => {
    if (conflict) void goal.refetch().then((current) => setNow(current.data));
  }, [conflict]);

  const submit = (values: Values, etag = seen?.etag) => {
    const done = { onSuccess: onClose };
    const goalId = edit.goal.goalId;
    const reason = values.reason ?? '';
    switch (edit.kind) {
      case 'actual':
        return record.mutate(
          {
            goalId,
            etag,
            value: values.value as number,
            businessDate: (values.businessDate ?? dayjs()).format('YYYY-MM-DD'),
            source: values.source || t('actions.sourceDefault'),
          },
          done,
        );
      case 'correct':
        return correct.mutate({ goalId, etag, actualId: values.actualId ?? '', value: values.value as number, reason }, done);
      case 'target':
        return adjust.mutate({ goalId, etag, target: values.target as number, reason }, done);
      case 'deadline':
        return move.mutate({ goalId, etag, deadline: values.deadline?.format('YYYY-MM-DD') ?? '', reason }, done);
    }
  };

  const redo = async () => {
    const current = await goal.refetch();
    setSeen(current.data);
    submit(form.getFieldsValue(), current.data?.etag);
  };

  const values = form.getFieldsValue();
  const actualNow = (goal: Goal | undefined, actualId: string | undefined) => goal?.actuals?.find((a) => a.actualId === actualId);
  const conflictRows: ConflictRow[] = {
    actual: () => {
      const latest = actualsNewestFirst(now)[0];
      return [
        {
          label: t('actions.latestActual'),
          now: now && (latest ? `${formatDate(latest.businessDate, language)} · ${n(latest.value)}` : '—'),
          yours: `${formatDate(values.businessDate?.format('YYYY-MM-DD'), language)} · ${n(values.value)}`,
        },
      ];
    },
    correct: () => [{ label: t('actions.value'), now: now && n(actualNow(now, values.actualId)?.value), yours: n(values.value) }],
    target: () => [{ label: t('overview.target'), now: now && n(now.target), yours: n(values.target) }],
    deadline: () => [
      {
        label: t('overview.deadline'),
        now: now && formatDate(now.deadline, language),
        yours: formatDate(values.deadline?.format('YYYY-MM-DD'), language),
      },
    ],
  }[edit.kind]();

  const item = (name: string) => ({ validateStatus: fields[name] ? ('error' as const) : undefined, help: fields[name] });
  const required = [{ required: true, message: t('actions.required') }];
  const actuals = actualsNewestFirst(seen);

  return (
    <Modal
      open
      title={`${t(TITLE[edit.kind])}: ${edit.goal.title}`}
      onCancel={onClose}
      okText={t('actions.save')}
      cancelText={t('actions.cancel')}
      onOk={() => form.submit()}
      okButtonProps={{ loading: mutation.isPending, disabled: conflict || !seen }}
      destroyOnHidden
    >
      {conflict && <ConflictNotice rows={conflictRows} onRedo={() => void redo()} pending={mutation.isPending} />}
      {message && !conflict && <Alert type="error" showIcon role="alert" title={message} style={{ marginBottom: 12 }} />}
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={(v) => submit(v)}
        initialValues={{ businessDate: dayjs(edit.goal.asOf), target: edit.goal.target, deadline: dayjs(edit.goal.deadline) }}
      >
        {edit.kind === 'actual' && (
          <>
            <Form.Item label={`${t('actions.value')} (${unit})`} name="value" rules={required} {...item('value')}>
              <InputNumber style={{ width: '100%' }} data-testid="actual-value" />
            </Form.Item>
            <Form.Item label={t('actions.businessDate')} name="businessDate" {...item('businessDate')}>
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
            <Form.Item label={t('actions.source')} name="source" {...item('source')}>
              <Input placeholder={t('actions.sourceDefault')} />
            </Form.Item>
          </>
        )}
        {edit.kind === 'correct' && (
          <>
            <Form.Item label={t('actions.actualToCorrect')} name="actualId" rules={required} {...item('actualId')}>
              <Select
                data-testid="correct-which"
                showSearch={{ optionFilterProp: 'label' }}
                loading={!seen}
                onChange={(actualId: string) => form.setFieldValue('value', actualNow(seen, actualId)?.value)}
                options={actuals.map((a) => ({
                  value: a.actualId,
                  label: `${formatDate(a.businessDate, language)} · ${n(a.value)} · ${a.source}`,
                }))}
              />
            </Form.Item>
            <Form.Item label={`${t('actions.correctedValue')} (${unit})`} name="value" rules={required} {...item('value')}>
              <InputNumber style={{ width: '100%' }} data-testid="correct-value" />
            </Form.Item>
          </>
        )}
        {edit.kind === 'target' && (
          <Form.Item label={`${t('actions.newTarget')} (${unit})`} name="target" rules={required} {...item('target')}>
            <InputNumber style={{ width: '100%' }} data-testid="target-value" />
          </Form.Item>
        )}
        {edit.kind === 'deadline' && (
          <Form.Item label={t('actions.newDeadline')} name="deadline" rules={required} {...item('deadline')}>
            <DatePicker style={{ width: '100%' }} data-testid="deadline-value" allowClear={false} />
          </Form.Item>
        )}
        {edit.kind !== 'actual' && (
          <Form.Item label={t('actions.reason')} name="reason" rules={required} {...item('reason')}>
            <Input.TextArea rows={2} data-testid="edit-reason" />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

export type { Edit };
