import type {
  AlertChannel,
  AlertLanguage,
  AlertRecordEvent,
  DeliveryEvent,
  SubscriptionEvent,
  TaskReminderRaised,
} from '@planledger/contracts';
import { refuse, type CommandMetadata } from '../shared/domain-error';

/* ------------------------------------------------------------------------------------------------
 * Subscriptions: one stream per project listing where its alerts go.
 * ---------------------------------------------------------------------------------------------- */

export interface Subscription {
  subscriptionId: string;
  channel: AlertChannel;
  label: string;
  language: AlertLanguage;
  mode: 'immediate' | 'digest';
  sealedTarget: string;
  targetHint: string;
  escalations: boolean;
  active: boolean;
}

export interface SubscriptionsState {
  projectId?: string;
  subscriptions: Map<string, Subscription>;
}

export const initialSubscriptionsState = (): SubscriptionsState => ({ subscriptions: new Map() });

export type AddAlertSubscription = {
  type: 'AddAlertSubscription';
  data: Omit<Subscription, 'active'> & { projectId: string };
  metadata: CommandMetadata;
};
export type RemoveAlertSubscription = {
  type: 'RemoveAlertSubscription';
  data: { projectId: string; subscriptionId: string; reason: string };
  metadata: CommandMetadata;
};
export type SubscriptionCommand = AddAlertSubscription | RemoveAlertSubscription;

/** The most subscriptions one project may hold, so a fan-out stays one small batch of jobs. */
export const MAX_SUBSCRIPTIONS_PER_PROJECT = 50;

export function evolveSubscriptions(state: SubscriptionsState, event: SubscriptionEvent): SubscriptionsState {
  const subscriptions = new Map(state.subscriptions);
  if (event.type === 'AlertSubscriptionAdded') {
    const { projectId, ...subscription } = event.data;
    subscriptions.set(subscription.subscriptionId, { ...subscription, active: true });
    return { projectId, subscriptions };
  }
  const existing = subscriptions.get(event.data.subscriptionId);
  if (existing) subscriptions.set(existing.subscriptionId, { ...existing, active: false });
  return { ...state, subscriptions };
}

export function decideSubscriptions(command: SubscriptionCommand, state: SubscriptionsState): SubscriptionEvent[] {
  const existing = state.subscriptions.get(command.data.subscriptionId);
  if (command.type === 'AddAlertSubscription') {
    if (existing) refuse('SUBSCRIPTION_EXISTS', `subscription ${command.data.subscriptionId} exists already`);
    const active = [...state.subscriptions.values()].filter((s) => s.active).length;
    if (active >= MAX_SUBSCRIPTIONS_PER_PROJECT)
      refuse('TOO_MANY_SUBSCRIPTIONS', `a project holds at most ${MAX_SUBSCRIPTIONS_PER_PROJECT} alert subscriptions; remove one first`);
    return [{ type: 'AlertSubscriptionAdded', data: command.data }];
  }
  if (!existing || !existing.active)
    refuse('SUBSCRIPTION_NOT_FOUND', `subscription ${command.data.subscriptionId} does not exist or was removed`);
  return [{ type: 'AlertSubscriptionRemoved', data: command.data }];
}

/* ------------------------------------------------------------------------------------------------
 * An alert's record: one stream per alert event, holding its acknowledgement and escalation.
 * ---------------------------------------------------------------------------------------------- */

export interface AlertRecordState {
  acknowledged?: { note: string };
  escalated: boolean;
}

export const initialAlertRecordState: AlertRecordState = { escalated: false };

export type AcknowledgeAlert = {
  type: 'AcknowledgeAlert';
  data: { alertId: string; projectId: string; note: string };
  metadata: CommandMetadata;
};
export type EscalateAlert = {
  type: 'EscalateAlert';
  data: {
    alertId: string;
    projectId: string;
    alertType: string;
    goalId?: string;
    taskId?: string;
    to: string[];
    afterMinutes: number;
    reason: string;
  };
  metadata: CommandMetadata;
};
export type AlertRecordCommand = AcknowledgeAlert | EscalateAlert;

export function evolveAlertRecord(state: AlertRecordState, event: AlertRecordEvent): AlertRecordState {
  if (event.type === 'AlertAcknowledged') return { ...state, acknowledged: { note: event.data.note } };
  return { ...state, escalated: true };
}

/**
 * Acknowledging twice is refused (the first acknowledgement stands, with its note). An escalation
 * happens at most once, and never after an acknowledgement: a duplicated or late escalation job
 * decides nothing.
 */
export function decideAlertRecord(command: AlertRecordCommand, state: AlertRecordState): AlertRecordEvent[] {
  if (command.type === 'AcknowledgeAlert') {
    if (state.acknowledged) refuse('ALERT_ALREADY_ACKNOWLEDGED', `alert ${command.data.alertId} was acknowledged already`);
    return [{ type: 'AlertAcknowledged', data: command.data }];
  }
  if (state.acknowledged || state.escalated || command.data.to.length === 0) return [];
  return [{ type: 'AlertEscalated', data: command.data }];
}

/* ------------------------------------------------------------------------------------------------
 * Task reminders: one stream per task; each reminder (kind and what it is about) is raised once.
 * ---------------------------------------------------------------------------------------------- */

export interface RemindersState {
  raised: Set<string>;
}

export const initialRemindersState = (): RemindersState => ({ raised: new Set() });
export type RaiseTaskReminder = { type: 'RaiseTaskReminder'; data: TaskReminderRaised['data']; metadata: CommandMetadata };

export function evolveReminders(state: RemindersState, event: TaskReminderRaised): RemindersState {
  return { raised: new Set(state.raised).add(`${event.data.kind}:${event.data.key}`) };
}

export function decideReminder(command: RaiseTaskReminder, state: RemindersState): TaskReminderRaised[] {
  if (state.raised.has(`${command.data.kind}:${command.data.key}`)) return [];
  return [{ type: 'TaskReminderRaised', data: command.data }];
}

/* ------------------------------------------------------------------------------------------------
 * Deliveries: one stream per (alert, subscription), recording how sending it went.
 * ---------------------------------------------------------------------------------------------- */

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryState {
  status: DeliveryStatus;
  /** Retries asked for after a failure. */
  retries: number;
}

export const initialDeliveryState: DeliveryState = { status: 'pending', retries: 0 };

type DeliveryKey = { deliveryId: string; alertId: string; projectId: string; subscriptionId: string };
export type RecordDelivery = { type: 'RecordDelivery'; data: DeliveryKey & { attempts: number }; metadata: CommandMetadata };
export type RecordDeliveryFailure = {
  type: 'RecordDeliveryFailure';
  data: DeliveryKey & { attempts: number; error: string; category?: string; statusCode?: number };
  metadata: CommandMetadata;
};
export type RequestDeliveryRetry = { type: 'RequestDeliveryRetry'; data: DeliveryKey & { note: string }; metadata: CommandMetadata };
export type DeliveryCommand = RecordDelivery | RecordDeliveryFailure | RequestDeliveryRetry;

export function evolveDelivery(state: DeliveryState, event: DeliveryEvent): DeliveryState {
  switch (event.type) {
    case 'AlertDelivered':
      return { ...state, status: 'delivered' };
    case 'AlertDeliveryFailed':
      return { ...state, status: 'failed' };
    case 'AlertDeliveryRetryRequested':
      return { status: 'pending', retries: state.retries + 1 };
  }
}

/**
 * A delivered alert stays delivered: a late duplicate outcome records nothing. Only a failed
 * delivery can be retried.
 */
export function decideDelivery(command: DeliveryCommand, state: DeliveryState): DeliveryEvent[] {
  switch (command.type) {
    case 'RecordDelivery':
      return state.status === 'delivered' ? [] : [{ type: 'AlertDelivered', data: command.data }];
    case 'RecordDeliveryFailure':
      return state.status === 'pending' ? [{ type: 'AlertDeliveryFailed', data: command.data }] : [];
    case 'RequestDeliveryRetry':
      if (state.status !== 'failed')
        refuse('DELIVERY_NOT_FAILED', `delivery ${command.data.deliveryId} is ${state.status}; only a failed delivery can be retried`);
      return [{ type: 'AlertDeliveryRetryRequested', data: command.data }];
  }
}
