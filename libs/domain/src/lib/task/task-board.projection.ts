import type { TaskEvent } from '@planledger/contracts';
import type { Member } from '../team/team.decider';
import { addDays, toDayNumber } from '../shared/calendar';
import { evolveTask, initialTaskState, type TaskStatus } from './task.decider';

/** One task as the boards show it: the read model's document, plain JSON. */
export interface TaskCard {
  taskId: string;
  projectId: string;
  title: string;
  status: Exclude<TaskStatus, 'none'>;
  assigneeId: string | null;
  dueDate: string;
  goalId: string | null;
  parentTaskId: string | null;
  percent: number;
  estimateHours: number | null;
  blockedReason: string | null;
  /** When the task was last blocked (recorded time), while it is blocked. */
  blockedSince: string | null;
  /** The status the task returns to when unblocked. */
  statusBeforeBlock: 'planned' | 'in_progress' | null;
  updatedAt: string;
}

/**
 * The card after one event, folded with the task aggregate's own `evolveTask`, so the board can
 * never disagree with the command side. `recordedAt` dates the change.
 */
export function evolveTaskCard(card: TaskCard | undefined, event: TaskEvent, recordedAt: string): TaskCard | undefined {
  if (card === undefined && event.type !== 'TaskPlanned') return undefined;
  const before = card
    ? {
        ...initialTaskState,
        status: card.status,
        taskId: card.taskId,
        projectId: card.projectId,
        percent: card.percent,
        blockedReason: card.blockedReason ?? undefined,
        statusBeforeBlock: card.statusBeforeBlock ?? undefined,
        plan: {
          title: card.title,
          description: '',
          dueDate: card.dueDate,
          ...(card.assigneeId ? { assigneeId: card.assigneeId } : {}),
          ...(card.goalId ? { goalId: card.goalId } : {}),
          ...(card.parentTaskId ? { parentTaskId: card.parentTaskId } : {}),
          ...(card.estimateHours !== null ? { estimateHours: card.estimateHours } : {}),
        },
      }
    : initialTaskState;
  const after = evolveTask(before, event);
  if (after.status === 'none' || !after.plan || !after.taskId || !after.projectId) return undefined;
  return {
    taskId: after.taskId,
    projectId: after.projectId,
    title: after.plan.title,
    status: after.status,
    assigneeId: after.plan.assigneeId ?? null,
    dueDate: after.plan.dueDate,
    goalId: after.plan.goalId ?? null,
    parentTaskId: after.plan.parentTaskId ?? null,
    percent: after.percent,
    estimateHours: after.plan.estimateHours ?? null,
    blockedReason: after.blockedReason ?? null,
    blockedSince: after.status === 'blocked' ? (event.type === 'TaskBlocked' ? recordedAt : (card?.blockedSince ?? recordedAt)) : null,
    statusBeforeBlock: after.statusBeforeBlock ?? null,
    updatedAt: recordedAt,
  };
}

export const isOpen = (card: Pick<TaskCard, 'status'>) => card.status !== 'completed' && card.status !== 'cancelled';
export const isOverdue = (card: Pick<TaskCard, 'status' | 'dueDate'>, today: string) => isOpen(card) && card.dueDate < today;

export interface TaskFilter {
  status?: TaskCard['status'];
  assignee?: string;
  overdue?: boolean;
}

/** The task board: the cards the filter keeps, in due-date order, and counts over the whole project. */
export function taskBoard(cards: readonly TaskCard[], today: string, filter: TaskFilter = {}) {
  const kept = cards
    .filter((c) => filter.status === undefined || c.status === filter.status)
    .filter((c) => filter.assignee === undefined || c.assigneeId === filter.assignee)
    .filter((c) => filter.overdue === undefined || isOverdue(c, today) === filter.overdue)
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.taskId.localeCompare(b.taskId))
    .map((c) => ({ ...c, overdue: isOverdue(c, today), daysOverdue: isOverdue(c, today) ? daysBetween(c.dueDate, today) : 0 }));
  const byStatus: Record<string, number> = { planned: 0, in_progress: 0, blocked: 0, completed: 0, cancelled: 0 };
  const byAssignee: Record<string, number> = {};
  for (const card of cards) {
    byStatus[card.status] += 1;
    if (isOpen(card)) byAssignee[card.assigneeId ?? 'unassigned'] = (byAssignee[card.assigneeId ?? 'unassigned'] ?? 0) + 1;
  }
  return {
    tasks: kept,
    counts: { total: cards.length, byStatus, overdue: cards.filter((c) => isOverdue(c, today)).length, openByAssignee: byAssignee },
  };
}

/** Days a load looks ahead: open work due within it (or overdue) counts against this week's capacity. */
export const LOAD_HORIZON_DAYS = 7;

/** Hours of a task still to do: its estimate less the share reported done. */
export const remainingHours = (card: Pick<TaskCard, 'estimateHours' | 'percent'>) =>
  Math.round((card.estimateHours ?? 0) * (1 - card.percent / 100) * 10) / 10;

/**
 * Each current member's load: open, overdue and blocked tasks, the hours left on open work due in
 * the next seven days (overdue included) against the member's weekly capacity, and all hours left.
 */
export function memberLoad(member: Pick<Member, 'memberId' | 'weeklyCapacityHours'>, cards: readonly TaskCard[], today: string) {
  const open = cards.filter((c) => c.assigneeId === member.memberId && isOpen(c));
  const horizon = addDays(today, LOAD_HORIZON_DAYS - 1);
  const dueSoonHours = open.filter((c) => c.dueDate <= horizon).reduce((sum, c) => sum + remainingHours(c), 0);
  const capacity = member.weeklyCapacityHours;
  return {
    openTasks: open.length,
    overdueTasks: open.filter((c) => isOverdue(c, today)).length,
    blockedTasks: open.filter((c) => c.status === 'blocked').length,
    remainingHours: Math.round(open.reduce((sum, c) => sum + remainingHours(c), 0) * 10) / 10,
    dueThisWeekHours: Math.round(dueSoonHours * 10) / 10,
    weeklyCapacityHours: capacity,
    /** Hours due this week ÷ weekly capacity; above 1 the member is overloaded (null: no capacity given). */
    load: capacity ? Math.round((dueSoonHours / capacity) * 100) / 100 : null,
  };
}

const daysBetween = (from: string, to: string) => toDayNumber(to) - toDayNumber(from);
