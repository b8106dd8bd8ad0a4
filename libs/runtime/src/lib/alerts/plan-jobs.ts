import { newAlertDoc } from '@planledger/application';
import { ALERT_EVENT_TYPES } from '@planledger/contracts';
import type { StoredEvent } from '@planledger/event-store';
import { CHECKS_QUEUE, DELIVERIES_QUEUE, type PlannedJob } from './alert-queues';

/** Goal events after which the goal's drift state may have changed. */
export const DRIFT_TRIGGERS = [
  'GoalSet',
  'GoalTargetAdjusted',
  'GoalDeadlineMoved',
  'GoalRephased',
  'GoalRollupChanged',
  'GoalWithdrawn',
  'ActualRecorded',
  'ActualCorrected',
] as const;
/** Alerts that escalate when nobody acknowledges them. Back-on-track news and due-soon reminders do not. */
const ESCALATING = new Set(['KpiDriftDetected', 'GoalWentStale']);

/** Goals one check job judges at most. */
export const GOALS_PER_CHECK_JOB = 50;

/** Every event type the dispatcher acts on. */
export const DISPATCHED_TYPES: readonly string[] = [...DRIFT_TRIGGERS, ...ALERT_EVENT_TYPES, 'AlertDeliveryRetryRequested'];

export interface DispatchSettings {
  /** Actuals of one goal within this window share a check; 0: one check per event. */
  debounceMs: number;
  /** 0: never escalate. */
  escalateAfterMinutes: number;
  /** Alerts recorded longer ago are not sent, and older goal changes get no check of their own. */
  maxAgeHours: number;
}

/**
 * The jobs a page of committed events calls for, each with an id derived from the event, so the
 * same page planned again (a dispatcher that stopped before saving its checkpoint) adds nothing new:
 * - goal changes: drift checks, debounced per window (one job per window and page checks every
 *   goal changed in it, at the window's end); changes older than the age limit are left to the
 *   scheduled scan;
 * - an alert (drift, stale, reminder, escalation): a fan-out to the project's subscriptions, and for
 *   drift and stale alerts an escalation check after the configured time;
 * - a retry asked for a failed delivery: that delivery again.
 * BullMQ job ids may not hold ":", so the parts are joined with ".".
 */
export function planJobs(events: readonly StoredEvent[], settings: DispatchSettings, nowMs: number): PlannedJob[] {
  const jobs = new Map<string, PlannedJob>();
  /** Goals to check per debounce window: one job checks them all, at the window's end. */
  const windows = new Map<string, { runAt: number; goals: Map<string, string | undefined> }>();
  for (const event of events) {
    const recordedMs = Date.parse(event.recordedAt);
    if ((DRIFT_TRIGGERS as readonly string[]).includes(event.type)) {
      // Older changes (a first start on a long log, a restore) are left to the scheduled scan, which
      // checks every active goal once instead of once per historical window.
      if (nowMs - recordedMs > settings.maxAgeHours * 3_600_000) continue;
      const bucket = settings.debounceMs > 0 ? String(Math.floor(recordedMs / settings.debounceMs)) : 'now';
      const runAt = settings.debounceMs > 0 ? (Number(bucket) + 1) * settings.debounceMs : nowMs;
      const window = windows.get(bucket) ?? { runAt, goals: new Map() };
      window.goals.set(String(event.data['goalId']), typeof event.metadata.projectId === 'string' ? event.metadata.projectId : undefined);
      windows.set(bucket, window);
    } else if ((ALERT_EVENT_TYPES as readonly string[]).includes(event.type)) {
      if (nowMs - recordedMs > settings.maxAgeHours * 3_600_000) continue;
      const alert = newAlertDoc(event);
      jobs.set(`fanout.${event.eventId}`, {
        queue: DELIVERIES_QUEUE,
        job: { name: 'fanout', data: { alert } },
        opts: { jobId: `fanout.${event.eventId}` },
      });
      const escalates = ESCALATING.has(event.type) || (event.type === 'TaskReminderRaised' && event.data['kind'] !== 'due_soon');
      if (escalates && settings.escalateAfterMinutes > 0) {
        const delay = Math.max(0, recordedMs + settings.escalateAfterMinutes * 60_000 - nowMs);
        jobs.set(`escalate.${event.eventId}`, {
          queue: CHECKS_QUEUE,
          job: { name: 'escalate', data: { alertId: event.eventId } },
          opts: { jobId: `escalate.${event.eventId}`, delay },
        });
      }
    } else if (event.type === 'AlertDeliveryRetryRequested') {
      const { deliveryId, alertId, projectId, subscriptionId } = event.data as Record<string, string>;
      const jobId = `deliver.${deliveryId}.${event.eventId}`;
      jobs.set(jobId, {
        queue: DELIVERIES_QUEUE,
        job: { name: 'deliver', data: { key: { deliveryId, alertId, projectId, subscriptionId } } },
        opts: { jobId },
      });
    }
  }
  // Named by the window and the page, so planning the same page again adds nothing; removed once
  // done, so a later page's changes in the same window get a check of their own.
  const page = events.length > 0 ? `${events[0].position}.${events[events.length - 1].position}` : '';
  for (const [bucket, window] of windows) {
    const goals = [...window.goals].map(([goalId, projectId]) => (projectId ? { goalId, projectId } : { goalId }));
    // At most GOALS_PER_CHECK_JOB a job, so a worker that dies mid-job holds few goals back.
    for (let part = 0; part * GOALS_PER_CHECK_JOB < goals.length; part++) {
      const jobId = `checks.${bucket}.${page}.${part}`;
      const slice = goals.slice(part * GOALS_PER_CHECK_JOB, (part + 1) * GOALS_PER_CHECK_JOB);
      jobs.set(jobId, {
        queue: CHECKS_QUEUE,
        job: { name: 'checks', data: { goals: slice } },
        opts: { jobId, delay: Math.max(0, window.runAt - nowMs), removeOnComplete: true },
      });
    }
  }
  return [...jobs.values()];
}
