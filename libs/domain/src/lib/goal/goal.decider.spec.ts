import type { GoalEvent, SmartAssessment } from '@planledger/contracts';
import { evolveProject, initialProjectState } from '../project/project.decider';
import { meta, projectClosed, projectOpened, revenueGoal } from '../testing/fixtures';
import { deciderSpec } from '../testing/given-when-then';
import { decideGoal, evolveGoal, foldGoal, initialGoalState, type GoalCommand, type GoalContext, type GoalState } from './goal.decider';

const openProject = [projectOpened].reduce(evolveProject, initialProjectState);
const closedProject = [projectOpened, projectClosed].reduce(evolveProject, initialProjectState);
const context = (over: Partial<GoalContext> = {}): GoalContext => ({
  project: openProject,
  currentMemberIds: new Set(['wang-fang', 'chen-jie']),
  similarGoalResults: [],
  ...over,
});
const spec = deciderSpec<GoalState, GoalEvent, GoalCommand, GoalContext>({ initialState: initialGoalState, evolve: evolveGoal, decide: decideGoal });

const allPass: SmartAssessment = { specific: { ok: true }, measurable: { ok: true }, achievable: { ok: true }, relevant: { ok: true }, timeBound: { ok: true } };
const set: GoalCommand = { type: 'SetGoal', data: { goalId: 'g1', projectId: 'p1', ...revenueGoal }, metadata: meta };
const goalSet: GoalEvent = { type: 'GoalSet', data: { goalId: 'g1', projectId: 'p1', ...revenueGoal, smart: allPass } };
const withdrawn: GoalEvent = { type: 'GoalWithdrawn', data: { goalId: 'g1', reason: 'merged into the national goal' } };
const reason = 'pipeline review on 11-15';

const adjust: GoalCommand = { type: 'AdjustGoalTarget', data: { goalId: 'g1', target: 3_500_000, reason }, metadata: meta };
const move: GoalCommand = { type: 'MoveGoalDeadline', data: { goalId: 'g1', deadline: '2026-12-20', reason }, metadata: meta };
const changeOwner: GoalCommand = { type: 'ChangeGoalOwner', data: { goalId: 'g1', owner: { kind: 'member', memberId: 'wang-fang' }, reason }, metadata: meta };
const rephase: GoalCommand = { type: 'RephaseGoal', data: { goalId: 'g1', phasing: { kind: 'linear' }, reason }, metadata: meta };
const withdraw: GoalCommand = { type: 'WithdrawGoal', data: { goalId: 'g1', reason: 'merged into the national goal' }, metadata: meta };
const record: GoalCommand = {
  type: 'RecordActual',
  data: { goalId: 'g1', actualId: 'a1', value: 120_000, businessDate: '2026-11-18', source: 'CRM', externalRef: 'crm-4711' },
  metadata: meta,
};
const recorded: GoalEvent = { type: 'ActualRecorded', data: { goalId: 'g1', actualId: 'a1', value: 120_000, businessDate: '2026-11-18', source: 'CRM', externalRef: 'crm-4711' } };
const correct: GoalCommand = { type: 'CorrectActual', data: { goalId: 'g1', actualId: 'a1', value: 102_000, reason: 'invoice credited' }, metadata: meta };

const link: GoalCommand = { type: 'LinkGoalStrategy', data: { goalId: 'g1', strategyRefs: ['seg-smb', 'ch-direct'], reason }, metadata: meta };

const changesOfAnActiveGoal: [string, GoalCommand][] = [
  ['a target adjustment', adjust],
  ['a deadline move', move],
  ['an owner change', changeOwner],
  ['a rephasing', rephase],
  ['a withdrawal', withdraw],
  ['an actual', record],
  ['a correction', correct],
  ['a strategy link', link],
];

describe('goal', () => {
  describe('when it is not set yet', () => {
    it('is set with its SMART assessment', () => spec().when(set, context()).then([goalSet]));
    it.each(changesOfAnActiveGoal)('refuses %s', (_label, command) => spec().when(command, context()).thenRefuses('GOAL_NOT_FOUND'));
    it('refuses a goal in a closed project', () => spec().when(set, context({ project: closedProject })).thenRefuses('PROJECT_CLOSED'));
    it('refuses a goal that names another project', () =>
      spec().when({ ...set, data: { ...set.data, projectId: 'p2' } } as GoalCommand, context()).thenRefuses('PROJECT_MISMATCH'));
    it('refuses a goal outside the project period, whatever the SMART policy', () =>
      spec().when({ ...set, data: { ...set.data, deadline: '2027-01-31' } } as GoalCommand, context()).thenRefuses('GOAL_OUTSIDE_PROJECT_PERIOD', /not inside the project period/));
    it('refuses a member owner who is not on the team', () =>
      spec().when({ ...set, data: { ...set.data, owner: { kind: 'member', memberId: 'ghost' } } } as GoalCommand, context()).thenRefuses('OWNER_NOT_A_MEMBER'));
    it('refuses monthly weights that do not match the months the goal spans', () =>
      spec().when({ ...set, data: { ...set.data, phasing: { kind: 'monthly', weights: [0.5, 0.5] } } } as GoalCommand, context()).thenRefuses('PHASING_MISMATCH', /spans 3 months, but 2 weights/));
    it('refuses weights that do not sum to 1', () =>
      spec().when({ ...set, data: { ...set.data, phasing: { kind: 'monthly', weights: [0.3, 0.3, 0.3] } } } as GoalCommand, context()).thenRefuses('PHASING_WEIGHTS_SUM'));
    it('accepts a goal failing the SMART check with warnings when the project says warn', () =>
      spec()
        .when({ ...set, data: { ...set.data, actualsSource: undefined, relevance: undefined } } as GoalCommand, context())
        .then([
          {
            type: 'GoalSet',
            data: {
              goalId: 'g1',
              projectId: 'p1',
              ...revenueGoal,
              actualsSource: undefined,
              relevance: undefined,
              smart: {
                ...allPass,
                measurable: { ok: false, reason: 'name the source actual results will come from' },
                relevant: { ok: false, reason: 'link the goal to a parent goal or say how it serves the project or company aim' },
              },
            },
          },
        ]));
    it('refuses a goal failing the SMART check when the project says refuse', () => {
      const strict = [projectOpened, { type: 'ProjectCharterAmended', data: { projectId: 'p1', before: {}, after: { smartPolicy: { onFailure: 'refuse', achievableMultiple: 1.2 } }, reason: 'strict planning' } }].reduce(
        (s, e) => evolveProject(s, e as never),
        initialProjectState,
      );
      spec().when(set, context({ project: strict })).thenRefuses('GOAL_NOT_SMART', /achievable: target 3000000 is more than 1.2× the baseline 2000000/);
    });
  });

  describe('when it decomposes a parent goal', () => {
    const parent: GoalState = [goalSet].reduce(evolveGoal, initialGoalState);
    const child: GoalCommand = {
      type: 'SetGoal',
      data: { goalId: 'g2', projectId: 'p1', ...revenueGoal, title: 'Wang Fang revenue', target: 800_000, baseline: 600_000, owner: { kind: 'member', memberId: 'wang-fang' }, parentGoalId: 'g1', relevance: undefined },
      metadata: meta,
    };
    it('is set when it shares the parent unit and sits inside its period', () => {
      const events = decideGoal(child, initialGoalState, context({ parent }));
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'GoalSet', data: { goalId: 'g2', parentGoalId: 'g1', smart: { relevant: { ok: true } } } });
    });
    it('refuses another unit than the parent', () =>
      spec().when({ ...child, data: { ...child.data, kpi: { ...revenueGoal.kpi, unit: 'deals' } } } as GoalCommand, context({ parent })).thenRefuses('CHILD_UNIT_MISMATCH'));
    it('refuses a period beyond the parent', () => {
      const shortParent = [goalSet, { type: 'GoalDeadlineMoved', data: { goalId: 'g1', before: '2026-12-31', after: '2026-11-30', reason } } as GoalEvent].reduce(evolveGoal, initialGoalState);
      spec().when(child, context({ parent: shortParent })).thenRefuses('CHILD_OUTSIDE_PARENT_PERIOD');
    });
    it('refuses a missing or withdrawn parent', () => {
      spec().when(child, context()).thenRefuses('PARENT_GOAL_NOT_FOUND');
      spec().when(child, context({ parent: [goalSet, withdrawn].reduce(evolveGoal, initialGoalState) })).thenRefuses('PARENT_GOAL_WITHDRAWN');
    });
  });

  describe('when it is active', () => {
    it('refuses to be set twice', () => spec([goalSet]).when(set, context()).thenRefuses('GOAL_ALREADY_SET'));
    it('records a target adjustment as before → after with its reason', () =>
      spec([goalSet]).when(adjust, context()).then([{ type: 'GoalTargetAdjusted', data: { goalId: 'g1', before: 3_000_000, after: 3_500_000, reason } }]));
    it('moves the deadline inside the project period, when the phasing still fits', () =>
      spec([goalSet, { type: 'GoalRephased', data: { goalId: 'g1', before: revenueGoal.phasing, after: { kind: 'linear' }, reason } }])
        .when(move, context())
        .then([{ type: 'GoalDeadlineMoved', data: { goalId: 'g1', before: '2026-12-31', after: '2026-12-20', reason } }]));
    it('refuses a deadline move that the month weights no longer fit', () =>
      spec([goalSet]).when({ ...move, data: { ...move.data, deadline: '2026-11-30' } } as GoalCommand, context()).thenRefuses('PHASING_MISMATCH'));
    it('refuses a deadline after the project or before the start', () => {
      spec([goalSet]).when({ ...move, data: { ...move.data, deadline: '2027-01-15' } } as GoalCommand, context()).thenRefuses('GOAL_OUTSIDE_PROJECT_PERIOD');
      spec([goalSet]).when({ ...move, data: { ...move.data, deadline: '2026-09-15' } } as GoalCommand, context()).thenRefuses('DEADLINE_BEFORE_START');
    });
    it('changes the owner to a current member', () =>
      spec([goalSet]).when(changeOwner, context()).then([{ type: 'GoalOwnerChanged', data: { goalId: 'g1', before: { kind: 'team' }, after: { kind: 'member', memberId: 'wang-fang' }, reason } }]));
    it('refuses an owner who is not a member', () =>
      spec([goalSet]).when({ ...changeOwner, data: { ...changeOwner.data, owner: { kind: 'member', memberId: 'ghost' } } } as GoalCommand, context()).thenRefuses('OWNER_NOT_A_MEMBER'));
    it('rephases to valid weights', () =>
      spec([goalSet]).when(rephase, context()).then([{ type: 'GoalRephased', data: { goalId: 'g1', before: revenueGoal.phasing, after: { kind: 'linear' }, reason } }]));
    it.each([
      ['the same target', { ...adjust, data: { ...adjust.data, target: 3_000_000 } }],
      ['the same deadline', { ...move, data: { ...move.data, deadline: '2026-12-31' } }],
      ['the same owner', { ...changeOwner, data: { ...changeOwner.data, owner: { kind: 'team' } } }],
      ['the same phasing', { ...rephase, data: { ...rephase.data, phasing: revenueGoal.phasing } }],
    ])('refuses a change to %s', (_label, command) => spec([goalSet]).when(command as GoalCommand, context()).thenRefuses('NOTHING_TO_CHANGE'));
    it('is withdrawn with a reason', () => spec([goalSet]).when(withdraw, context()).then([withdrawn]));
    it('is relinked to the strategy elements it serves, and refuses the same set again', () => {
      const linked: GoalEvent = { type: 'GoalStrategyLinked', data: { goalId: 'g1', before: [], after: ['seg-smb', 'ch-direct'], reason } };
      spec([goalSet]).when(link, context()).then([linked]);
      spec([goalSet, linked]).when({ ...link, data: { ...link.data, strategyRefs: ['ch-direct', 'seg-smb', 'ch-direct'] } } as GoalCommand, context()).thenRefuses('NOTHING_TO_CHANGE');
      spec([goalSet, linked]).when({ ...link, data: { ...link.data, strategyRefs: [] } } as GoalCommand, context()).then([{ type: 'GoalStrategyLinked', data: { goalId: 'g1', before: ['seg-smb', 'ch-direct'], after: [], reason } }]);
    });
    it('records an actual', () => spec([goalSet]).when(record, context()).then([recorded]));
    it('records the same external reference only once', () =>
      spec([goalSet, recorded]).when({ ...record, data: { ...record.data, actualId: 'a2' } } as GoalCommand, context()).then([]));
    it('records the same actual id only once', () =>
      spec([goalSet, recorded]).when({ ...record, data: { ...record.data, externalRef: 'crm-9999' } } as GoalCommand, context()).then([]));
    it('refuses an actual outside the goal period or in the future', () => {
      spec([goalSet]).when({ ...record, data: { ...record.data, businessDate: '2026-09-30' } } as GoalCommand, context()).thenRefuses('ACTUAL_OUTSIDE_GOAL_PERIOD');
      spec([goalSet]).when({ ...record, data: { ...record.data, businessDate: '2026-11-21' } } as GoalCommand, context()).thenRefuses('ACTUAL_IN_THE_FUTURE');
    });
    it('corrects a recorded actual with a reason', () =>
      spec([goalSet, recorded]).when(correct, context()).then([{ type: 'ActualCorrected', data: { goalId: 'g1', actualId: 'a1', before: 120_000, after: 102_000, reason: 'invoice credited' } }]));
    it('refuses to correct an unknown actual, or to the same value', () => {
      spec([goalSet]).when(correct, context()).thenRefuses('ACTUAL_NOT_FOUND');
      spec([goalSet, recorded]).when({ ...correct, data: { ...correct.data, value: 120_000 } } as GoalCommand, context()).thenRefuses('NOTHING_TO_CHANGE');
    });
  });

  describe('when a feed sends a batch of actuals', () => {
    const row = (actualId: string, externalRef: string, value = 1, businessDate = '2026-11-02') => ({ actualId, value, businessDate, source: 'CRM', externalRef });
    const batch = (...actuals: ReturnType<typeof row>[]): GoalCommand => ({ type: 'RecordActuals', data: { goalId: 'g1', actuals }, metadata: meta });
    it('records the new ones and skips those known by id or reference, within the batch too', () =>
      spec([goalSet, recorded])
        .when(batch(row('a1', 'x-1'), row('b1', 'crm-4711'), row('b2', 'crm-1', 5), row('b3', 'crm-1', 6), row('b4', 'crm-2', 7)), context())
        .then([
          { type: 'ActualRecorded', data: { goalId: 'g1', actualId: 'b2', value: 5, businessDate: '2026-11-02', source: 'CRM', externalRef: 'crm-1' } },
          { type: 'ActualRecorded', data: { goalId: 'g1', actualId: 'b4', value: 7, businessDate: '2026-11-02', source: 'CRM', externalRef: 'crm-2' } },
        ]));
    it('refuses the whole batch when one row breaks a rule, naming the row', () =>
      spec([goalSet]).when(batch(row('b1', 'crm-1'), row('b2', 'crm-2', 1, '2027-05-01')), context()).thenRefuses('ACTUAL_OUTSIDE_GOAL_PERIOD', /^actuals\[1\]: /));
    it('refuses a batch for a withdrawn goal', () => spec([goalSet, withdrawn]).when(batch(row('b1', 'crm-1')), context()).thenRefuses('GOAL_WITHDRAWN'));
  });

  describe('when it was withdrawn', () => {
    it.each(changesOfAnActiveGoal)('refuses %s', (_label, command) => spec([goalSet, recorded, withdrawn]).when(command, context()).thenRefuses('GOAL_WITHDRAWN'));
    it('refuses to be set again', () => spec([goalSet, withdrawn]).when(set, context()).thenRefuses('GOAL_ALREADY_SET'));
  });

  describe('when its project is closed', () => {
    it.each(changesOfAnActiveGoal)('refuses %s', (_label, command) => spec([goalSet, recorded]).when(command, context({ project: closedProject })).thenRefuses('PROJECT_CLOSED'));
  });

  it('never changes the state it evolves or folds from', () => {
    const before = [goalSet, recorded].reduce(evolveGoal, initialGoalState);
    const more: GoalEvent = { type: 'ActualRecorded', data: { goalId: 'g1', actualId: 'a2', value: 1, businessDate: '2026-11-19', source: 'CRM', externalRef: 'crm-2' } };
    const after = foldGoal(before, [more, { type: 'ActualCorrected', data: { goalId: 'g1', actualId: 'a1', before: 120_000, after: 1, reason: 'typo fixed' } }]);
    expect([...before.actuals.keys()]).toEqual(['a1']);
    expect(before.actuals.get('a1')?.value).toBe(120_000);
    expect([...before.externalRefs]).toEqual(['crm-4711']);
    expect([...after.actuals.keys()]).toEqual(['a1', 'a2']);
    expect(evolveGoal(before, more).actuals.size).toBe(2);
    expect(before.actuals.size).toBe(1);
  });

  it('folds adjustments and corrections into its state', () => {
    const state = [
      goalSet,
      recorded,
      { type: 'GoalTargetAdjusted', data: { goalId: 'g1', before: 3_000_000, after: 3_500_000, reason } },
      { type: 'ActualCorrected', data: { goalId: 'g1', actualId: 'a1', before: 120_000, after: 102_000, reason: 'invoice credited' } },
    ].reduce((s, e) => evolveGoal(s, e as GoalEvent), initialGoalState);
    expect(state.definition?.target).toBe(3_500_000);
    expect(state.actuals.get('a1')).toEqual({ value: 102_000, businessDate: '2026-11-18', source: 'CRM', externalRef: 'crm-4711' });
    expect(state.externalRefs.has('crm-4711')).toBe(true);
  });
});

describe('the drift check', () => {
  // 30 days of November, 3,000 to reach: 100 a day is on plan; 7 days without an actual is stale.
  const november: GoalEvent = {
    type: 'GoalSet',
    data: { goalId: 'g1', projectId: 'p1', ...revenueGoal, target: 3000, baseline: 0, startDate: '2026-11-01', deadline: '2026-11-30', phasing: { kind: 'linear' }, smart: allPass },
  };
  const daily = (value: number, days = 10): GoalEvent[] =>
    Array.from({ length: days }, (_, i) => ({ type: 'ActualRecorded', data: { goalId: 'g1', actualId: `d${i}`, value, businessDate: `2026-11-${String(i + 1).padStart(2, '0')}`, source: 'CRM' } }));
  const check: GoalCommand = { type: 'CheckDrift', data: { goalId: 'g1', asOf: '2026-11-10' }, metadata: meta };
  const offTrack: GoalEvent = {
    type: 'KpiDriftDetected',
    data: { goalId: 'g1', from: 'on_track', to: 'off_track', asOf: '2026-11-10', pace: 0.5, expectedToDate: 1000, actualToDate: 500, trailingForecast: 1500, reason: 'at 50% of plan to date, more than twice the tolerance behind' },
  };

  it('records nothing for a goal on plan', () => spec([november, ...daily(100)]).when(check, context()).then([]));

  it('records nothing once the project is closed: its goals are history', () => spec([november, ...daily(50)]).when(check, context({ project: closedProject })).then([]));

  it('records a drift, with the numbers behind it, when the goal falls off pace', () => spec([november, ...daily(50)]).when(check, context()).then([offTrack]));

  it('records it once: the same check again finds the state unchanged', () => spec([november, ...daily(50), offTrack]).when(check, context()).then([]));

  it('records the way back when the actuals catch up', () =>
    spec([november, ...daily(50), offTrack, { type: 'ActualRecorded', data: { goalId: 'g1', actualId: 'late', value: 600, businessDate: '2026-11-10', source: 'CRM' } }])
      .when(check, context())
      .then([{ type: 'KpiBackOnTrack', data: { goalId: 'g1', from: 'off_track', asOf: '2026-11-10', pace: 1.1, expectedToDate: 1000, actualToDate: 1100, trailingForecast: 3300, reason: 'at 110% of plan to date' } }]));

  it('records a goal gone stale: no actual since the start nine days ago', () =>
    spec([november])
      .when(check, context())
      .then([
        {
          type: 'GoalWentStale',
          data: { goalId: 'g1', from: 'on_track', asOf: '2026-11-10', pace: 0, expectedToDate: 1000, actualToDate: 0, trailingForecast: 0, reason: 'no actual since the start on 2026-11-01 (9 days)', daysSinceLastActual: 9 },
        },
      ]));

  it('leaves withdrawn and unknown goals alone', () => {
    spec([november, ...daily(50), withdrawn]).when(check, context()).then([]);
    spec([]).when(check, context()).then([]);
  });
});
