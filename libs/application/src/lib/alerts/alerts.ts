import type {
  AddAlertSubscriptionBody,
  ProjectRole,
  AlertRecordEvent,
  DeliveryEvent,
  SubscriptionEvent,
  TaskReminderRaised,
} from '@planledger/contracts';
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
  refuse,
  type AlertRecordCommand,
  type AlertRecordState,
  type DeliveryCommand,
  type DeliveryState,
  type GoalProgressDoc,
  type RaiseTaskReminder,
  type RemindersState,
  type Subscription,
  type SubscriptionCommand,
  type SubscriptionsState,
  type TaskCard,
} from '@planledger/domain';
import { comparePositions, type EventStore, type StoredEvent } from '@planledger/event-store';
import { projectionId, type ReadModelStore } from '@planledger/projections';
import { LRUCache } from 'lru-cache';
import { randomBytes, randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import { AggregateCache } from '../aggregate-cache';
import { CommandHandler, idFromIdempotencyKey, loadAggregate, type CommandResult, type Decider } from '../command-handler';
import type { Planning, RequestMetadata } from '../planning';
import { goalProgressProjection, projectionsReached, taskBoardProjection } from '../progress';
import { alertsProjection, deliveriesProjection, newAlertDoc, type AlertDoc, type DeliveryDoc } from './alert-projections';
import type { AlertView } from './alert-text';
import type { ChannelTarget } from './channels';
import { checkDestination, type OutboundPolicy } from './outbound-policy';
import { maskEmail, maskUrl, type SecretBox } from './secret-box';

export const subscriptionsStream = (projectId: string) => `alert-subscriptions-${projectId}`;
export const alertStream = (alertId: string) => `alert-${alertId}`;
export const remindersStream = (taskId: string) => `reminders-${taskId}`;
export const deliveryStream = (deliveryId: string) => `delivery-${deliveryId}`;

const DELIVERY_NAMESPACE = '3d0c6c52-8f0e-4f7e-a6a4-2b8e5b1d7c90';
/** One delivery per alert and subscription, with an id both the fan-out and the outcome derive alike. */
export const deliveryIdOf = (alertId: string, subscriptionId: string) => uuidv5(`${alertId}\n${subscriptionId}`, DELIVERY_NAMESPACE);

// These aggregates read nothing beyond their own stream: their deciders take no context.
const subscriptionsDecider: Decider<SubscriptionsState, SubscriptionEvent, SubscriptionCommand, undefined> = {
  initialState: initialSubscriptionsState(),
  evolve: evolveSubscriptions,
  decide: decideSubscriptions,
};
const alertRecordDecider: Decider<AlertRecordState, AlertRecordEvent, AlertRecordCommand, undefined> = {
  initialState: initialAlertRecordState,
  evolve: evolveAlertRecord,
  decide: decideAlertRecord,
};
const remindersDecider: Decider<RemindersState, TaskReminderRaised, RaiseTaskReminder, undefined> = {
  initialState: initialRemindersState(),
  evolve: evolveReminders,
  decide: decideReminder,
};
const deliveryDecider: Decider<DeliveryState, DeliveryEvent, DeliveryCommand, undefined> = {
  initialState: initialDeliveryState,
  evolve: evolveDelivery,
  decide: decideDelivery,
};

/** A subscription with its destination opened, for sending. */
export type Destination = Subscription & { target: ChannelTarget };

/** A subscription as lists show it: never its secret or its full URL. */
export type SubscriptionView = Omit<Subscription, 'sealedTarget'>;

function publicView(s: Subscription): SubscriptionView {
  return {
    subscriptionId: s.subscriptionId,
    channel: s.channel,
    label: s.label,
    language: s.language,
    mode: s.mode,
    targetHint: s.targetHint,
    escalations: s.escalations,
    active: s.active,
  };
}

/** What the caller may see in the inbox: everything (admins), a project's alerts (managers), their own (members). */
export interface InboxCaller {
  admin: boolean;
  grants: ReadonlyMap<string, { role: ProjectRole; memberId?: string }>;
}

export type DeliveryKey = { deliveryId: string; alertId: string; projectId: string; subscriptionId: string };

/**
 * Alert subscriptions, acknowledgements, escalations, task reminders and delivery outcomes: each
 * its own small stream, so the writers (managers, the worker's jobs) rarely meet.
 */
export class Alerts {
  private readonly commands: CommandHandler;
  private readonly alertsId = projectionId(alertsProjection);
  private readonly deliveriesId = projectionId(deliveriesProjection);
  private readonly titles = new LRUCache<string, string>({ max: 10_000 });
  private readonly opened = new LRUCache<string, { revision: number | undefined; value: Destination[] }>({ max: 1_000 });

  constructor(
    private readonly store: EventStore,
    private readonly models: ReadModelStore,
    private readonly planning: Planning,
    private readonly box: SecretBox | undefined,
    /** Where deliveries may go; a destination it refuses is refused when subscribed, not only when sent. */
    private readonly outbound: OutboundPolicy = { allowHttp: false, allow: [] },
  ) {
    // No aggregate cache: the API and the worker write these streams from different processes, and
    // a decision of "nothing to record" made on a stale cached state would never meet the store.
    this.commands = new CommandHandler(store, new AggregateCache(0));
  }

  /**
   * Adds a subscription. A webhook gets a signing secret made here and answered once; chat URLs
   * and secrets are sealed before they reach the log.
   */
  async addSubscription(
    projectId: string,
    body: AddAlertSubscriptionBody,
    metadata: RequestMetadata,
  ): Promise<{ subscription: SubscriptionView; secret?: string; result: CommandResult }> {
    await this.planning.project(projectId);
    if (!this.box)
      refuse(
        'NOTIFY_SECRET_KEY_MISSING',
        'alert subscriptions need NOTIFY_SECRET_KEY (32 characters or more) in the API and worker configuration, to seal their URLs and secrets',
      );
    const subscriptionId = metadata.idempotency
      ? idFromIdempotencyKey(metadata.actor, metadata.idempotency.key, `subscription#${projectId}`)
      : randomUUID();
    if (body.channel !== 'email') checkDestination(body.url, this.outbound);
    let target: ChannelTarget;
    let secret: string | undefined;
    if (body.channel === 'email') target = { to: body.to };
    else if (body.channel === 'webhook') {
      secret = `whsec_${randomBytes(24).toString('base64url')}`;
      target = { url: body.url, secret };
    } else target = { url: body.url, ...('secret' in body && body.secret ? { secret: body.secret } : {}) };
    const data = {
      projectId,
      subscriptionId,
      channel: body.channel,
      label: body.label ?? `${body.channel} ${'to' in target ? maskEmail(target.to) : maskUrl(target.url)}`,
      language: body.language,
      mode: body.mode,
      sealedTarget: this.box.seal(target),
      targetHint: 'to' in target ? maskEmail(target.to) : maskUrl(target.url),
      escalations: body.escalations,
    };
    const result = await this.commands.handle(
      subscriptionsStream(projectId),
      subscriptionsDecider,
      { type: 'AddAlertSubscription', data, metadata },
      async () => undefined,
      { projectId, metadata },
    );
    // A replayed keyed request answers the first subscription; its secret cannot be shown again.
    const first = result.events[0]?.data as typeof data | undefined;
    return {
      subscription: publicView({ ...(first ?? data), active: true }),
      ...(secret && first?.sealedTarget === data.sealedTarget ? { secret } : {}),
      result,
    };
  }

  removeSubscription(projectId: string, subscriptionId: string, reason: string, metadata: RequestMetadata): Promise<CommandResult> {
    return this.commands.handle(
      subscriptionsStream(projectId),
      subscriptionsDecider,
      { type: 'RemoveAlertSubscription', data: { projectId, subscriptionId, reason }, metadata },
      async () => undefined,
      {
        projectId,
        metadata,
      },
    );
  }

  async subscriptions(projectId: string): Promise<{ revision: number | undefined; subscriptions: SubscriptionView[] }> {
    const { state, revision } = await loadAggregate(this.store, subscriptionsStream(projectId), subscriptionsDecider);
    return { revision, subscriptions: [...state.subscriptions.values()].map(publicView) };
  }

  /** The project's active subscriptions with their destinations opened (the worker's fan-out). */
  /**
   * The project's active subscriptions with their destinations opened (the worker's fan-out and
   * deliveries). Opened once per revision of the subscriptions stream: a burst of messages costs one
   * cheap revision read each, and a change takes effect on the next message.
   */
  async destinations(projectId: string): Promise<Destination[]> {
    const stream = subscriptionsStream(projectId);
    const revision = await this.store.streamRevision(stream);
    const known = this.opened.get(projectId);
    if (known && known.revision === revision) return known.value;
    const { state, revision: read } = await loadAggregate(this.store, stream, subscriptionsDecider);
    const active = [...state.subscriptions.values()].filter((s) => s.active);
    if (active.length > 0 && !this.box) throw new Error('NOTIFY_SECRET_KEY is not set in this process: subscriptions cannot be opened');
    const value = active.map((s) => ({ ...s, target: (this.box as SecretBox).open<ChannelTarget>(s.sealedTarget) }));
    this.opened.set(projectId, { revision: read, value });
    return value;
  }

  async alert(alertId: string): Promise<AlertDoc | undefined> {
    return (await this.models.get(this.alertsId, alertId)) as AlertDoc | undefined;
  }

  async acknowledge(alertId: string, note: string, metadata: RequestMetadata): Promise<CommandResult> {
    const alert = await this.alert(alertId);
    if (!alert) refuse('ALERT_NOT_FOUND', `alert ${alertId} does not exist`);
    return this.commands.handle(
      alertStream(alertId),
      alertRecordDecider,
      { type: 'AcknowledgeAlert', data: { alertId, projectId: alert.projectId, note }, metadata },
      async () => undefined,
      {
        projectId: alert.projectId,
        metadata,
      },
    );
  }

  /**
   * Escalates an alert nobody acknowledged to the manager of the manager of whoever it concerns
   * (the goal's owner, the task's assignee), once. Nothing when it was acknowledged, escalated
   * already, or nobody stands two levels up.
   */
  async escalate(alert: AlertDoc, afterMinutes: number, metadata: RequestMetadata): Promise<CommandResult> {
    const concerned = await this.concernedMember(alert);
    const team = await this.planning.team(alert.projectId);
    const byId = new Map(team.members.map((m) => [m.memberId, m]));
    const manager = concerned ? byId.get(concerned)?.reportsTo : undefined;
    const above = manager ? byId.get(manager)?.reportsTo : undefined;
    const data = {
      alertId: alert.alertId,
      projectId: alert.projectId,
      alertType: alert.type,
      ...(alert.goalId ? { goalId: alert.goalId } : {}),
      ...(alert.taskId ? { taskId: alert.taskId } : {}),
      to: above ? [above] : [],
      afterMinutes,
      reason: `not acknowledged within ${afterMinutes} minutes`,
    };
    return this.commands.handle(
      alertStream(alert.alertId),
      alertRecordDecider,
      { type: 'EscalateAlert', data, metadata },
      async () => undefined,
      { projectId: alert.projectId, metadata },
    );
  }

  /** The member an alert is about: the goal's owner or the task's assignee. */
  async concernedMember(
    alert: Pick<AlertDoc, 'goalId' | 'taskId' | 'data'>,
    owners?: Map<string, Promise<string | undefined>>,
  ): Promise<string | undefined> {
    if (alert.goalId && owners) {
      // One read per goal for a whole inbox, however many alerts the goal raised.
      const goalId = alert.goalId;
      if (!owners.has(goalId)) owners.set(goalId, this.concernedMember({ goalId, taskId: null, data: {} }));
      return owners.get(goalId);
    }
    if (alert.goalId) {
      const doc = (await this.models.get(projectionId(goalProgressProjection), alert.goalId)) as GoalProgressDoc | undefined;
      const owner = doc?.definition.owner ?? (await this.planning.goal(alert.goalId)).state.definition?.owner;
      return owner?.kind === 'member' ? owner.memberId : undefined;
    }
    if (typeof alert.data['assigneeId'] === 'string') return alert.data['assigneeId'];
    return undefined;
  }

  raiseReminder(data: TaskReminderRaised['data'], metadata: RequestMetadata): Promise<CommandResult> {
    return this.commands.handle(
      remindersStream(data.taskId),
      remindersDecider,
      { type: 'RaiseTaskReminder', data, metadata },
      async () => undefined,
      { projectId: data.projectId, metadata },
    );
  }

  recordDelivered(key: DeliveryKey, attempts: number, metadata: RequestMetadata): Promise<CommandResult> {
    return this.commands.handle(
      deliveryStream(key.deliveryId),
      deliveryDecider,
      { type: 'RecordDelivery', data: { ...key, attempts }, metadata },
      async () => undefined,
      { projectId: key.projectId, metadata },
    );
  }

  /** Records the last failure of a delivery: our own words, a category and the receiver's status, never its answer. */
  recordFailed(
    key: DeliveryKey,
    attempts: number,
    failure: { error: string; category?: string; statusCode?: number },
    metadata: RequestMetadata,
  ): Promise<CommandResult> {
    const data = {
      ...key,
      attempts,
      error: failure.error.slice(0, 1000),
      ...(failure.category ? { category: failure.category.slice(0, 40) } : {}),
      ...(failure.statusCode ? { statusCode: failure.statusCode } : {}),
    };
    return this.commands.handle(
      deliveryStream(key.deliveryId),
      deliveryDecider,
      { type: 'RecordDeliveryFailure', data, metadata },
      async () => undefined,
      {
        projectId: key.projectId,
        metadata,
      },
    );
  }

  async requestRetry(projectId: string, deliveryId: string, note: string, metadata: RequestMetadata): Promise<CommandResult> {
    const doc = (await this.models.get(this.deliveriesId, deliveryId)) as DeliveryDoc | undefined;
    if (!doc || doc.projectId !== projectId) refuse('DELIVERY_NOT_FOUND', `delivery ${deliveryId} does not exist in project ${projectId}`);
    const key = { deliveryId, alertId: doc.alertId, projectId, subscriptionId: doc.subscriptionId };
    return this.commands.handle(
      deliveryStream(deliveryId),
      deliveryDecider,
      { type: 'RequestDeliveryRetry', data: { ...key, note }, metadata },
      async () => undefined,
      { projectId, metadata },
    );
  }

  /** The project's deliveries with that status (all: every one), newest first. */
  async deliveries(projectId: string, status: 'failed' | 'delivered' | 'pending' | 'all'): Promise<DeliveryDoc[]> {
    const docs = [...(await this.models.find(this.deliveriesId, 'projectId', projectId)).values()] as unknown as DeliveryDoc[];
    return docs.filter((d) => status === 'all' || d.status === status).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  /** The title of the goal or task an alert is about; titles never change, so they are remembered. */
  private async titleOf(alert: Pick<AlertDoc, 'goalId' | 'taskId' | 'alertId'>): Promise<string> {
    const key = alert.goalId ? `goal:${alert.goalId}` : alert.taskId ? `task:${alert.taskId}` : undefined;
    if (!key) return alert.alertId;
    const known = this.titles.get(key);
    if (known) return known;
    let title: string | undefined;
    if (alert.goalId) {
      const doc = (await this.models.get(projectionId(goalProgressProjection), alert.goalId)) as GoalProgressDoc | undefined;
      title = doc?.definition.title ?? (await this.planning.goal(alert.goalId).catch(() => undefined))?.state.definition?.title;
    } else if (alert.taskId) {
      const card = (await this.models.get(projectionId(taskBoardProjection), alert.taskId)) as TaskCard | undefined;
      title = card?.title;
    }
    if (title) this.titles.set(key, title);
    return title ?? alert.goalId ?? alert.taskId ?? alert.alertId;
  }

  /** An alert with the title of the goal or task it is about, for messages and the inbox. */
  /** Read-your-writes on the alerts and deliveries read models (an acknowledgement read right after it). */
  reached(position: string | undefined, timeoutMs = 2000): Promise<boolean> {
    return projectionsReached(this.models, this.store, [alertsProjection, deliveriesProjection], position, timeoutMs);
  }

  async view(alert: AlertDoc): Promise<AlertView> {
    const subject = typeof alert.data['title'] === 'string' ? alert.data['title'] : await this.titleOf(alert);
    // The goal's unit, so amounts print as amounts (¥92万, not 919354.84).
    const goal = alert.goalId
      ? ((await this.models.get(projectionId(goalProgressProjection), alert.goalId)) as GoalProgressDoc | undefined)
      : undefined;
    return {
      ...(goal ? { unit: goal.definition.kpi.unit } : {}),
      alertId: alert.alertId,
      type: alert.type,
      projectId: alert.projectId,
      ...(alert.goalId ? { goalId: alert.goalId } : {}),
      ...(alert.taskId ? { taskId: alert.taskId } : {}),
      subject,
      raisedAt: alert.raisedAt,
      data: alert.data,
    };
  }

  /**
   * Whether an alert is in the caller's inbox: admins see every alert; managers, every alert of
   * their projects; members, the alerts about their own goals and tasks and escalations sent to them.
   */
  async visibleTo(caller: InboxCaller, doc: AlertDoc, owners?: Map<string, Promise<string | undefined>>): Promise<boolean> {
    if (caller.admin) return true;
    const grant = caller.grants.get(doc.projectId);
    if (grant?.role === 'manager') return true;
    if (grant?.role !== 'member' || !grant.memberId) return false;
    if (doc.type === 'AlertEscalated') return (doc.data['to'] as string[]).includes(grant.memberId);
    return doc.escalation?.to.includes(grant.memberId) || (await this.concernedMember(doc, owners)) === grant.memberId;
  }

  /** The caller's inbox, newest first. */
  async inbox(caller: InboxCaller, filter: { acknowledged?: boolean; limit: number }) {
    const docs: AlertDoc[] = [];
    if (caller.admin) docs.push(...((await this.models.all(this.alertsId)).values() as unknown as Iterable<AlertDoc>));
    else {
      const owners = new Map<string, Promise<string | undefined>>();
      for (const [projectId, grant] of caller.grants) {
        if (grant.role !== 'manager' && grant.role !== 'member') continue;
        for (const doc of (await this.models.find(this.alertsId, 'projectId', projectId)).values() as unknown as Iterable<AlertDoc>)
          if (await this.visibleTo(caller, doc, owners)) docs.push(doc);
      }
    }
    const kept = docs
      .filter((d) => filter.acknowledged === undefined || (d.acknowledged !== null) === filter.acknowledged)
      .sort((a, b) => b.raisedAt.localeCompare(a.raisedAt) || comparePositions(b.position, a.position))
      .slice(0, filter.limit);
    return Promise.all(
      kept.map(async (doc) => ({ ...(await this.view(doc)), acknowledged: doc.acknowledged, escalation: doc.escalation })),
    );
  }

  /** The alerts among freshly appended events that belong in the caller's inbox (the inbox stream). */
  async inboxFilter(caller: InboxCaller, events: readonly StoredEvent[]) {
    const out = [];
    for (const event of events) {
      const doc = newAlertDoc(event);
      if (await this.visibleTo(caller, doc)) out.push({ ...(await this.view(doc)), acknowledged: null, escalation: null });
    }
    return out;
  }
}
