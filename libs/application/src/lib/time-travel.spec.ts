import { sampleCharter, sampleRevenueGoal } from '@planledger/contracts/testing';
import { InMemoryEventStore } from '@planledger/event-store';
import { Planning, type RequestMetadata } from './planning';
import { PlanTimeline, SNAPSHOT_EVERY, planAsOf } from './time-travel';

describe('the plan as it stood, and what changed between two moments', () => {
  let clock = Date.parse('2026-10-01T09:00:00Z');
  const at = (iso: string) => (clock = Date.parse(iso));
  const store = new InMemoryEventStore({ defaults: { now: () => new Date(clock), newEventId: () => crypto.randomUUID() } });
  const planning = new Planning(store);
  const meta = (actor = 'user:li.na'): RequestMetadata => ({ actor, now: new Date(clock).toISOString(), correlationId: 'c' });
  const member = (memberId: string) => ({
    type: 'JoinMember' as const,
    data: { memberId, name: memberId, role: 'Account executive', responsibilities: [], skills: [], weeklyCapacityHours: 40 },
  });

  beforeAll(async () => {
    at('2026-10-01T09:00:00Z');
    await planning.openProject('p1', { ...sampleCharter, description: '' }, meta());
    await planning.setGoal('p1', 'g1', sampleRevenueGoal, meta());
    await planning.changeTeam('p1', member('rep-1'), meta());
    await planning.changeTeam('p1', member('rep-2'), meta());
    at('2026-10-15T09:00:00Z');
    await planning.changeGoal(
      'g1',
      { type: 'AdjustGoalTarget', data: { target: 3_300_000, reason: 'pipeline review' } },
      meta('user:wang'),
    );
    await planning.planTask(
      'p1',
      't1',
      { title: 'Call the top accounts', description: '', dueDate: '2026-11-01', assigneeId: 'rep-1' },
      meta(),
    );
    at('2026-11-02T09:00:00Z');
    await planning.changeTask('t1', { type: 'AssignTask', data: { assigneeId: 'rep-2', reason: 'rep-1 is on leave' } }, meta());
    await planning.changeTask(
      't1',
      { type: 'MoveTaskDueDate', data: { dueDate: '2026-11-20', reason: 'customer asked for later' } },
      meta(),
    );
    await planning.changeTeam(
      'p1',
      { type: 'MemberLeaves', data: { memberId: 'rep-1', handOverTo: 'rep-2', reason: 'moved to north team' } },
      meta(),
    );
    await planning.changeGoal('g1', { type: 'WithdrawGoal', data: { reason: 'merged into the national goal' } }, meta());
  });

  it('answers the plan as the system knew it at each moment', async () => {
    const early = await planning.planAsOf('p1', '2026-10-10T00:00:00Z');
    expect(early.goals).toEqual([expect.objectContaining({ goalId: 'g1', target: 3_000_000, status: 'active' })]);
    expect(early.tasks).toEqual([]);
    expect(early.members.map((m) => m.memberId)).toEqual(['rep-1', 'rep-2']);

    const middle = await planning.planAsOf('p1', '2026-10-20T00:00:00Z');
    expect(middle.goals[0]).toMatchObject({ target: 3_300_000, status: 'active' });
    expect(middle.tasks).toEqual([expect.objectContaining({ taskId: 't1', assigneeId: 'rep-1', dueDate: '2026-11-01' })]);

    const late = await planning.planAsOf('p1', '2026-11-05T00:00:00Z');
    expect(late.goals[0]).toMatchObject({ status: 'withdrawn' });
    expect(late.tasks[0]).toMatchObject({ assigneeId: 'rep-2', dueDate: '2026-11-20' });
    expect(late.members.map((m) => m.memberId)).toEqual(['rep-2']);

    const before = await planning.planAsOf('p1', '2026-09-01T00:00:00Z');
    expect(before).toMatchObject({ status: 'none', goals: [], tasks: [], members: [], position: null });
  });

  it('lists every change between two moments with the reasons recorded in between', async () => {
    const diff = await planning.planDiff('p1', '2026-10-10T00:00:00Z', '2026-11-05T00:00:00Z');
    expect(diff.goals).toEqual([
      {
        id: 'g1',
        change: 'withdrawn',
        reasons: [
          expect.objectContaining({ reason: 'pipeline review', actor: 'user:wang' }),
          expect.objectContaining({ reason: 'merged into the national goal' }),
        ],
      },
      expect.objectContaining({ id: 'g1', change: 'retargeted', before: 3_000_000, after: 3_300_000 }),
    ]);
    expect(diff.tasks).toEqual([
      expect.objectContaining({ id: 't1', change: 'added', after: expect.objectContaining({ assigneeId: 'rep-2' }) }),
    ]);
    expect(diff.tasks[0].reasons.map((r) => r.reason)).toEqual(['rep-1 is on leave', 'customer asked for later']);
    expect(diff.members).toEqual([
      {
        id: 'rep-1',
        change: 'left',
        before: expect.objectContaining({ memberId: 'rep-1' }),
        reasons: [expect.objectContaining({ reason: 'moved to north team' })],
      },
    ]);

    const later = await planning.planDiff('p1', '2026-10-20T00:00:00Z', '2026-11-05T00:00:00Z');
    expect(later.tasks.map((t) => t.change)).toEqual(['reassigned', 're-dated']);
    expect(later.tasks[0]).toMatchObject({ before: 'rep-1', after: 'rep-2' });
  });
});

describe('snapshots of the plan timeline', () => {
  it('answers every moment exactly as a fold from scratch, while reading only what follows its latest snapshot', async () => {
    let clock = Date.parse('2026-10-01T00:00:00Z');
    const store = new InMemoryEventStore({ defaults: { now: () => new Date(clock), newEventId: () => crypto.randomUUID() } });
    const planning = new Planning(store);
    const meta = (): RequestMetadata => ({ actor: 'user:li.na', now: new Date(clock).toISOString(), correlationId: 'c' });
    await planning.openProject('p1', { ...sampleCharter, description: '' }, meta());
    await planning.changeTeam(
      'p1',
      {
        type: 'JoinMember',
        data: { memberId: 'rep-1', name: 'Rep', role: 'AE', responsibilities: [], skills: [], weeklyCapacityHours: 40 },
      },
      meta(),
    );
    await planning.changeTeam(
      'p1',
      {
        type: 'JoinMember',
        data: { memberId: 'rep-2', name: 'Rep', role: 'AE', responsibilities: [], skills: [], weeklyCapacityHours: 40 },
      },
      meta(),
    );
    const tasks = Math.ceil((SNAPSHOT_EVERY * 4.5) / 3);
    for (let i = 0; i < tasks; i++) {
      // A minute passes per command; every 97th is recorded earlier than the one before it, as a
      // long append transaction that commits late would be.
      clock += i % 97 === 0 ? -90_000 : 60_000;
      await planning.planTask('p1', `t${i}`, { title: `Task ${i}`, description: '', dueDate: '2026-11-01', assigneeId: 'rep-1' }, meta());
      await planning.changeTask(`t${i}`, { type: 'AssignTask', data: { assigneeId: 'rep-2', reason: 'balance' } }, meta());
      await planning.changeTask(`t${i}`, { type: 'MoveTaskDueDate', data: { dueDate: '2026-11-20', reason: 'later' } }, meta());
    }
    let read = 0;
    const counting = Object.assign(Object.create(store) as InMemoryEventStore, {
      readAll: async (...args: Parameters<InMemoryEventStore['readAll']>) => {
        const page = await store.readAll(...args);
        read += page.events.length;
        return page;
      },
    });
    const timeline = new PlanTimeline(counting);
    const end = clock;
    const last = await timeline.planAsOf('p1', new Date(end).toISOString());
    expect(last.tasks).toHaveLength(tasks);
    const moments = Array.from(
      { length: 40 },
      (_, i) => Date.parse('2026-10-01T00:00:00Z') + Math.round(((end - Date.parse('2026-10-01T00:00:00Z')) * ((i * 37) % 41)) / 40),
    );
    for (const moment of moments) {
      const asOf = new Date(moment).toISOString();
      expect(await timeline.planAsOf('p1', asOf)).toEqual(await planAsOf(store, 'p1', asOf));
    }
    // Warm, the last moment folds only the events after the latest snapshot.
    read = 0;
    await timeline.planAsOf('p1', new Date(end).toISOString());
    expect(read).toBeLessThan(SNAPSHOT_EVERY);
    expect(read).toBeGreaterThan(0);
  }, 60_000);
});
