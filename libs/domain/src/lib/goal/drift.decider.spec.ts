import type { GoalEvent, SmartAssessment } from '@planledger/contracts';
import { evolveProject, initialProjectState } from '../project/project.decider';
import { meta, projectClosed, projectOpened, revenueGoal } from '../testing/fixtures';
import {
  decideDrift,
  evolveDriftStream,
  initialDriftStreamState,
  type CheckDrift,
  type DriftContext,
  type DriftEvent,
} from './drift.decider';
import { foldGoal, initialGoalState } from './goal.decider';

const openProject = [projectOpened].reduce(evolveProject, initialProjectState);
const closedProject = [projectOpened, projectClosed].reduce(evolveProject, initialProjectState);
const allPass: SmartAssessment = {
  specific: { ok: true },
  measurable: { ok: true },
  achievable: { ok: true },
  relevant: { ok: true },
  timeBound: { ok: true },
};
const withdrawn: GoalEvent = { type: 'GoalWithdrawn', data: { goalId: 'g1', reason: 'merged into the national goal' } };

/** given(goal events, drift events).when(check, context).then(drift events) */
const spec = (goalEvents: GoalEvent[], driftEvents: DriftEvent[] = []) => ({
  when: (command: CheckDrift, over: Partial<DriftContext> = {}) => ({
    then: (expected: DriftEvent[]) =>
      expect(
        decideDrift(command, driftEvents.reduce(evolveDriftStream, initialDriftStreamState), {
          project: openProject,
          goal: foldGoal(initialGoalState, goalEvents),
          goalSetOn: '2026-10-01',
          ...over,
        }),
      ).toEqual(expected),
  }),
});

describe('the drift check', () => {
  // 30 days of November, 3,000 to reach: 100 a day is on plan; 7 days without an actual is stale.
  const november: GoalEvent = {
    type: 'GoalSet',
    data: {
      goalId: 'g1',
      projectId: 'p1',
      ...revenueGoal,
      target: 3000,
      baseline: 0,
      startDate: '2026-11-01',
      deadline: '2026-11-30',
      phasing: { kind: 'linear' },
      smart: allPass,
    },
  };
  const daily = (value: number, days = 10): GoalEvent[] =>
    Array.from({ length: days }, (_, i) => ({
      type: 'ActualRecorded',
      data: { goalId: 'g1', actualId: `d${i}`, value, businessDate: `2026-11-${String(i + 1).padStart(2, '0')}`, source: 'CRM' },
    }));
  const check: CheckDrift = { type: 'CheckDrift', data: { goalId: 'g1', asOf: '2026-11-10' }, metadata: meta };
  const offTrack: DriftEvent = {
    type: 'KpiDriftDetected',
    data: {
      goalId: 'g1',
      from: 'on_track',
      to: 'off_track',
      asOf: '2026-11-10',
      pace: 0.5,
      expectedToDate: 1000,
      actualToDate: 500,
      trailingForecast: 1500,
      reason: 'at 50% of plan to date, more than twice the tolerance behind',
    },
  };
  const stale = (asOf: string, days: number, since = 'the start on 2026-11-01'): DriftEvent => ({
    type: 'GoalWentStale',
    data: expect.objectContaining({
      goalId: 'g1',
      from: 'on_track',
      asOf,
      reason: `no actual since ${since} (${days} days)`,
      daysSinceLastActual: days,
    }),
  });

  it('records nothing for a goal on plan', () =>
    spec([november, ...daily(100)])
      .when(check)
      .then([]));

  it('records nothing once the project is closed: its goals are history', () =>
    spec([november, ...daily(50)])
      .when(check, { project: closedProject })
      .then([]));

  it('records a drift, with the numbers behind it, when the goal falls off pace', () =>
    spec([november, ...daily(50)])
      .when(check)
      .then([offTrack]));

  it('records it once: the same check again finds the state its own stream recorded', () =>
    spec([november, ...daily(50)], [offTrack])
      .when(check)
      .then([]));

  it('reads a state recorded in the goal’s own stream by an older version, so nothing is raised twice', () =>
    spec([november, ...daily(50), offTrack])
      .when(check)
      .then([]));

  it('records the way back when the actuals catch up', () =>
    spec(
      [
        november,
        ...daily(50),
        { type: 'ActualRecorded', data: { goalId: 'g1', actualId: 'late', value: 600, businessDate: '2026-11-10', source: 'CRM' } },
      ],
      [offTrack],
    )
      .when(check)
      .then([
        {
          type: 'KpiBackOnTrack',
          data: {
            goalId: 'g1',
            from: 'off_track',
            asOf: '2026-11-10',
            pace: 1.1,
            expectedToDate: 1000,
            actualToDate: 1100,
            trailingForecast: 3300,
            reason: 'at 110% of plan to date',
          },
        },
      ]));

  it('records a goal gone stale: no actual since the start nine days ago', () =>
    spec([november])
      .when(check)
      .then([stale('2026-11-10', 9)]));

  describe('staleness that means something', () => {
    it('gives a goal set while its period runs a grace period from the day it was set', () => {
      // Set on 11-08, a week into its period: not stale on the day, nor a week later; stale after.
      spec([november]).when(check, { goalSetOn: '2026-11-08' }).then([]);
      spec([november])
        .when({ ...check, data: { ...check.data, asOf: '2026-11-15' } }, { goalSetOn: '2026-11-08' })
        .then([]);
      spec([november])
        .when({ ...check, data: { ...check.data, asOf: '2026-11-16' } }, { goalSetOn: '2026-11-08' })
        .then([stale('2026-11-16', 15)]);
    });

    it('never calls a goal stale once its cumulative target is met', () =>
      spec([
        november,
        { type: 'ActualRecorded', data: { goalId: 'g1', actualId: 'big', value: 3780, businessDate: '2026-11-02', source: 'CRM' } },
      ])
        .when({ ...check, data: { ...check.data, asOf: '2026-11-19' } })
        .then([]));
  });

  it('leaves withdrawn and unknown goals alone', () => {
    spec([november, ...daily(50), withdrawn])
      .when(check)
      .then([]);
    spec([]).when(check).then([]);
  });
});
