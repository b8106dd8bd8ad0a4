import { z } from 'zod';
import {
  changeOf,
  idSchema,
  isoDateSchema,
  longTextSchema,
  nameSchema,
  reasonSchema,
  shortTextSchema,
  type EventOf,
} from '../shared/primitives';

export const taskPlanSchema = z.object({
  title: nameSchema,
  description: longTextSchema.default(''),
  goalId: idSchema.optional(),
  /** A strategy element the task serves (the strategy itself arrives with issue 7). */
  strategyRef: idSchema.optional(),
  parentTaskId: idSchema.optional(),
  assigneeId: idSchema.optional(),
  dueDate: isoDateSchema,
  estimateHours: z.number().min(0).max(10_000).optional(),
});
export type TaskPlan = z.infer<typeof taskPlanSchema>;

export const taskPlannedSchema = taskPlanSchema.extend({ taskId: idSchema, projectId: idSchema });
export const taskAssignedSchema = z.object({
  taskId: idSchema,
  before: idSchema.nullable(),
  after: idSchema,
  /** Required when the task changes hands. */
  reason: reasonSchema.optional(),
});
export const taskStartedSchema = z.object({ taskId: idSchema });
export const taskProgressReportedSchema = z.object({
  taskId: idSchema,
  percent: z.number().min(0).max(100),
  note: shortTextSchema.default(''),
});
export const taskBlockedSchema = z.object({ taskId: idSchema, reason: reasonSchema });
export const taskUnblockedSchema = z.object({ taskId: idSchema, note: shortTextSchema.default('') });
export const taskDueDateMovedSchema = z.object({ taskId: idSchema, ...changeOf(isoDateSchema).shape, reason: reasonSchema });
export const taskCompletedSchema = z.object({ taskId: idSchema, note: shortTextSchema.default('') });
export const taskCancelledSchema = z.object({ taskId: idSchema, reason: reasonSchema });

export type TaskPlanned = EventOf<'TaskPlanned', typeof taskPlannedSchema>;
export type TaskAssigned = EventOf<'TaskAssigned', typeof taskAssignedSchema>;
export type TaskStarted = EventOf<'TaskStarted', typeof taskStartedSchema>;
export type TaskProgressReported = EventOf<'TaskProgressReported', typeof taskProgressReportedSchema>;
export type TaskBlocked = EventOf<'TaskBlocked', typeof taskBlockedSchema>;
export type TaskUnblocked = EventOf<'TaskUnblocked', typeof taskUnblockedSchema>;
export type TaskDueDateMoved = EventOf<'TaskDueDateMoved', typeof taskDueDateMovedSchema>;
export type TaskCompleted = EventOf<'TaskCompleted', typeof taskCompletedSchema>;
export type TaskCancelled = EventOf<'TaskCancelled', typeof taskCancelledSchema>;
export type TaskEvent =
  | TaskPlanned
  | TaskAssigned
  | TaskStarted
  | TaskProgressReported
  | TaskBlocked
  | TaskUnblocked
  | TaskDueDateMoved
  | TaskCompleted
  | TaskCancelled;

export const taskEventSchemas = {
  TaskPlanned: taskPlannedSchema,
  TaskAssigned: taskAssignedSchema,
  TaskStarted: taskStartedSchema,
  TaskProgressReported: taskProgressReportedSchema,
  TaskBlocked: taskBlockedSchema,
  TaskUnblocked: taskUnblockedSchema,
  TaskDueDateMoved: taskDueDateMovedSchema,
  TaskCompleted: taskCompletedSchema,
  TaskCancelled: taskCancelledSchema,
} as const;

/** POST /projects/{id}/tasks */
export const planTaskBodySchema = taskPlanSchema.strict();
/** POST /tasks/{id}/assignment (first assignment) and /tasks/{id}/reassignment (reason required) */
export const assignTaskBodySchema = z.object({ assigneeId: idSchema, reason: reasonSchema.optional() }).strict();
/** POST /tasks/{id}/start */
export const startTaskBodySchema = z.object({}).strict();
/** POST /tasks/{id}/progress */
export const reportTaskProgressBodySchema = z.object({ percent: z.number().min(0).max(100), note: shortTextSchema.default('') }).strict();
/** POST /tasks/{id}/block */
export const blockTaskBodySchema = z.object({ reason: reasonSchema }).strict();
/** POST /tasks/{id}/unblock */
export const unblockTaskBodySchema = z.object({ note: shortTextSchema.default('') }).strict();
/** POST /tasks/{id}/due-date-moves */
export const moveTaskDueDateBodySchema = z.object({ dueDate: isoDateSchema, reason: reasonSchema }).strict();
/** POST /tasks/{id}/completion */
export const completeTaskBodySchema = z.object({ note: shortTextSchema.default('') }).strict();
/** POST /tasks/{id}/cancellation */
export const cancelTaskBodySchema = z.object({ reason: reasonSchema }).strict();
