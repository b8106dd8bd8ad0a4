import { z } from 'zod';
import { accessEventSchemas, type AccessEvent } from './access/access.events';
import { accountsEventSchemas, type AccountsEvent } from './accounts/accounts.events';
import { alertsEventSchemas, type AlertsEvent } from './alerts/alerts.events';
import { executionEventSchemas, type ExecutionEvent } from './execution/execution.events';
import { strategyEventSchemas, type StrategyEvent } from './strategy/strategy.events';
import { wrapUpEventSchemas, type WrapUpEvent } from './wrapup/wrapup.events';
import { goalEventSchemas, type GoalEvent } from './goal/goal.events';
import { projectEventSchemas, type ProjectEvent } from './project/project.events';
import { taskEventSchemas, type TaskEvent } from './task/task.events';
import { teamEventSchemas, type TeamEvent } from './team/team.events';

/** Every PlanLedger event type with the zod schema of its current version's data. */
export const EVENT_SCHEMAS = {
  ...projectEventSchemas,
  ...teamEventSchemas,
  ...goalEventSchemas,
  ...taskEventSchemas,
  ...accessEventSchemas,
  ...accountsEventSchemas,
  ...alertsEventSchemas,
  ...strategyEventSchemas,
  ...executionEventSchemas,
  ...wrapUpEventSchemas,
} as const;
export type EventType = keyof typeof EVENT_SCHEMAS;

/** Current schema version of each event type; the event store's upcasters lift older ones. */
export const EVENT_SCHEMA_VERSIONS: Record<EventType, number> = Object.fromEntries(
  Object.keys(EVENT_SCHEMAS).map((type) => [type, 1]),
) as Record<EventType, number>;

export type PlanLedgerEvent =
  | ProjectEvent
  | TeamEvent
  | GoalEvent
  | TaskEvent
  | AccessEvent
  | AccountsEvent
  | AlertsEvent
  | StrategyEvent
  | ExecutionEvent
  | WrapUpEvent;

/** The discriminated union of all events as they travel: `{ type, data }`. */
export const planLedgerEventSchema = z.discriminatedUnion(
  'type',
  Object.entries(EVENT_SCHEMAS).map(([type, data]) => z.object({ type: z.literal(type), data })) as unknown as [
    z.ZodObject<{ type: z.ZodLiteral<string>; data: z.ZodType }>,
    ...z.ZodObject<{ type: z.ZodLiteral<string>; data: z.ZodType }>[],
  ],
);

export function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(EVENT_SCHEMAS, type);
}

/** Parses a stored event's data against its type's current schema; throws naming the type and field. */
export function parseEvent(type: string, data: unknown): PlanLedgerEvent {
  if (!isEventType(type)) throw new Error(`Unknown event type "${type}"`);
  const parsed = EVENT_SCHEMAS[type].safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Event ${type} does not match its schema: ${issue.path.join('.') || '(data)'} ${issue.message}`);
  }
  return { type, data: parsed.data } as PlanLedgerEvent;
}

/** JSON Schema (draft 2020-12) of each event type's data, generated from the zod schemas. */
export function eventJsonSchemas(): Record<EventType, unknown> {
  return Object.fromEntries(
    Object.entries(EVENT_SCHEMAS).map(([type, schema]) => [type, z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' })]),
  ) as Record<EventType, unknown>;
}
