// The read answers the dashboard uses. The API's OpenAPI document types their paths, parameters
// and bodies (openapi.gen.ts) but not these bodies yet, so their shape is named here once.

export type GoalStatus = 'on_track' | 'at_risk' | 'off_track';
export type Direction = 'higher_is_better' | 'lower_is_better';

export interface Kpi {
  name: string;
  unit: string;
  direction: Direction;
  aggregation: 'cumulative' | 'level';
}

export type Owner = { kind: 'team' } | { kind: 'member'; memberId: string };

/** One goal's figure, as the API's one goal figure function computed it. */
export interface GoalFigure {
  goalId: string;
  projectId: string;
  title: string;
  goalStatus: string;
  kpi: Kpi;
  target: number;
  deadline: string;
  owner: Owner;
  parentGoalId: string | null;
  asOf: string;
  plannedShare: number;
  actualToDate: number | null;
  expectedToDate: number;
  attainment: number | null;
  pace: number | null;
  forecast: number | null;
  status: GoalStatus;
  reason: string;
  /** The reason as a code the page translates (the `reason` sentence is English). */
  reasonCode?: 'not_started' | 'no_actuals' | 'nothing_due' | 'on_pace' | 'behind' | 'far_behind';
  /** The figures come from the child goals (the goal has no actuals of its own). */
  rolledUp?: boolean;
  lastActualDate?: string | null;
  children?: { count: number; actualToDate: number; expectedToDate: number; offTrack: string[] };
}

export interface ProjectProgress {
  projectId: string;
  date: string;
  position: string | null;
  caughtUp: boolean;
  goals: GoalFigure[];
}

export interface SeriesPoint {
  date: string;
  actual: number | null;
  expected: number;
}

export interface GoalProgress extends GoalFigure {
  series: SeriesPoint[];
  /** Where the goal may land at its deadline: its run rate so far against its trailing one; null without a trailing run rate. */
  forecastRange?: { low: number; high: number } | null;
  caughtUp: boolean;
}

export interface ProjectSummary {
  projectId: string;
  status: string;
  revision: number;
  name: string;
  managerId: string;
  periodStart: string;
  periodEnd: string;
  openedAt: string;
}

export interface Goal {
  goalId: string;
  projectId: string;
  revision: number;
  title: string;
  target: number;
  deadline: string;
  kpi: Kpi;
  /** The actuals as recorded, each with its current (corrected) value. */
  actuals?: { actualId: string; value: number; businessDate: string; source: string; externalRef?: string }[];
  etag?: string;
}

export interface Alert {
  alertId: string;
  type: string;
  projectId: string;
  goalId?: string;
  taskId?: string;
  subject: string;
  raisedAt: string;
  data: Record<string, unknown>;
  acknowledged: { by: string; at: string; note?: string | null } | null;
  escalation: unknown;
}

export interface TaskCard {
  taskId: string;
  projectId: string;
  title: string;
  goalId: string | null;
  status: 'planned' | 'in_progress' | 'blocked' | 'completed' | 'cancelled';
  dueDate: string | null;
  percent: number;
  assigneeId: string | null;
  blockedReason: string | null;
  estimateHours: number | null;
  overdue: boolean;
  daysOverdue: number;
  strategyRef?: string | null;
}

/** One task as stored (GET /tasks/{id}), with its ETag. */
export interface TaskDetail {
  taskId: string;
  projectId: string;
  status: TaskCard['status'];
  percent: number;
  blockedReason: string | null;
  revision: number;
  title: string;
  description: string;
  goalId?: string;
  strategyRef?: string;
  parentTaskId?: string;
  assigneeId?: string;
  dueDate: string;
  estimateHours?: number;
  etag?: string;
}

export interface TaskBoard {
  projectId: string;
  date: string;
  position: string | null;
  tasks: TaskCard[];
}

export interface TeamMember {
  memberId: string;
  name: string;
  role: string;
  responsibilities: string[];
  skills: { skill: string; level: number }[];
  reportsTo: string | null;
  openTasks: number;
  overdueTasks: number;
  blockedTasks: number;
  remainingHours: number;
  dueThisWeekHours: number;
  weeklyCapacityHours: number;
  load: number;
  goals: { goalId: string; title: string; target: number; actualToDate: number | null; attainment: number | null; status: GoalStatus }[];
}

export interface TeamBoard {
  projectId: string;
  date: string;
  members: TeamMember[];
  requiredSkills?: { skill: string; level?: number; coveredBy?: string[] }[];
}

export interface HistoryEntry {
  position: string;
  kind: string;
  type: string;
  actor: string;
  recordedAt: string;
  occurredAt?: string;
  reason: string | null;
  before?: unknown;
  after?: unknown;
  data: Record<string, unknown>;
}

export interface Me {
  actor: string;
  name: string | null;
  orgRole: string;
  projects: { projectId: string; name: string; roles: string[]; actions: string[]; memberId: string | null }[];
}

export interface AuthMethods {
  oidc: boolean;
  local: boolean;
  token: boolean;
}

/** A command's answer: the new revision (the next If-Match) and the position to read your write at. */
export interface CommandResult {
  id?: string;
  revision: number;
  position: string;
}
