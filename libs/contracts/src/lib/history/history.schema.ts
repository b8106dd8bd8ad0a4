import { goalFiguresSchema } from '../goal/goal-figures.schema';
import { z } from 'zod';
import { idSchema } from '../shared/primitives';

/** What part of the plan an event changed. */
export const HISTORY_KINDS = ['project', 'team', 'goal', 'task'] as const;
export const historyKindSchema = z.enum(HISTORY_KINDS, { error: `must be one of ${HISTORY_KINDS.join(', ')}` });

/** GET /projects/{id}/history */
export const projectHistoryQuerySchema = z
  .object({
    kind: historyKindSchema.optional(),
    actor: z.string().min(1).max(200).optional(),
    goalId: idSchema.optional(),
    memberId: idSchema.optional(),
    taskId: idSchema.optional().describe('Only the changes of this task (its plan, assignments, progress, blocks)'),
    from: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
    to: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
    limit: z.coerce
      .number({ error: 'must be a number' })
      .int()
      .min(1, 'must be from 1 to 500')
      .max(500, 'must be from 1 to 500')
      .default(100),
    after: z
      .string()
      .regex(/^\d{20}-\d{20}$/, 'must be the `next` value of a previous page')
      .optional(),
  })
  .strict()
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) <= Date.parse(q.to), {
    message: 'from must not be after to',
    path: ['from'],
  });
export type ProjectHistoryQuery = z.infer<typeof projectHistoryQuerySchema>;

/** One change, as the history lists it. */
export const historyEntrySchema = z.object({
  position: z.string(),
  kind: historyKindSchema,
  type: z.string().describe('The event type, e.g. GoalTargetAdjusted'),
  streamId: z.string(),
  actor: z.string().describe('Who made the change'),
  correlationId: z.string().optional().describe('Groups the changes of one request; a spreadsheet import’s is import:<file name>:<digest>'),
  origin: z
    .object({
      kind: z.literal('import'),
      fileName: z.string().describe('The spreadsheet the change was imported from, e.g. targets-Q1.xlsx'),
      actorName: z.string().nullable().describe('The importer’s name (Li Na); null when only the actor is known'),
    })
    .optional()
    .describe('Where the change came from when it was not a request of its own: "imported from targets-Q1.xlsx by Li Na"'),
  recordedAt: z.string().describe('When PlanLedger learnt it'),
  occurredAt: z.string().describe('When it happened in the business (the request time, or an actual’s business date)'),
  reason: z.string().nullable().describe('Why, for every change to something already planned'),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  data: z.record(z.string(), z.unknown()).describe('The whole event'),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
export const historyPageSchema = z.object({
  entries: z.array(historyEntrySchema),
  next: z.string().nullable().describe('Pass as `after` for the next page; null at the end'),
});

const instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2026-11-15T12:00:00Z' });

/** GET /projects/{id}/plan?asOf= */
export const planAsOfQuerySchema = z.object({ asOf: instant }).strict();
/** GET /projects/{id}/plan/diff?from=&to= */
export const planDiffQuerySchema = z
  .object({ from: instant, to: instant })
  .strict()
  .refine((q) => Date.parse(q.from) <= Date.parse(q.to), { message: 'from must not be after to', path: ['from'] });

export const planSnapshotSchema = z.object({
  projectId: z.string(),
  asOf: z.string(),
  position: z.string().nullable().describe('The last event the plan includes'),
  status: z.string(),
  charter: z.unknown(),
  members: z.array(z.object({ memberId: z.string(), name: z.string(), role: z.string(), responsibilities: z.array(z.string()) })),
  goals: z.array(
    z.object({
      goalId: z.string(),
      title: z.string(),
      status: z.string(),
      target: z.number(),
      deadline: z.string(),
      owner: z.unknown(),
      parentGoalId: z.string().nullable(),
      figures: goalFiguresSchema.nullable().describe('The goal’s figures as known at asOf, judged on that day in the project’s time zone'),
    }),
  ),
  tasks: z.array(
    z.object({
      taskId: z.string(),
      title: z.string(),
      status: z.string(),
      assigneeId: z.string().nullable(),
      dueDate: z.string(),
      goalId: z.string().nullable(),
    }),
  ),
});

const changeSchema = z.object({
  id: z.string(),
  change: z
    .string()
    .describe(
      'added, withdrawn, retargeted, deadline moved, owner changed, reassigned, re-dated, status changed, joined, left, role changed',
    ),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  reasons: z.array(z.object({ reason: z.string(), actor: z.string(), recordedAt: z.string(), type: z.string() })),
});
export const planDiffSchema = z.object({
  projectId: z.string(),
  from: z.string(),
  to: z.string(),
  goals: z.array(changeSchema),
  tasks: z.array(changeSchema),
  members: z.array(changeSchema),
});

/** GET /goals/{id}/progress, GET /projects/{id}/progress */
export const progressQuerySchema = z
  .object({
    date: z.iso
      .date({ error: 'must be a date like 2026-11-15' })
      .optional()
      .describe('The day to judge; today in the project’s time zone when absent'),
    minPosition: z
      .string()
      .regex(/^\d{20}-\d{20}$/, 'must be the position a command returned')
      .optional()
      .describe('Wait (up to 2 s) until the view includes this position, e.g. the one your last command returned'),
  })
  .strict();

export const TASK_STATUSES = ['planned', 'in_progress', 'blocked', 'completed', 'cancelled'] as const;

/** GET /projects/{id}/tasks */
export const taskBoardQuerySchema = progressQuerySchema
  .extend({
    status: z
      .enum(TASK_STATUSES, { error: `must be one of ${TASK_STATUSES.join(', ')}` })
      .optional()
      .describe('Only tasks in this status'),
    assignee: idSchema.optional().describe('Only tasks assigned to this member'),
    overdue: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .transform((v) => v === 'true')
      .optional()
      .describe('true: only open tasks past their due date; false: only the others'),
  })
  .strict();
