import type { GoalEvent } from '@planledger/contracts';
import { revenueGoal } from '../testing/fixtures';
import { evolveGoal, initialGoalState } from './goal.decider';
import { checkDecomposition } from './decomposition.policy';

const smart = {
  specific: { ok: true },
  measurable: { ok: true },
  achievable: { ok: true },
  relevant: { ok: true },
  timeBound: { ok: true },
};
const goal = (goalId: string, target: number, withdrawn = false) =>
  [
    { type: 'GoalSet', data: { goalId, projectId: 'p1', ...revenueGoal, target, smart } } as GoalEvent,
    ...(withdrawn ? [{ type: 'GoalWithdrawn', data: { goalId, reason: 'merged elsewhere' } } as GoalEvent] : []),
  ].reduce(evolveGoal, initialGoalState);

describe('decomposition check', () => {
  it('says how far the active children fall short of the parent, ignoring withdrawn ones', () => {
    expect(checkDecomposition(goal('g1', 3_000_000), [goal('a', 1_000_000), goal('b', 1_500_000), goal('c', 900_000, true)])).toEqual({
      parentTarget: 3_000_000,
      childrenTargetSum: 2_500_000,
      gap: 500_000,
      addsUp: false,
      activeChildren: 2,
    });
  });

  it('adds up when the children cover the target exactly, even with fractions', () => {
    expect(checkDecomposition(goal('g1', 1), [goal('a', 0.1), goal('b', 0.2), goal('c', 0.7)])).toMatchObject({ addsUp: true, gap: 0 });
  });

  it('reports overshoot as a negative gap', () => {
    expect(checkDecomposition(goal('g1', 100), [goal('a', 80), goal('b', 40)])).toMatchObject({ gap: -20, addsUp: false });
  });
});
