import { Alert, Button, Card, Drawer, Empty, Progress, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { Chart, preloadCharts } from '../../../components/chart';
import { PageError, PageLoading } from '../../../components/page-state';
import { StatusTag } from '../../../components/status-tag';
import type { GoalFigure, HistoryEntry } from '../../../lib/api/types';
import {
  changeOverDays,
  formatDate,
  formatNumber,
  formatPercent,
  formatSigned,
  gapToExpected,
  STATUS_RANK,
  type Language,
} from '../../../lib/format';
import { useLanguage } from '../../../lib/i18n';
import { useLiveProject } from '../../../lib/live';
import { useCan } from '../../auth/api/get-me';
import { useMemberNames } from '../../team/api/team';
import { useGoalHistory, useGoalProgress, useProjectProgress } from '../api/progress';
import { burnUpOption, monthlyPhasing, phasingOption, sparklineOption, type PlanMarker } from './chart-options';
import { GoalEditDialog, type Edit } from './goal-edits';
import { WorkbookDownload } from './workbook-download';

type TreeRow = GoalFigure & { subGoals?: TreeRow[] };

/** Parents with their member goals beneath them, the worst status first at each level. */
function goalTree(goals: readonly GoalFigure[]): TreeRow[] {
  const byParent = new Map<string | null, GoalFigure[]>();
  const ids = new Set(goals.map((g) => g.goalId));
  for (const g of goals) {
    const parent = g.parentGoalId && ids.has(g.parentGoalId) ? g.parentGoalId : null;
    byParent.set(parent, [...(byParent.get(parent) ?? []), g]);
  }
  const build = (parent: string | null): TreeRow[] =>
    (byParent.get(parent) ?? [])
      .sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status] || a.title.localeCompare(b.title))
      .map((g) => {
        const subGoals = build(g.goalId);
        return subGoals.length > 0 ? { ...g, subGoals } : { ...g };
      });
  return build(null);
}

const shortPosition = (position: string | null) => (position ? position.replace(/^0+(\d)/, '$1').replace(/-0+(\d)/, '-$1') : '—');

export function OverviewPage() {
  useEffect(preloadCharts, []);
  const { projectId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const date = params.get('date') ?? undefined;
  const { t, language } = useLanguage();
  const progress = useProjectProgress(projectId, date);
  const live = useLiveProject(projectId, progress.data?.position, date === undefined);
  const can = useCan(projectId);
  const [edit, setEdit] = useState<Edit | undefined>();
  const goals = useMemo(() => progress.data?.goals.filter((g) => g.goalStatus === 'active') ?? [], [progress.data]);
  const tops = useMemo(() => goalTree(goals), [goals]);
  const selectedId = params.get('goal') ?? tops[0]?.goalId;
  const selected = goals.find((g) => g.goalId === selectedId);

  if (progress.isPending) return <PageLoading />;
  if (progress.error) return <PageError error={progress.error} retry={() => void progress.refetch()} />;
  const data = progress.data;
  const select = (goalId: string) => setParams((p) => (p.set('goal', goalId), p), { replace: false });

  return (
    <div data-testid="overview" data-position={data.position ?? ''}>
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {t('overview.title')}
        </Typography.Title>
        <Space wrap>
          <WorkbookDownload projectId={projectId} date={date} />
          <LiveTag state={live} />
          <Typography.Text type="secondary" data-testid="computed-at">
            {t('overview.computedAt', { date: formatDate(data.date, language), position: shortPosition(data.position) })}
          </Typography.Text>
        </Space>
      </Space>
      {!data.caughtUp && <Alert type="info" showIcon title={t('overview.notCaughtUp')} style={{ marginTop: 12 }} />}
      {live === 'away' && <Alert type="warning" showIcon role="status" title={t('live.away')} style={{ marginTop: 12 }} />}
      {goals.length === 0 ? (
        <Empty description={t('overview.noGoals')} />
      ) : (
        <>
          <Typography.Title level={2} style={{ fontSize: 18, marginTop: 24 }}>
            {t('overview.scorecards')}
          </Typography.Title>
          <div className="figure-grid">
            {tops.map((goal) => (
              <Scorecard
                key={goal.goalId}
                goal={goal}
                projectId={projectId}
                date={date}
                selected={goal.goalId === selectedId}
                onSelect={() => select(goal.goalId)}
                onEdit={(kind) => setEdit({ kind, goal })}
                may={{
                  actual: can('goal.recordActual', goal.owner.kind === 'member' ? goal.owner.memberId : null),
                  plan: can('goal.plan'),
                }}
              />
            ))}
          </div>
          {selected && <GoalCharts goal={selected} projectId={projectId} date={date} />}
          <Typography.Title level={2} style={{ fontSize: 18, marginTop: 24 }}>
            {t('overview.tree')}
          </Typography.Title>
          <GoalTreeTable projectId={projectId} rows={tops} onSelect={select} />
        </>
      )}
      {edit && <GoalEditDialog edit={edit} projectId={projectId} onClose={() => setEdit(undefined)} />}
    </div>
  );
}

function LiveTag({ state }: { state: string }) {
  const { t } = useLanguage();
  if (state === 'live' || state === 'resumed')
    return (
      <Tag color="blue" data-testid="live" data-state={state}>
        ● {state === 'resumed' ? t('live.resumed') : t('live.connected')}
      </Tag>
    );
  return null;
}

function Scorecard(props: {
  goal: GoalFigure;
  projectId: string;
  date?: string;
  selected: boolean;
  onSelect: () => void;
  onEdit: (kind: Edit['kind']) => void;
  /** What GET /me lets the person do to this goal: record and correct its actuals, change its plan. */
  may: { actual: boolean; plan: boolean };
}) {
  const { goal } = props;
  const { t, language } = useLanguage();
  const series = useGoalProgress(props.projectId, goal.goalId, props.date);
  const unit = goal.kpi.unit;
  const gap = gapToExpected(goal.actualToDate, goal.expectedToDate, goal.kpi.direction);
  const week = series.data ? changeOverDays(series.data.series) : null;
  const n = (v: number | null) => formatNumber(v, language, { unit });
  return (
    <Card
      data-testid={`scorecard-${goal.goalId}`}
      title={
        <Space>
          <span>{goal.title}</span>
          <StatusTag status={goal.status} />
        </Space>
      }
      style={props.selected ? { borderColor: '#1d5fb4' } : undefined}
      actions={[
        <Button type="link" key="show" onClick={props.onSelect}>
          {t('overview.select')}
        </Button>,
      ]}
    >
      <dl className="figures">
        <dt>{t('overview.actual')}</dt>
        <dd data-testid="actual" data-value={goal.actualToDate ?? ''}>
          {n(goal.actualToDate)}
        </dd>
        <dt>{t('overview.target')}</dt>
        <dd data-testid="target" data-value={goal.target}>
          {n(goal.target)}
        </dd>
        <dt>{t('overview.attainment')}</dt>
        <dd data-testid="attainment" data-value={goal.attainment ?? ''}>
          {formatPercent(goal.attainment, language)}
        </dd>
        <dt>{t('overview.expected')}</dt>
        <dd>{n(goal.expectedToDate)}</dd>
        <dt>{t('overview.gap')}</dt>
        <dd>
          {formatSigned(gap, language, { unit })} {gap !== null && gap !== 0 ? (gap > 0 ? t('overview.ahead') : t('overview.behind')) : ''}
        </dd>
        <dt>{t('overview.forecast')}</dt>
        <dd>{n(goal.forecast)}</dd>
        <dt>{t('overview.deadline')}</dt>
        <dd data-testid="deadline" data-value={goal.deadline}>
          {formatDate(goal.deadline, language)}
        </dd>
        <dt>{t('overview.lastWeek')}</dt>
        <dd>{formatSigned(week, language, { unit })}</dd>
      </dl>
      {goal.children && (
        <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
          {t('overview.members', { actual: n(goal.children.actualToDate), expected: n(goal.children.expectedToDate) })}
        </Typography.Paragraph>
      )}
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 4 }}>
        {goal.reasonCode ? t(`reason.${goal.reasonCode}`, { pace: formatPercent(goal.pace, language) }) : goal.reason}
      </Typography.Paragraph>
      {(props.may.actual || props.may.plan) && (
        <Space wrap size={[4, 4]} style={{ marginBottom: 8 }}>
          {props.may.actual && (
            <Button size="small" onClick={() => props.onEdit('actual')} data-testid="record-actual">
              {t('overview.recordActual')}
            </Button>
          )}
          {props.may.actual && !goal.rolledUp && goal.lastActualDate && (
            <Button size="small" onClick={() => props.onEdit('correct')} data-testid="correct-actual">
              {t('overview.correctActual')}
            </Button>
          )}
          {props.may.plan && (
            <>
              <Button size="small" onClick={() => props.onEdit('target')} data-testid="adjust-target">
                {t('overview.adjustTarget')}
              </Button>
              <Button size="small" onClick={() => props.onEdit('deadline')} data-testid="move-deadline">
                {t('overview.moveDeadline')}
              </Button>
            </>
          )}
        </Space>
      )}
      {series.data && (
        <Chart
          height={48}
          language={language}
          label={`${goal.title}: ${t('overview.actual')}`}
          option={sparklineOption(series.data.series, `${goal.title}: ${t('overview.actual')} ${n(goal.actualToDate)}`)}
        />
      )}
    </Card>
  );
}

const MARKED: Record<string, PlanMarker['kind']> = {
  GoalTargetAdjusted: 'target',
  GoalOwnerChanged: 'owner',
  GoalDeadlineMoved: 'deadline',
  KpiDriftDetected: 'alert',
  KpiBackOnTrack: 'alert',
  GoalWentStale: 'alert',
  ActualCorrected: 'correction',
};

function markersOf(entries: readonly HistoryEntry[], language: Language, names: (type: string) => string): PlanMarker[] {
  return entries
    .filter((e) => MARKED[e.type])
    .map((e) => ({
      date: String(e.data['asOf'] ?? e.recordedAt).slice(0, 10),
      kind: MARKED[e.type],
      label: `${names(e.type)} · ${formatDate(e.recordedAt, language)}${e.reason ? ` · ${e.reason}` : ''}`,
      ref: e.position,
    }));
}

function GoalCharts({ goal, projectId, date }: { goal: GoalFigure; projectId: string; date?: string }) {
  const { t, language } = useLanguage();
  const progress = useGoalProgress(projectId, goal.goalId, date);
  const history = useGoalHistory(projectId, goal.goalId);
  const [opened, setOpened] = useState<HistoryEntry | undefined>();
  const names = (type: string) => (t(`alerts.types.${type}`, { defaultValue: type }) as string).replace(/^alerts\.types\./, '');
  const markers = useMemo(() => markersOf(history.data ?? [], language, names), [history.data, language]);
  if (!progress.data) return null;
  const unit = goal.kpi.unit;
  const title = t('overview.burnUp', { title: goal.title });
  const description = `${title}. ${t('overview.actual')} ${formatNumber(goal.actualToDate, language, { unit })}, ${t('overview.expected')} ${formatNumber(
    goal.expectedToDate,
    language,
    { unit },
  )}, ${t('overview.target')} ${formatNumber(goal.target, language, { unit })}, ${t('overview.forecast')} ${formatNumber(goal.forecast, language, { unit })}${
    progress.data?.forecastRange
      ? `, ${t('overview.forecastRange')} ${formatNumber(progress.data.forecastRange.low, language, { unit })} – ${formatNumber(progress.data.forecastRange.high, language, { unit })}`
      : ''
  }.`;
  const option = burnUpOption(
    progress.data,
    markers,
    {
      actual: t('overview.actual'),
      phased: t('overview.phased'),
      forecast: t('overview.paceLine'),
      range: t('overview.forecastRange'),
      needed: t('overview.neededLine'),
      target: t('overview.target'),
      deadline: t('overview.deadline'),
      description,
    },
    language,
  );
  const periods = goal.kpi.aggregation === 'cumulative' ? monthlyPhasing(progress.data.series) : [];
  return (
    <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))', gap: 16, marginTop: 24 }}>
      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{title}</h2>}>
        <Chart
          option={option}
          language={language}
          label={description}
          testId="burn-up"
          onPointClick={(p) => {
            if (p.componentType === 'markPoint') setOpened(history.data?.find((e) => e.position === (p.data as { value?: string })?.value));
          }}
        />
        <div data-testid="burn-up-last" data-value={progress.data.actualToDate ?? ''} hidden />
      </Card>
      {periods.length > 0 && (
        <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('overview.phasing')}</h2>}>
          <Chart
            language={language}
            label={t('overview.phasing')}
            option={phasingOption(
              periods,
              { planned: t('overview.planned'), actual: t('overview.actual'), description: t('overview.phasing') },
              unit,
              language,
            )}
          />
        </Card>
      )}
      <Drawer open={opened !== undefined} onClose={() => setOpened(undefined)} title={opened ? names(opened.type) : ''}>
        {opened && (
          <dl className="figures">
            <dt>{t('alerts.raisedAt')}</dt>
            <dd>{formatDate(opened.recordedAt, language)}</dd>
            <dt>{t('actions.reason')}</dt>
            <dd>{opened.reason ?? '—'}</dd>
            <dt>actor</dt>
            <dd>{opened.actor}</dd>
          </dl>
        )}
      </Drawer>
    </div>
  );
}

function GoalTreeTable(props: { projectId: string; rows: TreeRow[]; onSelect: (goalId: string) => void }) {
  const { t, language } = useLanguage();
  // Owners by name, as the team page and the task board show them.
  const names = useMemberNames(props.projectId);
  const n = (g: GoalFigure, v: number | null) => formatNumber(v, language, { unit: g.kpi.unit, compact: true });
  return (
    <Table<TreeRow>
      rowKey="goalId"
      size="small"
      dataSource={props.rows}
      pagination={false}
      expandable={{ defaultExpandAllRows: true, childrenColumnName: 'subGoals' }}
      data-testid="goal-tree"
      columns={[
        {
          title: t('overview.goal'),
          dataIndex: 'title',
          render: (title: string, g) => (
            <Button type="link" style={{ padding: 0 }} onClick={() => props.onSelect(g.goalId)}>
              {title}
            </Button>
          ),
        },
        {
          title: t('overview.owner'),
          render: (_, g) =>
            g.owner.kind === 'member' ? (
              <Link to={`../${encodeURIComponent(g.projectId)}/team?member=${g.owner.memberId}`}>
                {names.get(g.owner.memberId) ?? g.owner.memberId}
              </Link>
            ) : (
              t('overview.team')
            ),
        },
        { title: t('overview.target'), align: 'right', render: (_, g) => n(g, g.target) },
        { title: t('overview.actual'), align: 'right', render: (_, g) => n(g, g.actualToDate) },
        {
          title: t('overview.attainment'),
          width: 180,
          render: (_, g) => (
            <div style={{ position: 'relative' }} title={`${t('overview.expected')}: ${formatPercent(g.plannedShare, language)}`}>
              <Progress
                percent={Math.min(100, Math.round((g.attainment ?? 0) * 100))}
                format={() => formatPercent(g.attainment, language)}
                size="small"
                strokeColor="#1d5fb4"
                aria-label={`${g.title}: ${formatPercent(g.attainment, language)}`}
              />
              {/* The pace mark: where the plan expects the attainment to be today. */}
              <span
                aria-hidden
                style={{
                  position: 'absolute',
                  top: 2,
                  bottom: 2,
                  left: `calc(${Math.min(100, g.plannedShare * 100)}% * 0.78)`,
                  width: 2,
                  background: '#262626',
                }}
              />
            </div>
          ),
        },
        {
          title: t('overview.gap'),
          align: 'right',
          render: (_, g) =>
            formatSigned(gapToExpected(g.actualToDate, g.expectedToDate, g.kpi.direction), language, { unit: g.kpi.unit, compact: true }),
        },
        { title: t('overview.forecast'), align: 'right', render: (_, g) => n(g, g.forecast) },
        { title: t('projects.status'), render: (_, g) => <StatusTag status={g.status} /> },
      ]}
    />
  );
}
