import type { ProjectCharter } from '@planledger/contracts';
import { comparePositions, type EventStore, type JsonObject, type StoredEvent } from '@planledger/event-store';
import { InMemoryReadModelStore, projectionId, type Projection } from '@planledger/projections';
import { writeWorkbook, type CellValue, type OutputColumn } from '@planledger/spreadsheets';
import { alertsProjection, type AlertDoc } from '../alerts/alert-projections';
import type { Planning } from '../planning';
import { goalProgressProjection, Progress, todayIn } from '../progress';
import { APPEND_SKEW_MS, PLAN_EVENT_TYPES } from '../time-travel';

export type ExportLanguage = 'en' | 'zh-CN';

/** The moment asked for lies ahead: nothing is known of it yet. */
export class ExportMomentInFuture extends Error {
  readonly code = 'AS_OF_IN_THE_FUTURE';
  constructor(asOf: string) {
    super(`asOf ${asOf} has not happened yet; give a past moment or leave it out for now`);
  }
}

/**
 * Read models as they stood at a moment: the projection's own `evolve` over the project's events
 * recorded by then, into memory. The views built on them are then the API's views at that moment.
 */
export async function readModelsAsOf(store: EventStore, projectId: string, at: number, projections: readonly Projection<never>[]) {
  const models = new InMemoryReadModelStore();
  const types = [...new Set(projections.flatMap((p) => [...p.eventTypes]))];
  const docs = new Map(projections.map((p) => [p, new Map<string, JsonObject | undefined>()]));
  let last: StoredEvent | undefined;
  for (let after: string | undefined, page; ; after = page.position) {
    page = await store.readAll({ projectId, after, types, limit: 5000 });
    let beyond = false;
    for (const event of page.events) {
      const recorded = Date.parse(event.recordedAt);
      if (recorded > at + APPEND_SKEW_MS) beyond = true;
      if (recorded > at) continue;
      last = event;
      for (const projection of projections) {
        if (!projection.eventTypes.includes(event.type)) continue;
        const own = docs.get(projection) as Map<string, JsonObject | undefined>;
        for (const key of projection.keysOf(event)) own.set(key, (projection as Projection).evolve(own.get(key), event, key));
      }
    }
    if (beyond || page.events.length < 5000) break;
  }
  for (const [projection, own] of docs) {
    if (!last) continue;
    const position = last.position;
    await models.batch(projectionId(projection), (tx) => tx.commit(own, position, own.size));
  }
  return models;
}

const LABELS = {
  en: {
    about: 'About',
    goals: 'Goals',
    members: 'Members',
    tasks: 'Tasks',
    alerts: 'Alerts',
    history: 'Plan changes',
    project: 'Project',
    asOf: 'As of',
    date: 'Figures for the day',
    generated: 'Generated',
    currency: 'Currency',
    timeZone: 'Time zone',
  },
  'zh-CN': {
    about: '说明',
    goals: '目标',
    members: '成员',
    tasks: '任务',
    alerts: '预警',
    history: '计划变更',
    project: '项目',
    asOf: '截至时点',
    date: '数据日期',
    generated: '生成时间',
    currency: '币种',
    timeZone: '时区',
  },
} as const;

const COLUMN_LABELS: Record<string, { en: string; zh: string }> = {
  goalId: { en: 'Goal ID', zh: '目标编号' },
  title: { en: 'Title', zh: '名称' },
  owner: { en: 'Owner', zh: '负责人' },
  parent: { en: 'Parent goal', zh: '上级目标' },
  kpi: { en: 'KPI', zh: '指标' },
  unit: { en: 'Unit', zh: '单位' },
  target: { en: 'Target', zh: '目标值' },
  actual: { en: 'Actual to date', zh: '累计完成' },
  attainment: { en: 'Attainment', zh: '完成率' },
  expected: { en: 'Expected to date', zh: '计划应完成' },
  pace: { en: 'Pace', zh: '进度比' },
  forecast: { en: 'Forecast', zh: '预测' },
  status: { en: 'Status', zh: '状态' },
  goalStatus: { en: 'Goal status', zh: '目标状态' },
  deadline: { en: 'Deadline', zh: '截止日期' },
  reason: { en: 'Why', zh: '说明' },
  memberId: { en: 'Member ID', zh: '成员编号' },
  name: { en: 'Name', zh: '姓名' },
  role: { en: 'Role', zh: '角色' },
  responsibilities: { en: 'Responsibilities', zh: '职责' },
  taskId: { en: 'Task ID', zh: '任务编号' },
  assignee: { en: 'Assignee', zh: '执行人' },
  dueDate: { en: 'Due date', zh: '截止日期' },
  goal: { en: 'Goal', zh: '目标' },
  raisedAt: { en: 'Raised at', zh: '触发时间' },
  type: { en: 'Type', zh: '类型' },
  subject: { en: 'Goal or task', zh: '目标或任务' },
  details: { en: 'Details', zh: '详情' },
  acknowledgedBy: { en: 'Acknowledged by', zh: '确认人' },
  acknowledgedAt: { en: 'Acknowledged at', zh: '确认时间' },
  recordedAt: { en: 'Recorded at', zh: '记录时间' },
  actor: { en: 'By', zh: '操作人' },
  change: { en: 'Change', zh: '变更' },
  before: { en: 'Before', zh: '变更前' },
  after: { en: 'After', zh: '变更后' },
  changeReason: { en: 'Reason', zh: '原因' },
};

const ZH_VALUES: Record<string, string> = {
  on_track: '正常',
  at_risk: '有风险',
  off_track: '落后',
  stale: '无更新',
  active: '进行中',
  withdrawn: '已撤回',
  planned: '已计划',
  in_progress: '进行中',
  blocked: '受阻',
  completed: '已完成',
  cancelled: '已取消',
  team: '团队',
  KpiDriftDetected: '指标偏离',
  KpiBackOnTrack: '恢复正常',
  GoalWentStale: '长期无更新',
  TaskReminderRaised: '任务提醒',
  AlertEscalated: '预警升级',
  GoalSet: '设定目标',
  GoalTargetAdjusted: '调整目标值',
  GoalDeadlineMoved: '调整截止日期',
  GoalOwnerChanged: '更换负责人',
  GoalRephased: '调整分期',
  GoalWithdrawn: '撤回目标',
  GoalStrategyLinked: '关联策略',
  MemberJoined: '成员加入',
  MemberRoleChanged: '角色变更',
  MemberLeft: '成员离开',
  SkillRequirementSet: '设定技能要求',
  TaskPlanned: '计划任务',
  TaskAssigned: '分配任务',
  TaskStarted: '开始任务',
  TaskProgressReported: '报告进度',
  TaskBlocked: '任务受阻',
  TaskUnblocked: '解除受阻',
  TaskDueDateMoved: '调整任务截止日期',
  TaskCompleted: '完成任务',
  TaskCancelled: '取消任务',
  ProjectOpened: '开启项目',
  ProjectCharterAmended: '修改项目章程',
  ProjectClosed: '关闭项目',
};

/** The day a date string names, as a workbook date (UTC midnight: Excel dates carry no zone). */
function day(value: string | null | undefined): Date | null {
  return value ? new Date(`${value.slice(0, 10)}T00:00:00.000Z`) : null;
}

function short(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

export interface ProjectWorkbook {
  bytes: Buffer;
  fileName: string;
  /** The moment the workbook describes (ISO 8601) and the day its figures are for, in the project's time zone. */
  asOf: string;
  date: string;
  /** The goal figures exactly as written into the Goals sheet. */
  goals: Awaited<ReturnType<Progress['project']>>['goals'];
}

/**
 * The workbook a manager sends upward: goals with their figures, members, tasks, alerts and the
 * history of plan changes with reasons, as of now or a past moment. The goal figures are the
 * progress view's own: now from the live read model, at a past moment from the same projection
 * folded over the events known by then, evaluated on that moment's day.
 */
export class WorkbookExport {
  constructor(
    private readonly store: EventStore,
    private readonly planning: Planning,
    private readonly progress: Progress,
  ) {}

  /** The figures now, or as known at `asOf`; `date` (with no asOf) judges them on another day, as the progress view's `?date=`. */
  async figures(projectId: string, asOf?: string, day?: string, minPosition?: string) {
    const { state } = await this.planning.project(projectId);
    const charter = state.charter as ProjectCharter;
    const now = Date.now();
    const at = asOf === undefined ? now : Date.parse(asOf);
    if (at > now + 1000) throw new ExportMomentInFuture(asOf ?? '');
    const date = asOf === undefined && day !== undefined ? day : todayIn(charter.timeZone ?? 'UTC', new Date(at));
    if (asOf === undefined) {
      // The view as far as the log goes, and at least as far as the caller's own last write (which
      // the log's head may not show yet while an older transaction elsewhere is open).
      const head = (await this.store.headPosition()) ?? undefined;
      const upTo = head === undefined || (minPosition !== undefined && comparePositions(minPosition, head) > 0) ? minPosition : head;
      await this.progress.reached(upTo, 5000);
      return { charter, at, date, view: await this.progress.project(projectId, date) };
    }
    const models = await readModelsAsOf(this.store, projectId, at, [goalProgressProjection as unknown as Projection<never>]);
    return { charter, at, date, view: await new Progress(models, this.store).project(projectId, date) };
  }

  async build(
    projectId: string,
    options: { asOf?: string; date?: string; lang: ExportLanguage; minPosition?: string },
  ): Promise<ProjectWorkbook> {
    const { charter, at, date, view } = await this.figures(projectId, options.asOf, options.date, options.minPosition);
    const asOf = new Date(at).toISOString();
    const zh = options.lang === 'zh-CN';
    const t = (value: string | null | undefined) => (value && zh ? (ZH_VALUES[value] ?? value) : (value ?? null));
    const labels = LABELS[options.lang];
    const col = (key: string, extra: Partial<OutputColumn> = {}, label = key): OutputColumn => ({
      key,
      header: zh ? COLUMN_LABELS[label].zh : COLUMN_LABELS[label].en,
      ...extra,
    });

    const plan = await this.planning.planAsOf(projectId, asOf);
    const names = new Map(plan.members.map((m) => [m.memberId, m.name]));
    const titles = new Map(plan.goals.map((g) => [g.goalId, g.title]));
    const ownerName = (owner: unknown) => {
      const o = owner as { kind?: string; memberId?: string } | null;
      if (!o) return null;
      return o.kind === 'member' && o.memberId ? (names.get(o.memberId) ?? o.memberId) : t('team');
    };
    const amount = '#,##0.##';

    const goals = view.goals;
    const goalRows = goals.map((g) => ({
      goalId: g.goalId,
      title: g.title,
      owner: ownerName(g.owner),
      parent: g.parentGoalId ? (titles.get(g.parentGoalId) ?? g.parentGoalId) : null,
      kpi: g.kpi.name,
      unit: g.kpi.unit,
      target: g.target,
      actual: g.actualToDate,
      attainment: g.attainment,
      expected: g.expectedToDate,
      pace: g.pace,
      forecast: g.forecast,
      status: t(g.status),
      goalStatus: t(g.goalStatus),
      deadline: day(g.deadline),
      reason: g.reason,
    }));

    const alertModels = await readModelsAsOf(this.store, projectId, at, [alertsProjection as unknown as Projection<never>]);
    const alerts = [...(await alertModels.all(projectionId(alertsProjection))).values()] as unknown as AlertDoc[];
    const taskTitles = new Map(plan.tasks.map((task) => [task.taskId, task.title]));
    const alertRows = alerts
      .sort((a, b) => a.raisedAt.localeCompare(b.raisedAt))
      .map((a) => ({
        raisedAt: a.raisedAt,
        type: t(a.type),
        subject: a.goalId ? (titles.get(a.goalId) ?? a.goalId) : a.taskId ? (taskTitles.get(a.taskId) ?? a.taskId) : null,
        details: short(a.data['reason'] ?? a.data['kind'] ?? null),
        acknowledgedBy: a.acknowledged ? (names.get(a.acknowledged.by.replace(/^user:/, '')) ?? a.acknowledged.by) : null,
        acknowledgedAt: a.acknowledged?.at ?? null,
      }));

    const history: Record<string, CellValue>[] = [];
    for (let after: string | undefined, page; ; after = page.position) {
      page = await this.store.readAll({ projectId, after, types: [...PLAN_EVENT_TYPES], limit: 5000 });
      let beyond = false;
      for (const event of page.events) {
        const recorded = Date.parse(event.recordedAt);
        if (recorded > at + APPEND_SKEW_MS) beyond = true;
        if (recorded > at) continue;
        const data = event.data;
        const subjectId = String(data['goalId'] ?? data['taskId'] ?? data['memberId'] ?? data['projectId'] ?? '');
        history.push({
          recordedAt: event.recordedAt,
          actor: names.get(event.metadata.actor.replace(/^user:/, '')) ?? event.metadata.actor,
          change: t(event.type),
          subject:
            titles.get(subjectId) ??
            taskTitles.get(subjectId) ??
            names.get(subjectId) ??
            (data['title'] as string | undefined) ??
            subjectId,
          before: short(data['before']),
          after: short(data['after']),
          changeReason: typeof data['reason'] === 'string' ? data['reason'] : null,
        });
      }
      if (beyond || page.events.length < 5000) break;
    }

    const bytes = await writeWorkbook(
      [
        {
          name: labels.goals,
          columns: [
            col('goalId'),
            col('title'),
            col('owner'),
            col('parent'),
            col('kpi'),
            col('unit'),
            col('target', { numFmt: amount }),
            col('actual', { numFmt: amount }),
            col('attainment', { numFmt: '0.0%' }),
            col('expected', { numFmt: amount }),
            col('pace', { numFmt: '0.00' }),
            col('forecast', { numFmt: amount }),
            col('status'),
            col('goalStatus'),
            col('deadline', { numFmt: 'yyyy-mm-dd' }),
            col('reason', { width: 60 }),
          ],
          rows: goalRows,
        },
        {
          name: labels.members,
          columns: [col('memberId'), col('name'), col('role'), col('responsibilities')],
          rows: plan.members.map((m) => ({ ...m, responsibilities: m.responsibilities.join('; ') })),
        },
        {
          name: labels.tasks,
          columns: [col('taskId'), col('title'), col('status'), col('assignee'), col('dueDate', { numFmt: 'yyyy-mm-dd' }), col('goal')],
          rows: plan.tasks.map((task) => ({
            taskId: task.taskId,
            title: task.title,
            status: t(task.status),
            assignee: task.assigneeId ? (names.get(task.assigneeId) ?? task.assigneeId) : null,
            dueDate: day(task.dueDate),
            goal: task.goalId ? (titles.get(task.goalId) ?? task.goalId) : null,
          })),
        },
        {
          name: labels.alerts,
          columns: [
            col('raisedAt'),
            col('type'),
            col('subject'),
            col('details', { width: 60 }),
            col('acknowledgedBy'),
            col('acknowledgedAt'),
          ],
          rows: alertRows,
        },
        {
          name: labels.history,
          columns: [
            col('recordedAt'),
            col('actor'),
            col('change'),
            col('subject'),
            col('before', { width: 30 }),
            col('after', { width: 30 }),
            col('changeReason', { width: 50 }),
          ],
          rows: history,
        },
        {
          name: labels.about,
          columns: [
            { key: 'label', header: labels.project, width: 24 },
            { key: 'value', header: charter.name, width: 50 },
          ],
          rows: [
            { label: labels.asOf, value: asOf },
            { label: labels.date, value: date },
            { label: labels.generated, value: new Date().toISOString() },
            { label: labels.currency, value: charter.currency },
            { label: labels.timeZone, value: charter.timeZone },
          ],
        },
      ],
      { title: `${charter.name} ${date}` },
    );
    return { bytes, fileName: `${charter.name}-${date}.xlsx`, asOf, date, goals };
  }
}
