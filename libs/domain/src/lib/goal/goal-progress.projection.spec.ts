import type { GoalEvent } from '@planledger/contracts';
import fc from 'fast-check';
import { revenueGoal } from '../testing/fixtures';
import { evolveGoal, foldGoal, initialGoalState } from './goal.decider';
import { evolveGoalProgress, evolveGoalProgressInPlace, progressSeries, type GoalProgressDoc } from './goal-progress.projection';

const smart = {
  specific: { ok: true },
  measurable: { ok: true },
  achievable: { ok: true },
  relevant: { ok: true },
  timeBound: { ok: true },
};
const goalSet: GoalEvent = { type: 'GoalSet', data: { goalId: 'g1', projectId: 'p1', ...revenueGoal, smart } };
const day = fc.integer({ min: 1, max: 28 }).map((d) => `2026-11-${String(d).padStart(2, '0')}`);
const reason = 'because';

/** Any sequence of the changes a goal can go through after it is set. */
const change: fc.Arbitrary<GoalEvent> = fc.oneof(
  fc
    .integer({ min: 1, max: 10_000_000 })
    .map((after): GoalEvent => ({ type: 'GoalTargetAdjusted', data: { goalId: 'g1', before: 0, after, reason } })),
  day.map((after): GoalEvent => ({ type: 'GoalDeadlineMoved', data: { goalId: 'g1', before: '2026-12-31', after, reason } })),
  fc.constantFrom('rep-1', 'rep-2').map((memberId): GoalEvent => ({
    type: 'GoalOwnerChanged',
    data: { goalId: 'g1', before: { kind: 'team' }, after: { kind: 'member', memberId }, reason },
  })),
  fc.constant<GoalEvent>({ type: 'GoalRephased', data: { goalId: 'g1', before: { kind: 'linear' }, after: { kind: 'linear' }, reason } }),
  fc.constant<GoalEvent>({ type: 'GoalWithdrawn', data: { goalId: 'g1', reason } }),
  fc
    .tuple(fc.constantFrom('a1', 'a2', 'a3', 'a4'), fc.integer({ min: -1000, max: 100_000 }), day)
    .map(([actualId, value, businessDate]): GoalEvent => ({
      type: 'ActualRecorded',
      data: { goalId: 'g1', actualId, value, businessDate, source: 'CRM' },
    })),
  fc
    .tuple(fc.constantFrom('a1', 'a2', 'a3', 'a4', 'missing'), fc.integer({ min: 0, max: 100_000 }))
    .map(([actualId, after]): GoalEvent => ({ type: 'ActualCorrected', data: { goalId: 'g1', actualId, before: 0, after, reason } })),
);

describe('goal progress projection', () => {
  it('equals the goal aggregate folded from scratch, for any sequence of changes, applied one by one or at once', () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 40 }), (changes) => {
        const events = [goalSet, ...changes];
        const doc = events.reduce<GoalProgressDoc | undefined>(evolveGoalProgress, undefined);
        // In place on an owned copy, as the runner applies a batch, it ends the same and leaves
        // the document it started from untouched.
        const start = events.slice(0, 1 + Math.floor(events.length / 2)).reduce<GoalProgressDoc | undefined>(evolveGoalProgress, undefined);
        const frozen = JSON.stringify(start);
        const owned = start === undefined ? undefined : (JSON.parse(frozen) as GoalProgressDoc);
        expect(events.slice(1 + Math.floor(events.length / 2)).reduce(evolveGoalProgressInPlace, owned)).toEqual(doc);
        expect(JSON.stringify(start)).toBe(frozen);
        const byOne = events.reduce(evolveGoal, initialGoalState);
        const atOnce = foldGoal(initialGoalState, events);
        for (const state of [byOne, atOnce]) {
          expect(doc?.status).toBe(state.status);
          expect(doc?.definition).toEqual(state.definition);
          expect(doc?.actuals).toEqual(
            Object.fromEntries([...state.actuals].map(([id, a]) => [id, { value: a.value, businessDate: a.businessDate }])),
          );
        }
        // JSON all the way: what the runner stores is what it folds.
        expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
      }),
      { numRuns: 300 },
    );
  });

  it('ignores changes to a goal it never saw set', () => {
    expect(evolveGoalProgress(undefined, { type: 'GoalWithdrawn', data: { goalId: 'g1', reason } })).toBeUndefined();
  });

  it('draws the daily series of actual and expected from the start to the day asked, at most the deadline', () => {
    const goal = { ...revenueGoal, phasing: { kind: 'linear' as const }, startDate: '2026-11-01', deadline: '2026-11-10', target: 1000 };
    const series = progressSeries(
      goal,
      [
        { value: 100, businessDate: '2026-11-02' },
        { value: 50, businessDate: '2026-11-02' },
        { value: 200, businessDate: '2026-11-04' },
      ],
      '2026-11-05',
    );
    expect(series.map((p) => p.date)).toEqual(['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05']);
    expect(series.map((p) => p.actual)).toEqual([0, 150, 150, 350, 350]);
    expect(series.map((p) => p.expected)).toEqual([100, 200, 300, 400, 500]);
    expect(progressSeries(goal, [], '2026-12-31')).toHaveLength(10);
    expect(progressSeries(goal, [], '2026-10-01')).toEqual([]);
  });
});
