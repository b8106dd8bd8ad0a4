import { z } from 'zod';
import { idSchema, isoDateSchema, nameSchema, reasonSchema, shortTextSchema, type EventOf } from '../shared/primitives';

/** Where an alert can be sent. The in-app inbox needs no subscription: it serves every manager. */
export const ALERT_CHANNELS = ['webhook', 'slack', 'dingtalk', 'wecom', 'feishu', 'email'] as const;
export const alertChannelSchema = z.enum(ALERT_CHANNELS, { error: `must be one of ${ALERT_CHANNELS.join(', ')}` });
export type AlertChannel = z.infer<typeof alertChannelSchema>;

export const alertLanguageSchema = z.enum(['en', 'zh'], { error: 'must be en or zh' });
export type AlertLanguage = z.infer<typeof alertLanguageSchema>;

/** The event types that are alerts: each one is delivered to the project's subscriptions. */
export const ALERT_EVENT_TYPES = ['KpiDriftDetected', 'KpiBackOnTrack', 'GoalWentStale', 'TaskReminderRaised', 'AlertEscalated'] as const;
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];

export const TASK_REMINDER_KINDS = ['due_soon', 'overdue', 'blocked_too_long'] as const;

export const alertSubscriptionAddedSchema = z.object({
  projectId: idSchema,
  subscriptionId: idSchema,
  channel: alertChannelSchema,
  label: nameSchema,
  language: alertLanguageSchema,
  /** `immediate`: one message per alert; `digest`: one message a day with the day's alerts. */
  mode: z.enum(['immediate', 'digest']),
  /**
   * The destination (URL, e-mail address) and any signing secret, sealed with AES-256-GCM under
   * NOTIFY_SECRET_KEY: the log, its exports and the feed never hold them in clear.
   */
  sealedTarget: z.string().min(1).max(10_000),
  /** What the destination is, with its secret parts masked, for lists. */
  targetHint: z.string().max(300),
  /** Deliver escalations of unacknowledged alerts too. */
  escalations: z.boolean(),
});
export const alertSubscriptionRemovedSchema = z.object({ projectId: idSchema, subscriptionId: idSchema, reason: reasonSchema });

export const alertAcknowledgedSchema = z.object({ alertId: z.uuid(), projectId: idSchema, note: shortTextSchema.default('') });
export const alertEscalatedSchema = z.object({
  alertId: z.uuid(),
  projectId: idSchema,
  /** The alert's type and what it is about, so the escalation reads on its own. */
  alertType: z.string().max(100),
  goalId: idSchema.optional(),
  taskId: idSchema.optional(),
  /** Members the escalation goes to: the managers of whoever the alert concerns. */
  to: z.array(idSchema).max(100),
  afterMinutes: z.number().int().min(0),
  reason: z.string().max(500),
});

export const taskReminderRaisedSchema = z.object({
  taskId: idSchema,
  projectId: idSchema,
  kind: z.enum(TASK_REMINDER_KINDS),
  /** What the reminder is about (the due date, or when the block began): one reminder per kind and key. */
  key: z.string().max(100),
  asOf: isoDateSchema,
  title: nameSchema,
  dueDate: isoDateSchema,
  assigneeId: idSchema.optional(),
  /** Days until the due date (due_soon), past it (overdue) or blocked (blocked_too_long). */
  days: z.number().int(),
});

const deliveryKey = {
  deliveryId: z.uuid(),
  alertId: z.uuid(),
  projectId: idSchema,
  subscriptionId: idSchema,
};
export const alertDeliveredSchema = z.object({ ...deliveryKey, attempts: z.number().int().min(1) });
export const alertDeliveryFailedSchema = z.object({
  ...deliveryKey,
  attempts: z.number().int().min(1),
  /** What went wrong in a few words of our own: never the receiver's answer or the destination URL. */
  error: z.string().max(1000),
  /** A short fixed word for the kind of failure (`address-refused`, `timeout`, `server-error`, …). */
  category: z.string().max(40).optional(),
  /** The receiver's HTTP status, when it answered. */
  statusCode: z.number().int().min(100).max(999).optional(),
});
export const alertDeliveryRetryRequestedSchema = z.object({ ...deliveryKey, note: shortTextSchema.default('') });

export type AlertSubscriptionAdded = EventOf<'AlertSubscriptionAdded', typeof alertSubscriptionAddedSchema>;
export type AlertSubscriptionRemoved = EventOf<'AlertSubscriptionRemoved', typeof alertSubscriptionRemovedSchema>;
export type AlertAcknowledged = EventOf<'AlertAcknowledged', typeof alertAcknowledgedSchema>;
export type AlertEscalated = EventOf<'AlertEscalated', typeof alertEscalatedSchema>;
export type TaskReminderRaised = EventOf<'TaskReminderRaised', typeof taskReminderRaisedSchema>;
export type AlertDelivered = EventOf<'AlertDelivered', typeof alertDeliveredSchema>;
export type AlertDeliveryFailed = EventOf<'AlertDeliveryFailed', typeof alertDeliveryFailedSchema>;
export type AlertDeliveryRetryRequested = EventOf<'AlertDeliveryRetryRequested', typeof alertDeliveryRetryRequestedSchema>;
export type SubscriptionEvent = AlertSubscriptionAdded | AlertSubscriptionRemoved;
export type AlertRecordEvent = AlertAcknowledged | AlertEscalated;
export type DeliveryEvent = AlertDelivered | AlertDeliveryFailed | AlertDeliveryRetryRequested;
export type AlertsEvent = SubscriptionEvent | AlertRecordEvent | TaskReminderRaised | DeliveryEvent;

export const alertsEventSchemas = {
  AlertSubscriptionAdded: alertSubscriptionAddedSchema,
  AlertSubscriptionRemoved: alertSubscriptionRemovedSchema,
  AlertAcknowledged: alertAcknowledgedSchema,
  AlertEscalated: alertEscalatedSchema,
  TaskReminderRaised: taskReminderRaisedSchema,
  AlertDelivered: alertDeliveredSchema,
  AlertDeliveryFailed: alertDeliveryFailedSchema,
  AlertDeliveryRetryRequested: alertDeliveryRetryRequestedSchema,
} as const;

const httpsOrHttpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2000)
  .refine(
    (url) => {
      const parsed = new URL(url);
      return !parsed.username && !parsed.password;
    },
    { error: 'must not carry a user name or password (receivers check the signature, or a token in the path or query)' },
  );

const subscriptionCommon = {
  label: nameSchema.optional(),
  language: alertLanguageSchema.default('en'),
  mode: z.enum(['immediate', 'digest'], { error: 'must be immediate or digest' }).default('immediate'),
  escalations: z.boolean({ error: 'must be true or false' }).default(true),
};
const signingSecret = z.string().min(1).max(200).optional();

/** POST /projects/{id}/alert-subscriptions: one body per channel, told apart by `channel`. */
export const addAlertSubscriptionBodySchema = z.discriminatedUnion(
  'channel',
  [
    z.object({ channel: z.literal('webhook'), url: httpsOrHttpUrl, ...subscriptionCommon }).strict(),
    z.object({ channel: z.literal('slack'), url: httpsOrHttpUrl, ...subscriptionCommon }).strict(),
    z.object({ channel: z.literal('wecom'), url: httpsOrHttpUrl, ...subscriptionCommon }).strict(),
    z.object({ channel: z.literal('dingtalk'), url: httpsOrHttpUrl, secret: signingSecret, ...subscriptionCommon }).strict(),
    z.object({ channel: z.literal('feishu'), url: httpsOrHttpUrl, secret: signingSecret, ...subscriptionCommon }).strict(),
    z.object({ channel: z.literal('email'), to: z.email({ error: 'must be an e-mail address' }).max(300), ...subscriptionCommon }).strict(),
  ],
  { error: `channel must be one of ${ALERT_CHANNELS.join(', ')}` },
);
export type AddAlertSubscriptionBody = z.infer<typeof addAlertSubscriptionBodySchema>;

export const removeAlertSubscriptionBodySchema = z.object({ reason: reasonSchema }).strict();
export const acknowledgeAlertBodySchema = z.object({ note: shortTextSchema.default('') }).strict();
export const retryDeliveryBodySchema = z.object({ note: shortTextSchema.default('') }).strict();
/** Read-your-writes on a read model: wait (up to 2 s) until the view includes this position. */
const minPositionSchema = z
  .string()
  .regex(/^\d{20}-\d{20}$/, 'must be the position a command returned')
  .optional()
  .describe('Wait (up to 2 s) until the view includes this position, e.g. the one your last command returned');
export const deliveriesQuerySchema = z
  .object({
    status: z.enum(['failed', 'delivered', 'pending', 'all'], { error: 'must be failed, delivered, pending or all' }).default('all'),
    minPosition: minPositionSchema,
  })
  .strict();
export const inboxQuerySchema = z
  .object({
    acknowledged: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
    limit: z.coerce.number({ error: 'must be a number' }).int().min(1).max(500).default(100),
    minPosition: minPositionSchema,
  })
  .strict();
/** GET /alerts/{id} */
export const alertQuerySchema = z.object({ minPosition: minPositionSchema }).strict();
