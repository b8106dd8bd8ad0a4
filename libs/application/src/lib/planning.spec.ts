import type { GoalDefinition, ProjectCharter } from '@planledger/contracts';
import { sampleCharter, sampleRevenueGoal } from '@planledger/contracts/testing';
import { DomainRuleViolation } from '@planledger/domain';
import { InMemoryEventStore } from '@planledger/event-store';
import { ConcurrencyConflict, IdempotencyKeyReused, PreconditionFailed } from './errors';
import { Planning, type RequestMetadata } from './planning';

const meta: RequestMetadata = { actor: 'user:li.na', now: '2026-11-20T09:30:00.000Z', correlationId: 'req-1' };
const charter: ProjectCharter = { ...sampleCharter, description: '' };
const goal: GoalDefinition = { ...sampleRevenueGoal, phasing: { kind: 'linear' } };

describe('planning use cases', () => {
  let store: InMemoryEventStore;
  let planning: Planning;
  beforeEach(async () => {
    store = new InMemoryEventStore();
    planning = new Planning(store);
    await planning.openProject('p1', charter, meta);
    await planning.setGoal('p1', 'g1', goal, meta);
  });

  it('appends each decided event with the actor, correlation id, project id and business time in its metadata', async () => {
    const result = await planning.changeGoal(
      'g1',
      { type: 'AdjustGoalTarget', data: { target: 3_200_000, reason: 'pipeline review' } },
      meta,
    );
    expect(result).toMatchObject({ streamId: 'goal-g1', revision: 1, events: [{ type: 'GoalTargetAdjusted' }] });
    const [, adjusted] = await store.readStream('goal-g1');
    expect(adjusted.metadata).toMatchObject({ actor: 'user:li.na', correlationId: 'req-1', projectId: 'p1', occurredAt: meta.now });
    expect(adjusted.position).toBe(result.position);
  });

  it('writes nothing and keeps the revision when the command decides nothing (a resent actual)', async () => {
    const actual = {
      type: 'RecordActual' as const,
      data: { actualId: 'a1', value: 5, businessDate: '2026-11-01', source: 'CRM', externalRef: 'crm-1' },
    };
    await planning.changeGoal('g1', actual, meta);
    const again = await planning.changeGoal('g1', { ...actual, data: { ...actual.data, actualId: 'a2' } }, meta);
    expect(again).toMatchObject({ revision: 1, position: undefined, events: [] });
    expect(await store.readStream('goal-g1')).toHaveLength(2);
  });

  it('applies a command pinned with If-Match only at that revision', async () => {
    await expect(
      planning.changeGoal('g1', { type: 'AdjustGoalTarget', data: { target: 1, reason: 'stale screen' } }, meta, 5),
    ).rejects.toBeInstanceOf(PreconditionFailed);
    await expect(
      planning.changeGoal('g1', { type: 'AdjustGoalTarget', data: { target: 1, reason: 'fresh screen' } }, meta, 0),
    ).resolves.toMatchObject({ revision: 1 });
  });

  it('applies every one of 50 concurrent adjustments exactly once, each rechecked on fresh state', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        planning.changeGoal('g1', { type: 'AdjustGoalTarget', data: { target: 1_000_000 + i, reason: `adjustment ${i}` } }, meta),
      ),
    );
    const stored = await store.readStream('goal-g1');
    expect(stored).toHaveLength(51);
    expect(new Set(stored.slice(1).map((e) => e.data['after'])).size).toBe(50);
    expect(results.map((r) => r.revision).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // Each adjustment records the target it actually replaced: the chain is unbroken.
    for (let i = 2; i < stored.length; i++) expect(stored[i].data['before']).toBe(stored[i - 1].data['after']);
  });

  it('lets exactly one of 50 concurrent adjustments pinned to the same revision through', async () => {
    const settled = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        planning.changeGoal('g1', { type: 'AdjustGoalTarget', data: { target: 1_000_000 + i, reason: `adjustment ${i}` } }, meta, 0),
      ),
    );
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    expect(settled.filter((s) => s.status === 'rejected' && s.reason instanceof PreconditionFailed)).toHaveLength(49);
    expect(await store.readStream('goal-g1')).toHaveLength(2);
  });

  it('refuses changes to unknown goals and goals of closed projects with the domain rule', async () => {
    await expect(planning.changeGoal('nope', { type: 'WithdrawGoal', data: { reason: 'not needed' } }, meta)).rejects.toMatchObject({
      code: 'GOAL_NOT_FOUND',
    });
    await planning.closeProject('p1', 'quarter ended', meta);
    const error = await planning.changeGoal('g1', { type: 'WithdrawGoal', data: { reason: 'not needed' } }, meta).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainRuleViolation);
    expect(error).toMatchObject({ code: 'PROJECT_CLOSED' });
  });

  it('answers a conflict when writers keep winning every race', async () => {
    // A store whose stream moves on between every load and append.
    const racing = new InMemoryEventStore();
    const planningOnRacing = new Planning(racing);
    await planningOnRacing.openProject('p1', charter, meta);
    const append = racing.appendToStream.bind(racing);
    racing.appendToStream = async (streamId, events, options) => {
      await append(
        'project-p1',
        [
          {
            type: 'ProjectCharterAmended',
            data: { projectId: 'p1', before: {}, after: {}, reason: 'noise' },
            metadata: { actor: 'other' },
          },
        ],
        { expected: 'any' },
      );
      return append(streamId, events, options);
    };
    await expect(planningOnRacing.amendProjectCharter('p1', { name: 'renamed' }, 'new name', meta)).rejects.toBeInstanceOf(
      ConcurrencyConflict,
    );
  });
});

describe('Idempotency-Key', () => {
  let store: InMemoryEventStore;
  let planning: Planning;
  const keyed = (key: string, requestHash = 'hash-a'): RequestMetadata => ({ ...meta, idempotency: { key, requestHash } });
  beforeEach(async () => {
    store = new InMemoryEventStore();
    planning = new Planning(store);
    await planning.openProject('p1', charter, meta);
    await planning.setGoal('p1', 'g1', goal, meta);
  });

  it('answers a repeated request with the first result and writes nothing new', async () => {
    const first = await planning.changeGoal('g1', { type: 'AdjustGoalTarget', data: { target: 3_300_000, reason: 'review' } }, keyed('k1'));
    const again = await planning.changeGoal('g1', { type: 'AdjustGoalTarget', data: { target: 3_300_000, reason: 'review' } }, keyed('k1'));
    expect(again).toEqual({ ...first, replayed: true });
    expect(await store.readStream('goal-g1')).toHaveLength(2);
  });

  it('refuses the same key with another request', async () => {
    await planning.changeGoal('g1', { type: 'AdjustGoalTarget', data: { target: 3_300_000, reason: 'review' } }, keyed('k1'));
    await expect(
      planning.changeGoal('g1', { type: 'AdjustGoalTarget', data: { target: 3_400_000, reason: 'review' } }, keyed('k1', 'hash-b')),
    ).rejects.toBeInstanceOf(IdempotencyKeyReused);
  });

  it('writes once when copies of one keyed request race each other', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        planning.changeGoal('g1', { type: 'AdjustGoalTarget', data: { target: 3_300_000, reason: 'review' } }, keyed('k2')),
      ),
    );
    expect(new Set(results.map((r) => r.position)).size).toBe(1);
    expect(await store.readStream('goal-g1')).toHaveLength(2);
  });

  it('scopes keys to their actor', async () => {
    await planning.changeGoal('g1', { type: 'AdjustGoalTarget', data: { target: 3_300_000, reason: 'review' } }, keyed('k3'));
    const other = await planning.changeGoal(
      'g1',
      { type: 'AdjustGoalTarget', data: { target: 3_400_000, reason: 'review' } },
      { ...keyed('k3', 'hash-b'), actor: 'user:chen' },
    );
    expect(other.revision).toBe(2);
  });
});

describe('the aggregate cache, with two processes writing to one store', () => {
  let store: InMemoryEventStore;
  let here: Planning;
  let there: Planning;
  const adjust = (target: number) => ({ type: 'AdjustGoalTarget' as const, data: { target, reason: `to ${target}` } });
  beforeEach(async () => {
    store = new InMemoryEventStore();
    here = new Planning(store);
    there = new Planning(store);
    await here.openProject('p1', charter, meta);
    await here.setGoal('p1', 'g1', goal, meta);
    await here.changeTeam(
      'p1',
      {
        type: 'JoinMember',
        data: { memberId: 'rep-1', name: 'Rep One', role: 'AE', responsibilities: [], skills: [], weeklyCapacityHours: 40 },
      },
      meta,
    );
  });

  it('writes a command on warm state in one append, without reading the store, carrying its context as conditions', async () => {
    await here.changeGoal('g1', adjust(1_000), meta);
    const reads = jest.spyOn(store, 'readStream');
    const appends = jest.spyOn(store, 'appendToStream');
    await here.changeGoal('g1', adjust(2_000), meta);
    expect(reads).not.toHaveBeenCalled();
    expect(appends).toHaveBeenCalledTimes(1);
    expect(appends.mock.calls[0][2]).toEqual({
      expected: 1,
      conditions: [
        { streamId: 'project-p1', revision: 0 },
        { streamId: 'team-p1', revision: 0 },
      ],
    });
  });

  it('decides again on the store state when another process changed the aggregate', async () => {
    await here.changeGoal('g1', adjust(1_000), meta);
    await there.changeGoal('g1', adjust(2_000), meta);
    const result = await here.changeGoal('g1', adjust(3_000), meta);
    expect(result).toMatchObject({ revision: 3, events: [{ type: 'GoalTargetAdjusted', data: { before: 2_000, after: 3_000 } }] });
  });

  it('refuses a command whose context another process changed (a project closed elsewhere)', async () => {
    await here.changeGoal('g1', adjust(1_000), meta);
    await there.closeProject('p1', 'quarter ended', meta);
    await expect(here.changeGoal('g1', adjust(2_000), meta)).rejects.toMatchObject({ code: 'PROJECT_CLOSED' });
    expect(await store.readStream('goal-g1')).toHaveLength(2);
  });

  it('confirms on the store state a refusal decided on cached context (a member who joined elsewhere)', async () => {
    const plan = { title: 'Call the top ten accounts', description: '', assigneeId: 'rep-2', dueDate: '2026-12-01' };
    await expect(here.planTask('p1', 't1', plan, meta)).rejects.toMatchObject({ code: 'ASSIGNEE_NOT_A_MEMBER' });
    await there.changeTeam(
      'p1',
      {
        type: 'JoinMember',
        data: { memberId: 'rep-2', name: 'Rep Two', role: 'AE', responsibilities: [], skills: [], weeklyCapacityHours: 40 },
      },
      meta,
    );
    await expect(here.planTask('p1', 't1', plan, meta)).resolves.toMatchObject({ revision: 0 });
  });

  it('applies If-Match against the store revision when the cached one lags behind', async () => {
    await here.changeGoal('g1', adjust(1_000), meta);
    const elsewhere = await there.changeGoal('g1', adjust(2_000), meta);
    await expect(here.changeGoal('g1', adjust(3_000), meta, elsewhere.revision)).resolves.toMatchObject({ revision: 3 });
    await expect(here.changeGoal('g1', adjust(4_000), meta, elsewhere.revision)).rejects.toBeInstanceOf(PreconditionFailed);
  });
});

describe('drift checks', () => {
  it('records a change of state once, however many checks race for it (duplicated jobs, two workers)', async () => {
    const store = new InMemoryEventStore();
    const setUp = new Planning(store);
    await setUp.openProject('p1', charter, meta);
    // sampleRevenueGoal runs October to December: 1,000 recorded by 20 November is far off pace.
    await setUp.setGoal('p1', 'g1', goal, meta);
    await setUp.changeGoal(
      'g1',
      { type: 'RecordActual', data: { actualId: 'a1', value: 1000, businessDate: '2026-11-19', source: 'CRM' } },
      meta,
    );
    const workers = [new Planning(store), new Planning(store), new Planning(store)];
    // Each decides the same change on the same revision; the store takes one append at it.
    const results = await Promise.allSettled(
      workers.flatMap((w) => [w.checkDrift('g1', '2026-11-20', meta), w.checkDrift('g1', '2026-11-20', meta)]),
    );
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const verdicts = (await store.readStream('drift-g1')).filter((e) =>
      ['KpiDriftDetected', 'KpiBackOnTrack', 'GoalWentStale'].includes(e.type),
    );
    expect(verdicts.map((e) => [e.type, e.data['from'], e.data['to'], e.data['asOf']])).toEqual([
      ['KpiDriftDetected', 'on_track', 'off_track', '2026-11-20'],
    ]);
    // The same check again, from a process that never saw it: nothing changed, nothing appended.
    expect(await new Planning(store).checkDrift('g1', '2026-11-20', meta)).toMatchObject({ events: [] });
  });

  it('records its verdicts beside the goal, so a manager’s If-Match on the goal still applies after a check', async () => {
    const store = new InMemoryEventStore();
    const planning = new Planning(store);
    await planning.openProject('p1', charter, meta);
    await planning.setGoal('p1', 'g1', goal, meta);
    const recorded = await planning.changeGoal(
      'g1',
      { type: 'RecordActual', data: { actualId: 'a1', value: 1000, businessDate: '2026-11-19', source: 'CRM' } },
      meta,
    );
    expect((await planning.checkDrift('g1', '2026-11-20', meta)).events.map((e) => e.type)).toEqual(['KpiDriftDetected']);
    expect((await planning.goal('g1')).revision).toBe(recorded.revision);
    const adjust = { type: 'AdjustGoalTarget' as const, data: { target: 2_500_000, reason: 'pipeline review' } };
    await expect(planning.changeGoal('g1', adjust, meta, recorded.revision)).resolves.toMatchObject({ events: [expect.anything()] });
    expect(await planning.driftOf('g1')).toMatchObject({ state: 'off_track', revision: 0 });
  });

  it('judges a parent on its children’s roll-up, checked when a child changes', async () => {
    const store = new InMemoryEventStore();
    const planning = new Planning(store);
    await planning.openProject('p1', charter, meta);
    await planning.setGoal('p1', 'team', goal, meta);
    for (const id of ['a', 'b'])
      await planning.setGoal('p1', id, { ...goal, target: 1_500_000, parentGoalId: 'team', relevance: undefined }, meta);
    await expect(
      planning.changeGoal(
        'team',
        { type: 'RecordActual', data: { actualId: 'x', value: 1, businessDate: '2026-11-19', source: 'CRM' } },
        meta,
      ),
    ).rejects.toMatchObject({ code: 'ACTUAL_ON_ROLLED_UP_GOAL' });
    // a: 1,400,000 (far ahead); b: 100,000 (far behind): the team's 1,500,000 by 20 November is on pace.
    await planning.changeGoal(
      'a',
      { type: 'RecordActual', data: { actualId: 'a1', value: 1_400_000, businessDate: '2026-11-19', source: 'CRM' } },
      meta,
    );
    await planning.changeGoal(
      'b',
      { type: 'RecordActual', data: { actualId: 'b1', value: 100_000, businessDate: '2026-11-19', source: 'CRM' } },
      meta,
    );
    expect(await planning.checkDriftUpwards('b', '2026-11-20', meta)).toEqual(['KpiDriftDetected']);
    expect(await planning.driftOf('team')).toMatchObject({ state: 'on_track' });
    expect(await planning.driftOf('b')).toMatchObject({ state: 'off_track' });
  });

  it('judges a goal it holds in its cache on the actuals another process recorded since', async () => {
    const store = new InMemoryEventStore();
    const [api, worker] = [new Planning(store), new Planning(store)];
    await api.openProject('p1', charter, meta);
    await api.setGoal('p1', 'g1', goal, meta);
    await api.changeGoal(
      'g1',
      { type: 'RecordActual', data: { actualId: 'a1', value: 1000, businessDate: '2026-11-19', source: 'CRM' } },
      meta,
    );
    expect((await worker.checkDrift('g1', '2026-11-20', meta)).events.map((e) => e.type)).toEqual(['KpiDriftDetected']);
    // The worker holds the goal, off track, in its cache. The API records the rest of the pace.
    await api.changeGoal(
      'g1',
      { type: 'RecordActual', data: { actualId: 'a2', value: 2_999_000, businessDate: '2026-11-20', source: 'CRM' } },
      meta,
    );
    expect((await worker.checkDrift('g1', '2026-11-20', meta)).events).toEqual([
      { type: 'KpiBackOnTrack', data: expect.objectContaining({ from: 'off_track', actualToDate: 3_000_000 }) },
    ]);
  });
});

describe('the SMART check’s history', () => {
  it('judges a new goal without a baseline against the final result of the same KPI in a closed project', async () => {
    const store = new InMemoryEventStore();
    const planning = new Planning(store);
    await planning.openProject('q3', { ...charter, periodStart: '2026-07-01', periodEnd: '2026-09-30' }, meta);
    const q3Goal = { ...goal, baseline: 0, startDate: '2026-07-01', deadline: '2026-09-30' };
    await planning.setGoal('q3', 'q3-revenue', q3Goal, meta);
    await planning.changeGoal(
      'q3-revenue',
      { type: 'RecordActual', data: { actualId: 'a1', value: 500_000, businessDate: '2026-09-15', source: 'CRM' } },
      meta,
    );
    await planning.closeProject('q3', 'quarter over', meta);
    await planning.openProject('q4', charter, meta);
    await planning.setGoal('q4', 'q4-revenue', { ...goal, baseline: 0 }, meta);
    const [set] = await planning.projectGoals('q4');
    expect(set?.smart?.achievable).toEqual({ ok: false, reason: 'target 3000000 is more than 3× the best similar result 500000' });
  });
});
