import type { AlertRecordEvent, DeliveryEvent, SubscriptionEvent, TaskReminderRaised } from '@planledger/contracts';
import { meta } from '../testing/fixtures';
import { deciderSpec } from '../testing/given-when-then';
import {
  decideAlertRecord,
  decideDelivery,
  decideReminder,
  decideSubscriptions,
  evolveAlertRecord,
  evolveDelivery,
  evolveReminders,
  evolveSubscriptions,
  initialAlertRecordState,
  initialDeliveryState,
  initialRemindersState,
  initialSubscriptionsState,
  MAX_SUBSCRIPTIONS_PER_PROJECT,
  type AlertRecordCommand,
  type AlertRecordState,
  type DeliveryCommand,
  type DeliveryState,
  type RaiseTaskReminder,
  type RemindersState,
  type SubscriptionCommand,
  type SubscriptionsState,
} from './alerts.decider';

const subscriptions = deciderSpec<SubscriptionsState, SubscriptionEvent, SubscriptionCommand>({
  initialState: initialSubscriptionsState(),
  evolve: evolveSubscriptions,
  decide: decideSubscriptions,
});
const record = deciderSpec<AlertRecordState, AlertRecordEvent, AlertRecordCommand>({
  initialState: initialAlertRecordState,
  evolve: evolveAlertRecord,
  decide: decideAlertRecord,
});
const reminders = deciderSpec<RemindersState, TaskReminderRaised, RaiseTaskReminder>({
  initialState: initialRemindersState(),
  evolve: evolveReminders,
  decide: decideReminder,
});
const deliveries = deciderSpec<DeliveryState, DeliveryEvent, DeliveryCommand>({
  initialState: initialDeliveryState,
  evolve: evolveDelivery,
  decide: decideDelivery,
});

const subscription = (subscriptionId = 's1') => ({
  projectId: 'p1',
  subscriptionId,
  channel: 'webhook' as const,
  label: 'CRM hook',
  language: 'en' as const,
  mode: 'immediate' as const,
  sealedTarget: 'v1.sealed',
  targetHint: 'https://crm.example/…',
  escalations: true,
});
const add = (id = 's1'): SubscriptionCommand => ({ type: 'AddAlertSubscription', data: subscription(id), metadata: meta });
const added = (id = 's1'): SubscriptionEvent => ({ type: 'AlertSubscriptionAdded', data: subscription(id) });
const remove: SubscriptionCommand = {
  type: 'RemoveAlertSubscription',
  data: { projectId: 'p1', subscriptionId: 's1', reason: 'endpoint retired' },
  metadata: meta,
};
const removed: SubscriptionEvent = {
  type: 'AlertSubscriptionRemoved',
  data: { projectId: 'p1', subscriptionId: 's1', reason: 'endpoint retired' },
};

describe('alert subscriptions', () => {
  it('given none: adds one, refuses to remove one', () => {
    subscriptions().when(add()).then([added()]);
    subscriptions().when(remove).thenRefuses('SUBSCRIPTION_NOT_FOUND');
  });
  it('given an active one: refuses the same id again, removes it', () => {
    subscriptions([added()]).when(add()).thenRefuses('SUBSCRIPTION_EXISTS');
    subscriptions([added()]).when(remove).then([removed]);
  });
  it('given a removed one: its id stays taken, and it cannot be removed twice', () => {
    subscriptions([added(), removed]).when(add()).thenRefuses('SUBSCRIPTION_EXISTS');
    subscriptions([added(), removed]).when(remove).thenRefuses('SUBSCRIPTION_NOT_FOUND');
  });
  it(`given ${MAX_SUBSCRIPTIONS_PER_PROJECT} active ones: refuses another, until one is removed`, () => {
    const full = Array.from({ length: MAX_SUBSCRIPTIONS_PER_PROJECT }, (_, i) => added(`s${i + 1}`));
    subscriptions(full).when(add('extra')).thenRefuses('TOO_MANY_SUBSCRIPTIONS');
    subscriptions([...full, removed])
      .when(add('extra'))
      .then([added('extra')]);
  });
});

const alertId = '0b1d2c3e-4f50-4617-8293-a4b5c6d7e8f9';
const acknowledge: AlertRecordCommand = {
  type: 'AcknowledgeAlert',
  data: { alertId, projectId: 'p1', note: 'calling the client today' },
  metadata: meta,
};
const acknowledged: AlertRecordEvent = { type: 'AlertAcknowledged', data: { alertId, projectId: 'p1', note: 'calling the client today' } };
const escalation = {
  alertId,
  projectId: 'p1',
  alertType: 'KpiDriftDetected',
  goalId: 'g1',
  to: ['li-na'],
  afterMinutes: 240,
  reason: 'not acknowledged within 240 minutes',
};
const escalate = (to = ['li-na']): AlertRecordCommand => ({ type: 'EscalateAlert', data: { ...escalation, to }, metadata: meta });
const escalated: AlertRecordEvent = { type: 'AlertEscalated', data: escalation };

describe('alert record', () => {
  it('given a fresh alert: acknowledges it, and escalates it once someone is above', () => {
    record().when(acknowledge).then([acknowledged]);
    record().when(escalate()).then([escalated]);
    record().when(escalate([])).then([]);
  });
  it('given an acknowledged alert: refuses a second acknowledgement and never escalates', () => {
    record([acknowledged]).when(acknowledge).thenRefuses('ALERT_ALREADY_ACKNOWLEDGED');
    record([acknowledged]).when(escalate()).then([]);
  });
  it('given an escalated alert: still takes an acknowledgement, never escalates twice', () => {
    record([escalated]).when(acknowledge).then([acknowledged]);
    record([escalated]).when(escalate()).then([]);
  });
});

const reminder = (kind: 'due_soon' | 'overdue' | 'blocked_too_long', key: string): TaskReminderRaised['data'] => ({
  taskId: 't1',
  projectId: 'p1',
  kind,
  key,
  asOf: '2026-11-20',
  title: 'Call ACME',
  dueDate: '2026-11-21',
  assigneeId: 'wang-fang',
  days: 1,
});
const raise = (kind: 'due_soon' | 'overdue' | 'blocked_too_long', key: string): RaiseTaskReminder => ({
  type: 'RaiseTaskReminder',
  data: reminder(kind, key),
  metadata: meta,
});
const raised = (kind: 'due_soon' | 'overdue' | 'blocked_too_long', key: string): TaskReminderRaised => ({
  type: 'TaskReminderRaised',
  data: reminder(kind, key),
});

describe('task reminders', () => {
  it('given none: raises each kind', () => {
    for (const kind of ['due_soon', 'overdue', 'blocked_too_long'] as const)
      reminders()
        .when(raise(kind, '2026-11-21'))
        .then([raised(kind, '2026-11-21')]);
  });
  it('given one raised: the same kind and key again raises nothing; a new due date or another kind does', () => {
    reminders([raised('due_soon', '2026-11-21')])
      .when(raise('due_soon', '2026-11-21'))
      .then([]);
    reminders([raised('due_soon', '2026-11-21')])
      .when(raise('due_soon', '2026-11-28'))
      .then([raised('due_soon', '2026-11-28')]);
    reminders([raised('due_soon', '2026-11-21')])
      .when(raise('overdue', '2026-11-21'))
      .then([raised('overdue', '2026-11-21')]);
  });
});

const key = { deliveryId: '1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d', alertId, projectId: 'p1', subscriptionId: 's1' };
const deliver: DeliveryCommand = { type: 'RecordDelivery', data: { ...key, attempts: 2 }, metadata: meta };
const delivered: DeliveryEvent = { type: 'AlertDelivered', data: { ...key, attempts: 2 } };
const fail: DeliveryCommand = { type: 'RecordDeliveryFailure', data: { ...key, attempts: 6, error: 'HTTP 503' }, metadata: meta };
const failed: DeliveryEvent = { type: 'AlertDeliveryFailed', data: { ...key, attempts: 6, error: 'HTTP 503' } };
const retry: DeliveryCommand = { type: 'RequestDeliveryRetry', data: { ...key, note: 'endpoint fixed' }, metadata: meta };
const retried: DeliveryEvent = { type: 'AlertDeliveryRetryRequested', data: { ...key, note: 'endpoint fixed' } };

describe('deliveries', () => {
  it('given a pending delivery: records success or failure, refuses a retry', () => {
    deliveries().when(deliver).then([delivered]);
    deliveries().when(fail).then([failed]);
    deliveries().when(retry).thenRefuses('DELIVERY_NOT_FAILED');
  });
  it('given a delivered one: late outcomes record nothing, and it cannot be retried', () => {
    deliveries([delivered]).when(deliver).then([]);
    deliveries([delivered]).when(fail).then([]);
    deliveries([delivered]).when(retry).thenRefuses('DELIVERY_NOT_FAILED');
  });
  it('given a failed one: takes a retry, ignores a second failure report, still records a late success', () => {
    deliveries([failed]).when(retry).then([retried]);
    deliveries([failed]).when(fail).then([]);
    deliveries([failed]).when(deliver).then([delivered]);
  });
  it('given a retried one: is pending again, so it records a new outcome and refuses another retry', () => {
    deliveries([failed, retried]).when(fail).then([failed]);
    deliveries([failed, retried]).when(deliver).then([delivered]);
    deliveries([failed, retried]).when(retry).thenRefuses('DELIVERY_NOT_FAILED');
  });
});
