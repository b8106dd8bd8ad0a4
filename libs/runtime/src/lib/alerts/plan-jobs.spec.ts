import type { StoredEvent } from '@planledger/event-store';
import { planJobs, type DispatchSettings } from './plan-jobs';

const NOW = Date.parse('2026-11-27T08:00:00.000Z');
const settings: DispatchSettings = { debounceMs: 2000, escalateAfterMinutes: 60, maxAgeHours: 24 };
let position = 0;
const event = (
  type: string,
  data: Record<string, unknown>,
  recordedAt = new Date(NOW).toISOString(),
  eventId = `00000000-0000-4000-8000-${String(++position).padStart(12, '0')}`,
): StoredEvent =>
  ({
    eventId,
    type,
    schemaVersion: 1,
    data,
    metadata: { actor: 'user:x', correlationId: 'c', occurredAt: recordedAt, projectId: 'p1' },
    streamId: `s-${position}`,
    revision: 0,
    position: `${String(position).padStart(20, '0')}-${String(position).padStart(20, '0')}`,
    recordedAt,
  }) as StoredEvent;

describe('planJobs', () => {
  it('checks every goal changed in a window with one job at the window’s end', () => {
    const at = (ms: number) => new Date(NOW + ms).toISOString();
    const page = [
      event('ActualRecorded', { goalId: 'g1' }, at(100)),
      event('ActualRecorded', { goalId: 'g1' }, at(1500)),
      event('ActualRecorded', { goalId: 'g1' }, at(2100)),
      event('ActualCorrected', { goalId: 'g2' }, at(100)),
    ];
    const jobs = planJobs(page, settings, NOW + 200);
    const window = Math.floor((NOW + 100) / 2000);
    const pageKey = `${page[0].position}.${page[3].position}`;
    expect(jobs.map((j) => [j.opts.jobId, j.job.data, j.opts.delay])).toEqual([
      [
        `checks.${window}.${pageKey}.0`,
        {
          goals: [
            { goalId: 'g1', projectId: 'p1' },
            { goalId: 'g2', projectId: 'p1' },
          ],
        },
        (window + 1) * 2000 - (NOW + 200),
      ],
      [`checks.${window + 1}.${pageKey}.0`, { goals: [{ goalId: 'g1', projectId: 'p1' }] }, (window + 2) * 2000 - (NOW + 200)],
    ]);
    expect(jobs.every((j) => j.queue === 'checks' && j.job.name === 'checks' && j.opts.removeOnComplete === true)).toBe(true);
  });

  it('plans the same jobs with the same ids when the same page is planned again', () => {
    const page = [event('GoalSet', { goalId: 'g1' }), event('KpiDriftDetected', { goalId: 'g1', to: 'off_track' })];
    expect(planJobs(page, settings, NOW + 5)).toEqual(planJobs(page, settings, NOW + 5));
    expect(planJobs(page, { ...settings, debounceMs: 0 }, NOW).map((j) => [j.opts.jobId, j.opts.delay])).toEqual([
      [`fanout.${page[1].eventId}`, undefined],
      [`escalate.${page[1].eventId}`, 60 * 60_000 + Date.parse(page[1].recordedAt) - NOW],
      [`checks.now.${page[0].position}.${page[1].position}.0`, 0],
    ]);
  });

  it('splits a window with many goals into jobs of at most 50 goals', () => {
    const page = Array.from({ length: 120 }, (_, i) => event('ActualRecorded', { goalId: `g${i}` }));
    const jobs = planJobs(page, settings, NOW);
    expect(jobs.map((j) => (j.job.data as { goals: unknown[] }).goals.length)).toEqual([50, 50, 20]);
    expect(new Set(jobs.flatMap((j) => (j.job.data as { goals: { goalId: string }[] }).goals.map((g) => g.goalId))).size).toBe(120);
  });

  it('fans out every alert, escalates drift, stale and overdue or blocked reminders after the set time, and never a due-soon one', () => {
    const recorded = new Date(NOW - 10 * 60_000).toISOString();
    const drift = event('KpiDriftDetected', { goalId: 'g1', to: 'at_risk' }, recorded);
    const stale = event('GoalWentStale', { goalId: 'g2' }, recorded);
    const back = event('KpiBackOnTrack', { goalId: 'g3' }, recorded);
    const dueSoon = event('TaskReminderRaised', { taskId: 't1', projectId: 'p1', kind: 'due_soon' }, recorded);
    const overdue = event('TaskReminderRaised', { taskId: 't2', projectId: 'p1', kind: 'overdue' }, recorded);
    const jobs = planJobs([drift, stale, back, dueSoon, overdue], settings, NOW);
    expect(jobs.filter((j) => j.job.name === 'fanout').map((j) => j.opts.jobId)).toEqual(
      [drift, stale, back, dueSoon, overdue].map((e) => `fanout.${e.eventId}`),
    );
    expect(jobs.filter((j) => j.job.name === 'escalate').map((j) => [j.opts.jobId, j.opts.delay])).toEqual(
      [drift, stale, overdue].map((e) => [`escalate.${e.eventId}`, 50 * 60_000]),
    );
    expect(planJobs([drift], { ...settings, escalateAfterMinutes: 0 }, NOW).map((j) => j.job.name)).toEqual(['fanout']);
  });

  it('plans nothing for alerts and goal changes older than the age limit (a first start on a long log, a restore)', () => {
    const longAgo = new Date(NOW - 25 * 3_600_000).toISOString();
    expect(
      planJobs(
        [event('KpiDriftDetected', { goalId: 'g1', to: 'off_track' }, longAgo), event('ActualRecorded', { goalId: 'g1' }, longAgo)],
        settings,
        NOW,
      ),
    ).toEqual([]);
    expect(planJobs([event('ActualRecorded', { goalId: 'g1' }, new Date(NOW - 23 * 3_600_000).toISOString())], settings, NOW)).toHaveLength(
      1,
    );
  });

  it('delivers a failed delivery again when a retry is asked, once per request', () => {
    const data = { deliveryId: 'd1', alertId: 'a1', projectId: 'p1', subscriptionId: 's1', note: '' };
    const [first, second] = [event('AlertDeliveryRetryRequested', data), event('AlertDeliveryRetryRequested', data)];
    expect(planJobs([first, second], settings, NOW)).toEqual([
      {
        queue: 'deliveries',
        job: { name: 'deliver', data: { key: { deliveryId: 'd1', alertId: 'a1', projectId: 'p1', subscriptionId: 's1' } } },
        opts: { jobId: `deliver.d1.${first.eventId}` },
      },
      {
        queue: 'deliveries',
        job: { name: 'deliver', data: { key: { deliveryId: 'd1', alertId: 'a1', projectId: 'p1', subscriptionId: 's1' } } },
        opts: { jobId: `deliver.d1.${second.eventId}` },
      },
    ]);
  });

  it('checks a goal again when a child goal is withdrawn or its rollup changes: the parent’s roll-up moved', () => {
    const jobs = planJobs(
      [
        event('GoalWithdrawn', { goalId: 'g1' }),
        event('GoalRollupChanged', { goalId: 'g2', before: 'sum', after: 'min', reason: 'weakest' }),
      ],
      { ...settings, debounceMs: 0 },
      NOW,
    );
    expect(JSON.stringify(jobs)).toContain('g1');
    expect(JSON.stringify(jobs)).toContain('g2');
  });

  it('ignores events it has nothing to do for', () => {
    expect(planJobs([event('TaskStarted', { taskId: 't1' }), event('MemberJoined', { memberId: 'm1' })], settings, NOW)).toEqual([]);
  });
});
