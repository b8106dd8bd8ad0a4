import type { TaskEvent, TaskPlan } from '@planledger/contracts';
import type { GoalState } from '../goal/goal.decider';
import { requireOpen, type ProjectState } from '../project/project.decider';
import { refuse, type CommandMetadata } from '../shared/domain-error';

export type TaskStatus = 'none' | 'planned' | 'in_progress' | 'blocked' | 'completed' | 'cancelled';

export interface TaskState {
  status: TaskStatus;
  taskId?: string;
  projectId?: string;
  plan?: TaskPlan;
  percent: number;
  /** The status a blocked task returns to when unblocked. */
  statusBeforeBlock?: 'planned' | 'in_progress';
  blockedReason?: string;
}

export const initialTaskState: TaskState = { status: 'none', percent: 0 };

export interface TaskContext {
  project: ProjectState;
  currentMemberIds: ReadonlySet<string>;
  /** The linked goal's state, when the task names one. */
  goal?: GoalState;
  /** The parent task's state, when the task names one. */
  parentTask?: TaskState;
}

type Cmd<T extends string, D> = { type: T; data: D & { taskId: string }; metadata: CommandMetadata };
export type PlanTask = Cmd<'PlanTask', TaskPlan & { projectId: string }>;
export type AssignTask = Cmd<'AssignTask', { assigneeId: string; reason?: string }>;
export type StartTask = Cmd<'StartTask', Record<string, never>>;
export type ReportTaskProgress = Cmd<'ReportTaskProgress', { percent: number; note: string }>;
export type BlockTask = Cmd<'BlockTask', { reason: string }>;
export type UnblockTask = Cmd<'UnblockTask', { note: string }>;
export type MoveTaskDueDate = Cmd<'MoveTaskDueDate', { dueDate: string; reason: string }>;
export type CompleteTask = Cmd<'CompleteTask', { note: string }>;
export type CancelTask = Cmd<'CancelTask', { reason: string }>;
export type TaskCommand =
  PlanTask | AssignTask | StartTask | ReportTaskProgress | BlockTask | UnblockTask | MoveTaskDueDate | CompleteTask | CancelTask;

export function evolveTask(state: TaskState, event: TaskEvent): TaskState {
  switch (event.type) {
    case 'TaskPlanned': {
      const { taskId, projectId, ...plan } = event.data;
      return { ...initialTaskState, status: 'planned', taskId, projectId, plan };
    }
    case 'TaskAssigned':
      return { ...state, plan: { ...(state.plan as TaskPlan), assigneeId: event.data.after } };
    case 'TaskStarted':
      return { ...state, status: 'in_progress' };
    case 'TaskProgressReported':
      return { ...state, percent: event.data.percent };
    case 'TaskBlocked':
      return {
        ...state,
        status: 'blocked',
        statusBeforeBlock: state.status === 'planned' ? 'planned' : 'in_progress',
        blockedReason: event.data.reason,
      };
    case 'TaskUnblocked':
      return { ...state, status: state.statusBeforeBlock ?? 'in_progress', statusBeforeBlock: undefined, blockedReason: undefined };
    case 'TaskDueDateMoved':
      return { ...state, plan: { ...(state.plan as TaskPlan), dueDate: event.data.after } };
    case 'TaskCompleted':
      return { ...state, status: 'completed', percent: 100 };
    case 'TaskCancelled':
      return { ...state, status: 'cancelled' };
  }
}

export function planTask(command: PlanTask, state: TaskState, context: TaskContext): TaskEvent[] {
  if (state.status !== 'none') refuse('TASK_ALREADY_PLANNED', `task ${command.data.taskId} is already planned`);
  const charter = requireOpen(context.project);
  const { taskId, projectId, ...plan } = command.data;
  if (projectId !== context.project.projectId)
    refuse('PROJECT_MISMATCH', `the task names project ${projectId}, not ${context.project.projectId}`);
  if (plan.dueDate < charter.periodStart || plan.dueDate > charter.periodEnd) {
    refuse(
      'DUE_DATE_OUTSIDE_PROJECT_PERIOD',
      `the due date ${plan.dueDate} is outside the project period ${charter.periodStart}–${charter.periodEnd}`,
    );
  }
  if (plan.assigneeId !== undefined) checkMember(plan.assigneeId, context);
  if (plan.goalId !== undefined) {
    const goal = context.goal;
    if (!goal || goal.status === 'none') refuse('GOAL_NOT_FOUND', `goal ${plan.goalId} does not exist`);
    if (goal.projectId !== projectId) refuse('GOAL_IN_OTHER_PROJECT', `goal ${plan.goalId} belongs to another project`);
    if (goal.status === 'withdrawn') refuse('GOAL_WITHDRAWN', `goal ${plan.goalId} was withdrawn`);
  }
  if (plan.parentTaskId !== undefined) {
    const parent = context.parentTask;
    if (!parent || parent.status === 'none') refuse('PARENT_TASK_NOT_FOUND', `parent task ${plan.parentTaskId} does not exist`);
    if (parent.projectId !== projectId)
      refuse('PARENT_TASK_IN_OTHER_PROJECT', `parent task ${plan.parentTaskId} belongs to another project`);
    if (parent.status === 'completed' || parent.status === 'cancelled')
      refuse('PARENT_TASK_CLOSED', `parent task ${plan.parentTaskId} is ${parent.status}`);
  }
  return [{ type: 'TaskPlanned', data: { taskId, projectId, ...plan } }];
}

export function assignTask(command: AssignTask, state: TaskState, context: TaskContext): TaskEvent[] {
  const plan = requireOpenTask(state, context);
  const { assigneeId, reason, taskId } = command.data;
  const before = plan.assigneeId ?? null;
  if (before === assigneeId) refuse('NOTHING_TO_CHANGE', `the task is already assigned to ${assigneeId}`);
  if (before !== null && !reason) refuse('REASON_REQUIRED', 'say why the task changes hands');
  checkMember(assigneeId, context);
  return [{ type: 'TaskAssigned', data: { taskId, before, after: assigneeId, ...(reason ? { reason } : {}) } }];
}

export function startTask(command: StartTask, state: TaskState, context: TaskContext): TaskEvent[] {
  const plan = requireOpenTask(state, context);
  if (state.status !== 'planned') refuse('TASK_NOT_PLANNED', `the task is ${state.status}, not planned`);
  if (!plan.assigneeId) refuse('TASK_UNASSIGNED', 'assign the task before starting it');
  return [{ type: 'TaskStarted', data: { taskId: command.data.taskId } }];
}

export function reportTaskProgress(command: ReportTaskProgress, state: TaskState, context: TaskContext): TaskEvent[] {
  requireOpenTask(state, context);
  if (state.status !== 'in_progress') refuse('TASK_NOT_IN_PROGRESS', `progress is reported on a started task; this one is ${state.status}`);
  return [{ type: 'TaskProgressReported', data: command.data }];
}

export function blockTask(command: BlockTask, state: TaskState, context: TaskContext): TaskEvent[] {
  requireOpenTask(state, context);
  if (state.status === 'blocked') refuse('TASK_ALREADY_BLOCKED', `the task is already blocked: ${state.blockedReason}`);
  return [{ type: 'TaskBlocked', data: command.data }];
}

export function unblockTask(command: UnblockTask, state: TaskState, context: TaskContext): TaskEvent[] {
  requireOpenTask(state, context);
  if (state.status !== 'blocked') refuse('TASK_NOT_BLOCKED', `the task is ${state.status}, not blocked`);
  return [{ type: 'TaskUnblocked', data: command.data }];
}

export function moveTaskDueDate(command: MoveTaskDueDate, state: TaskState, context: TaskContext): TaskEvent[] {
  const plan = requireOpenTask(state, context);
  const charter = requireOpen(context.project);
  const { dueDate, reason, taskId } = command.data;
  if (dueDate === plan.dueDate) refuse('NOTHING_TO_CHANGE', `the task is already due ${dueDate}`);
  if (dueDate < charter.periodStart || dueDate > charter.periodEnd) {
    refuse(
      'DUE_DATE_OUTSIDE_PROJECT_PERIOD',
      `the due date ${dueDate} is outside the project period ${charter.periodStart}–${charter.periodEnd}`,
    );
  }
  return [{ type: 'TaskDueDateMoved', data: { taskId, before: plan.dueDate, after: dueDate, reason } }];
}

export function completeTask(command: CompleteTask, state: TaskState, context: TaskContext): TaskEvent[] {
  requireOpenTask(state, context);
  if (state.status === 'blocked') refuse('TASK_BLOCKED', `unblock the task first: ${state.blockedReason}`);
  return [{ type: 'TaskCompleted', data: command.data }];
}

export function cancelTask(command: CancelTask, state: TaskState, context: TaskContext): TaskEvent[] {
  requireOpenTask(state, context);
  return [{ type: 'TaskCancelled', data: command.data }];
}

export function decideTask(command: TaskCommand, state: TaskState, context: TaskContext): TaskEvent[] {
  switch (command.type) {
    case 'PlanTask':
      return planTask(command, state, context);
    case 'AssignTask':
      return assignTask(command, state, context);
    case 'StartTask':
      return startTask(command, state, context);
    case 'ReportTaskProgress':
      return reportTaskProgress(command, state, context);
    case 'BlockTask':
      return blockTask(command, state, context);
    case 'UnblockTask':
      return unblockTask(command, state, context);
    case 'MoveTaskDueDate':
      return moveTaskDueDate(command, state, context);
    case 'CompleteTask':
      return completeTask(command, state, context);
    case 'CancelTask':
      return cancelTask(command, state, context);
    default: {
      const unknown: never = command;
      return refuse('UNKNOWN_COMMAND', `unknown task command ${(unknown as { type: string }).type}`);
    }
  }
}

/** The plan of a task that still takes changes: it exists, its project is open, it is not done. */
function requireOpenTask(state: TaskState, context: TaskContext): TaskPlan {
  if (state.status === 'none' || !state.plan) refuse('TASK_NOT_FOUND', 'the task does not exist');
  requireOpen(context.project);
  if (state.status === 'completed' || state.status === 'cancelled')
    refuse('TASK_CLOSED', `task ${state.taskId} is ${state.status} and accepts no changes`);
  return state.plan;
}

function checkMember(memberId: string, context: TaskContext): void {
  if (!context.currentMemberIds.has(memberId)) refuse('ASSIGNEE_NOT_A_MEMBER', `${memberId} is not a current member of the project`);
}
