/**
 * The columns of each kind of import sheet, with their English and Chinese headers. A header is
 * matched after trimming, ignoring case, spaces, "_", "-" and a unit in brackets, so
 * "Weekly capacity (h)", "weekly_capacity" and "每周工时（小时）" all find their column.
 */

export const SHEET_KINDS = ['members', 'goals', 'tasks', 'actuals'] as const;
export type SheetKind = (typeof SHEET_KINDS)[number];

export type ColumnType = 'text' | 'number' | 'date' | 'list' | 'percent';

export interface ColumnSpec {
  key: string;
  /** The header the English template writes. */
  en: string;
  /** The header the Chinese template writes. */
  zh: string;
  /** Further headers read as this column. */
  aliases?: readonly string[];
  type: ColumnType;
  required?: boolean;
  /** What the template says about the column (its comment). */
  help: string;
  /** Values a template offers as a drop-down list. */
  choices?: 'roles' | 'directions' | 'aggregations' | 'phasings';
}

export const SHEET_NAMES: Readonly<Record<SheetKind, { en: string; zh: string; aliases: readonly string[] }>> = {
  members: { en: 'Members', zh: '成员', aliases: ['team', 'people', '团队', '人员'] },
  goals: { en: 'Goals', zh: '目标', aliases: ['targets', 'plan', '指标'] },
  tasks: { en: 'Tasks', zh: '任务', aliases: ['actions', '工作'] },
  actuals: { en: 'Actuals', zh: '实绩', aliases: ['results', 'sales', '实际', '业绩', '实际值'] },
};

export const COLUMNS: Readonly<Record<SheetKind, readonly ColumnSpec[]>> = {
  members: [
    {
      key: 'memberId',
      en: 'Member ID',
      zh: '成员编号',
      aliases: ['id'],
      type: 'text',
      help: 'Letters, digits, - and _; made from the name when empty',
    },
    { key: 'name', en: 'Name', zh: '姓名', aliases: ['member', '成员'], type: 'text', required: true, help: 'Full name' },
    { key: 'role', en: 'Role', zh: '角色', aliases: ['岗位'], type: 'text', required: true, help: 'Role in the team', choices: 'roles' },
    { key: 'responsibilities', en: 'Responsibilities', zh: '职责', type: 'list', help: 'Separated by ; or 、' },
    { key: 'skills', en: 'Skills', zh: '技能', type: 'list', help: 'skill:level (1–5), separated by ; e.g. negotiation:4; CRM:3' },
    {
      key: 'weeklyCapacityHours',
      en: 'Weekly capacity (h)',
      zh: '每周工时',
      aliases: ['weekly capacity', 'capacity', '每周可用工时', '工时'],
      type: 'number',
      required: true,
      help: 'Hours a week, 0–168',
    },
    { key: 'reportsTo', en: 'Reports to', zh: '汇报对象', aliases: ['manager', '上级'], type: 'text', help: 'Member ID or name' },
  ],
  goals: [
    {
      key: 'goalId',
      en: 'Goal ID',
      zh: '目标编号',
      aliases: ['id'],
      type: 'text',
      help: 'Letters, digits, - and _; made from title and owner when empty',
    },
    {
      key: 'title',
      en: 'Title',
      zh: '目标名称',
      aliases: ['goal', '目标', '名称'],
      type: 'text',
      required: true,
      help: 'What the goal is',
    },
    {
      key: 'kpi',
      en: 'KPI',
      zh: '指标',
      aliases: ['kpi name', '关键指标', 'KPI名称'],
      type: 'text',
      required: true,
      help: 'The KPI measured',
    },
    { key: 'unit', en: 'Unit', zh: '单位', type: 'text', required: true, help: 'CNY, EUR, deals, customers, points' },
    {
      key: 'direction',
      en: 'Direction',
      zh: '方向',
      aliases: ['better'],
      type: 'text',
      help: 'higher_is_better (default) or lower_is_better; 越高越好 / 越低越好',
      choices: 'directions',
    },
    {
      key: 'aggregation',
      en: 'Aggregation',
      zh: '汇总方式',
      aliases: ['累计方式'],
      type: 'text',
      help: 'cumulative (default: actuals add up) or level (the latest value counts); 累计 / 水平',
      choices: 'aggregations',
    },
    { key: 'target', en: 'Target', zh: '目标值', type: 'number', required: true, help: 'Number; 1,200,000 or 120万 are read' },
    {
      key: 'baseline',
      en: 'Baseline',
      zh: '基线值',
      aliases: ['基准值', '基线'],
      type: 'number',
      help: 'Where the KPI stands at the start; 0 when empty',
    },
    { key: 'startDate', en: 'Start date', zh: '开始日期', aliases: ['start', '开始'], type: 'date', help: 'The project start when empty' },
    {
      key: 'deadline',
      en: 'Deadline',
      zh: '截止日期',
      aliases: ['due', 'end date', '结束日期'],
      type: 'date',
      required: true,
      help: 'Date',
    },
    {
      key: 'phasing',
      en: 'Phasing',
      zh: '分解方式',
      aliases: ['phasing kind', '分期方式'],
      type: 'text',
      help: 'linear (default), monthly or weekly; 线性 / 按月 / 按周',
      choices: 'phasings',
    },
    {
      key: 'weights',
      en: 'Phasing weights',
      zh: '分期权重',
      aliases: ['weights', '权重'],
      type: 'list',
      help: 'One per month or week, separated by ; and adding up to 100% (e.g. 30%; 30%; 40%)',
    },
    {
      key: 'owner',
      en: 'Owner',
      zh: '负责人',
      aliases: ['owner id'],
      type: 'text',
      required: true,
      help: 'Member ID or name, or team (团队)',
    },
    {
      key: 'parent',
      en: 'Parent goal',
      zh: '上级目标',
      aliases: ['parent', 'parent goal id'],
      type: 'text',
      help: 'Goal ID or title of the goal this one is part of',
    },
    { key: 'tolerance', en: 'Tolerance', zh: '容差', type: 'percent', help: 'Allowed shortfall before an alert, 0–100%; 10% when empty' },
    {
      key: 'strategyRefs',
      en: 'Strategy elements',
      zh: '策略要素',
      aliases: ['strategy', '策略'],
      type: 'list',
      help: 'Strategy element IDs, separated by ;',
    },
  ],
  tasks: [
    {
      key: 'taskId',
      en: 'Task ID',
      zh: '任务编号',
      aliases: ['id'],
      type: 'text',
      help: 'Letters, digits, - and _; made from title, owner and due date when empty',
    },
    {
      key: 'title',
      en: 'Title',
      zh: '任务名称',
      aliases: ['task', '任务', '名称'],
      type: 'text',
      required: true,
      help: 'What is to be done',
    },
    { key: 'description', en: 'Description', zh: '描述', aliases: ['说明'], type: 'text', help: 'Free text' },
    { key: 'owner', en: 'Owner', zh: '负责人', aliases: ['assignee', '执行人'], type: 'text', help: 'Member ID or name' },
    { key: 'dueDate', en: 'Due date', zh: '截止日期', aliases: ['due', 'deadline', '到期日'], type: 'date', required: true, help: 'Date' },
    { key: 'estimateHours', en: 'Estimate (h)', zh: '预计工时', aliases: ['estimate', '工时'], type: 'number', help: 'Hours' },
    { key: 'goal', en: 'Goal', zh: '目标', aliases: ['goal id'], type: 'text', help: 'Goal ID or title the task serves' },
    {
      key: 'strategyRef',
      en: 'Strategy element',
      zh: '策略要素',
      aliases: ['strategy', '策略'],
      type: 'text',
      help: 'Strategy element ID',
    },
  ],
  actuals: [
    {
      key: 'goal',
      en: 'Goal',
      zh: '目标',
      aliases: ['goal id', 'goal title', '目标编号', '目标名称'],
      type: 'text',
      required: true,
      help: 'Goal ID, or its title',
    },
    {
      key: 'owner',
      en: 'Owner',
      zh: '负责人',
      aliases: ['member', 'rep', '销售'],
      type: 'text',
      help: "The goal owner's ID or name, when two goals share a title",
    },
    {
      key: 'businessDate',
      en: 'Date',
      zh: '业务日期',
      aliases: ['business date', 'day', '日期', '成交日期'],
      type: 'date',
      required: true,
      help: 'When the result happened',
    },
    {
      key: 'value',
      en: 'Value',
      zh: '数值',
      aliases: ['amount', 'actual', '金额', '实际值', '数量'],
      type: 'number',
      required: true,
      help: 'Number; 1,200 or 1.5万 are read',
    },
    {
      key: 'externalRef',
      en: 'Reference',
      zh: '外部编号',
      aliases: ['external reference', 'external ref', 'ref', 'order', '单号', '订单号', '编号'],
      type: 'text',
      help: "The record's ID in the CRM or finance system; the same reference is recorded once",
    },
    { key: 'note', en: 'Note', zh: '备注', aliases: ['comment', '说明'], type: 'text', help: 'Free text, kept with the source' },
  ],
};

/** Header text reduced to what is compared: lower case, no spaces, separators or bracketed units. */
export function normaliseHeader(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[(（[【].*?[)）\]】]/g, '')
    .toLowerCase()
    .replace(/[\s_\-:：*]/g, '');
}

const headerIndex: Readonly<Record<SheetKind, ReadonlyMap<string, string>>> = Object.fromEntries(
  SHEET_KINDS.map((kind) => {
    const index = new Map<string, string>();
    for (const column of COLUMNS[kind]) {
      for (const header of [column.key, column.en, column.zh, ...(column.aliases ?? [])]) index.set(normaliseHeader(header), column.key);
    }
    return [kind, index];
  }),
) as unknown as Record<SheetKind, ReadonlyMap<string, string>>;

/** The column key a header names in a sheet of this kind, or undefined. */
export function columnFor(kind: SheetKind, header: string): string | undefined {
  return headerIndex[kind].get(normaliseHeader(header));
}

/** The kind a sheet's name says (English, Chinese or an alias), or undefined. */
export function kindOfSheetName(name: string): SheetKind | undefined {
  const wanted = normaliseHeader(name);
  return SHEET_KINDS.find((kind) => {
    const names = SHEET_NAMES[kind];
    return [kind, names.en, names.zh, ...names.aliases].some((n) => normaliseHeader(n) === wanted);
  });
}

/** The kind whose columns the headers match best (all its required columns present), or undefined. */
export function kindOfHeaders(headers: readonly string[]): SheetKind | undefined {
  let best: { kind: SheetKind; score: number } | undefined;
  for (const kind of SHEET_KINDS) {
    const found = new Set(headers.map((h) => columnFor(kind, h)).filter((k) => k !== undefined));
    if (!COLUMNS[kind].every((c) => !c.required || found.has(c.key))) continue;
    const score = found.size / COLUMNS[kind].length;
    if (!best || score > best.score) best = { kind, score };
  }
  return best?.kind;
}
