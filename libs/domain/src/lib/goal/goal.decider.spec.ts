import type { GoalEvent, SmartAssessment } from '@planledger/contracts';
import { evolveProject, initialProjectState } from '../project/project.decider';
import { meta, projectClosed, projectOpened, revenueGoal } from '../testing/fixtures';
import { deciderSpec } from '../testing/given-when-then';
import {
  currentSmart,
  decideGoal,
  evolveGoal,
  foldGoal,
  initialGoalState,
  type GoalCommand,
  type GoalContext,
  type GoalState,
} from './goal.decider';

const openProject = [projectOpened].reduce(evolveProject, initialProjectState);
const closedProject = [projectOpened, projectClosed].reduce(evolveProject, initialProjectState);
const context = (over: Partial<GoalContext> = {}): GoalContext => ({
  project: openProject,
  currentMemberIds: new Set(['wang-fang', 'chen-jie']),
  similarGoalResults: [],
  ...over,
});
const spec = deciderSpec<GoalState, GoalEvent, GoalCommand, GoalContext>({
  initialState: initialGoalState,
  evolve: evolveGoal,
  decide: decideGoal,
});

const allPass: SmartAssessment = {
  specific: { ok: true },
  measurable: { ok: true },
  achievable: { ok: true },
  relevant: { ok: true },
  timeBound: { ok: true },
};
const set: GoalCommand = { type: 'SetGoal', data: { goalId: 'g1', projectId: 'p1', ...revenueGoal }, metadata: meta };
const goalSet: GoalEvent = { type: 'GoalSet', data: { goalId: 'g1', projectId: 'p1', ...revenueGoal, smart: allPass } };
const withdrawn: GoalEvent = { type: 'GoalWithdrawn', data: { goalId: 'g1', reason: 'merged into the national goal' } };
const reason = 'pipeline review on 11-15';

const adjust: GoalCommand = { type: 'AdjustGoalTarget', data: { goalId: 'g1', target: 3_500_000, reason }, metadata: meta };
const move: GoalCommand = { type: 'MoveGoalDeadline', data: { goalId: 'g1', deadline: '2026-12-20', reason }, metadata: meta };
const changeOwner: GoalCommand = {
  type: 'ChangeGoalOwner',
  data: { goalId: 'g1', owner: { kind: 'member', memberId: 'wang-fang' }, reason },
  metadata: meta,
};
const rephase: GoalCommand = { type: 'RephaseGoal', data: { goalId: 'g1', phasing: { kind: 'linear' }, reason }, metadata: meta };
const withdraw: GoalCommand = { type: 'WithdrawGoal', data: { goalId: 'g1', reason: 'merged into the national goal' }, metadata: meta };
const record: GoalCommand = {
  type: 'RecordActual',
  data: { goalId: 'g1', actualId: 'a1', value: 120_000, businessDate: '2026-11-18', source: 'CRM', externalRef: 'crm-4711' },
  metadata: meta,
};
const recorded: GoalEvent = {
  type: 'ActualRecorded',
  data: { goalId: 'g1', actualId: 'a1', value: 120_000, businessDate: '2026-11-18', source: 'CRM', externalRef: 'crm-4711' },
};
const correct: GoalCommand = {
  type: 'CorrectActual',
  data: { goalId: 'g1', actualId: 'a1', value: 102_000, reason: 'invoice credited' },
  metadata: meta,
};

const link: GoalCommand = {
  type: 'LinkGoalStrategy',
  data: { goalId: 'g1', strategyRefs: ['seg-smb', 'ch-direct'], reason },
  metadata: meta,
};

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
    it.each([0, -5, -3_000_000])('refuses a revenue target of %s (TARGET_NOT_POSITIVE)', (target) =>
      spec()
        .when({ ...set, data: { ...set.data, target } } as GoalCommand, context())
        .thenRefuses('TARGET_NOT_POSITIVE', /must be more than zero/),
    );
    it('accepts a target of zero only where lower is better, and never a negative one', () => {
      const churn = { ...set.data, kpi: { ...set.data.kpi, direction: 'lower_is_better' as const }, target: 0 };
      expect(decideGoal({ ...set, data: churn } as GoalCommand, initialGoalState, context())).toHaveLength(1);
      spec()
        .when({ ...set, data: { ...churn, target: -1 } } as GoalCommand, context())
        .thenRefuses('TARGET_NOT_POSITIVE', /zero or more/);
    });
    it('refuses a goal in a closed project', () =>
      spec()
        .when(set, context({ project: closedProject }))
        .thenRefuses('PROJECT_CLOSED'));
    it('refuses a goal that names another project', () =>
      spec()
        .when({ ...set, data: { ...set.data, projectId: 'p2' } } as GoalCommand, context())
        .thenRefuses('PROJECT_MISMATCH'));
    it('refuses a goal outside the project period, whatever the SMART policy', () =>
      spec()
        .when({ ...set, data: { ...set.data, deadline: '2027-01-31' } } as GoalCommand, context())
        .thenRefuses('GOAL_OUTSIDE_PROJECT_PERIOD', /not inside the project period/));
    it('refuses a member owner who is not on the team', () =>
      spec()
        .when({ ...set, data: { ...set.data, owner: { kind: 'member', memberId: 'ghost' } } } as GoalCommand, context())
        .thenRefuses('OWNER_NOT_A_MEMBER'));
    it('refuses monthly weights that do not match the months the goal spans', () =>
      spec()
        .when({ ...set, data: { ...set.data, phasing: { kind: 'monthly', weights: [0.5, 0.5] } } } as GoalCommand, context())
        .thenRefuses('PHASING_MISMATCH', /spans 3 months, but 2 weights/));
    it('refuses weights that do not sum to 1', () =>
      spec()
        .when({ ...set, data: { ...set.data, phasing: { kind: 'monthly', weights: [0.3, 0.3, 0.3] } } } as GoalCommand, context())
        .thenRefuses('PHASING_WEIGHTS_SUM', /^the phasing weights sum to 0.9, not 1$/));
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
      const strict = [
        projectOpened,
        {
          type: 'ProjectCharterAmended',
          data: {
            projectId: 'p1',
            before: {},
            after: { smartPolicy: { onFailure: 'refuse', achievableMultiple: 1.2 } },
            reason: 'strict planning',
          },
        },
      ].reduce((s, e) => evolveProject(s, e as never), initialProjectState);
      spec()
        .when(set, context({ project: strict }))
        .thenRefuses('GOAL_NOT_SMART', /achievable: target 3000000 is more than 1.2× the baseline 2000000/);
    });
  });

  describe('when it decomposes a parent goal', () => {
    const parent: GoalState = [goalSet].reduce(evolveGoal, initialGoalState);
    const child: GoalCommand = {
      type: 'SetGoal',
      data: {
        goalId: 'g2',
        projectId: 'p1',
        ...revenueGoal,
        title: 'Wang Fang revenue',
        target: 800_000,
        baseline: 600_000,
        owner: { kind: 'member', memberId: 'wang-fang' },
        parentGoalId: 'g1',
        relevance: undefined,
      },
      metadata: meta,
    };
    it('is set when it shares the parent unit and sits inside its period', () => {
      const events = decideGoal(child, initialGoalState, context({ parent }));
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'GoalSet', data: { goalId: 'g2', parentGoalId: 'g1', smart: { relevant: { ok: true } } } });
    });
    it('refuses another unit than the parent', () =>
      spec()
        .when({ ...child, data: { ...child.data, kpi: { ...revenueGoal.kpi, unit: 'deals' } } } as GoalCommand, context({ parent }))
        .thenRefuses('CHILD_UNIT_MISMATCH'));
    it('refuses a period beyond the parent', () => {
      const shortParent = [
        goalSet,
        { type: 'GoalDeadlineMoved', data: { goalId: 'g1', before: '2026-12-31', after: '2026-11-30', reason } } as GoalEvent,
      ].reduce(evolveGoal, initialGoalState);
      spec()
        .when(child, context({ parent: shortParent }))
        .thenRefuses('CHILD_OUTSIDE_PARENT_PERIOD');
    });
    it('refuses a missing or withdrawn parent', () => {
      spec().when(child, context()).thenRefuses('PARENT_GOAL_NOT_FOUND');
      spec()
        .when(child, context({ parent: [goalSet, withdrawn].reduce(evolveGoal, initialGoalState) }))
        .thenRefuses('PARENT_GOAL_WITHDRAWN');
    });
  });

  describe('when it is active', () => {
    it('refuses to be set twice', () => spec([goalSet]).when(set, context()).thenRefuses('GOAL_ALREADY_SET'));
    it('records a target adjustment as before → after with its reason', () =>
      spec([goalSet])
        .when(adjust, context())
        .then([{ type: 'GoalTargetAdjusted', data: { goalId: 'g1', before: 3_000_000, after: 3_500_000, reason } }]));
    describe('its SMART assessment is the one its current definition earns', () => {
      it('says a target raised to 10× the baseline is not achievable any more (the policy allows 3×)', () => {
        const raised = foldGoal(initialGoalState, [
          goalSet,
          { type: 'GoalTargetAdjusted', data: { goalId: 'g1', before: 3_000_000, after: 20_000_000, reason } },
        ]);
        expect(currentSmart(raised, openProject)?.achievable).toEqual({
          ok: false,
          reason: 'target 20000000 is more than 3× the baseline 2000000',
        });
        expect(currentSmart(foldGoal(initialGoalState, [goalSet]), openProject)?.achievable).toEqual({ ok: true });
      });
      it('judges against the best result of similar goals of closed projects when there is no baseline', () => {
        const noBaseline = foldGoal(initialGoalState, [{ ...goalSet, data: { ...goalSet.data, baseline: 0 } } as GoalEvent]);
        expect(currentSmart(noBaseline, openProject, [500_000])?.achievable.ok).toBe(false);
        expect(currentSmart(noBaseline, openProject, [2_000_000])?.achievable.ok).toBe(true);
      });
      it('refuses an adjustment that fails it when the project refuses goals that are not SMART', () => {
        const strict = [
          {
            ...projectOpened,
            data: { ...projectOpened.data, smartPolicy: { onFailure: 'refuse', achievableMultiple: 3 } },
          } as typeof projectOpened,
        ].reduce(evolveProject, initialProjectState);
        spec([goalSet])
          .when({ ...adjust, data: { ...adjust.data, target: 20_000_000 } } as GoalCommand, context({ project: strict }))
          .thenRefuses('GOAL_NOT_SMART', /more than 3× the baseline/);
      });
    });

    describe('today is the project’s day, not the UTC one', () => {
      const at = (now: string, timeZone: string, businessDate: string) => {
        const project = [{ ...projectOpened, data: { ...projectOpened.data, timeZone } } as typeof projectOpened].reduce(
          evolveProject,
          initialProjectState,
        );
        const command = { ...record, data: { ...record.data, businessDate }, metadata: { ...meta, now } } as GoalCommand;
        return spec([goalSet]).when(command, context({ project }));
      };
      it('takes a deal closed this morning in Shanghai, while UTC is still on yesterday', () =>
        at('2026-11-20T23:30:00.000Z', 'Asia/Shanghai', '2026-11-21').then([
          { ...recorded, data: { ...recorded.data, businessDate: '2026-11-21' } } as GoalEvent,
        ]));
      it('refuses tomorrow’s deal in Honolulu, where UTC has moved on already', () =>
        at('2026-11-21T05:00:00.000Z', 'Pacific/Honolulu', '2026-11-21').thenRefuses('ACTUAL_IN_THE_FUTURE'));
    });
    it.each([0, -5])('refuses a target adjusted to %s (TARGET_NOT_POSITIVE), writing nothing', (target) =>
      spec([goalSet])
        .when({ ...adjust, data: { ...adjust.data, target } } as GoalCommand, context())
        .thenRefuses('TARGET_NOT_POSITIVE'),
    );
    it('moves the deadline inside the project period, when the phasing still fits', () =>
      spec([goalSet, { type: 'GoalRephased', data: { goalId: 'g1', before: revenueGoal.phasing, after: { kind: 'linear' }, reason } }])
        .when(move, context())
        .then([{ type: 'GoalDeadlineMoved', data: { goalId: 'g1', before: '2026-12-31', after: '2026-12-20', reason } }]));
    it('refuses a deadline move that the month weights no longer fit', () =>
      spec([goalSet])
        .when({ ...move, data: { ...move.data, deadline: '2026-11-30' } } as GoalCommand, context())
        .thenRefuses('PHASING_MISMATCH'));
    it('refuses a deadline after the project or before the start', () => {
      spec([goalSet])
        .when({ ...move, data: { ...move.data, deadline: '2027-01-15' } } as GoalCommand, context())
        .thenRefuses('GOAL_OUTSIDE_PROJECT_PERIOD');
      spec([goalSet])
        .when({ ...move, data: { ...move.data, deadline: '2026-09-15' } } as GoalCommand, context())
        .thenRefuses('DEADLINE_BEFORE_START');
    });
    it('changes the owner to a current member', () =>
      spec([goalSet])
        .when(changeOwner, context())
        .then([
          {
            type: 'GoalOwnerChanged',
            data: { goalId: 'g1', before: { kind: 'team' }, after: { kind: 'member', memberId: 'wang-fang' }, reason },
          },
        ]));
    it('refuses an owner who is not a member', () =>
      spec([goalSet])
        .when({ ...changeOwner, data: { ...changeOwner.data, owner: { kind: 'member', memberId: 'ghost' } } } as GoalCommand, context())
        .thenRefuses('OWNER_NOT_A_MEMBER'));
    it('rephases to valid weights', () =>
      spec([goalSet])
        .when(rephase, context())
        .then([{ type: 'GoalRephased', data: { goalId: 'g1', before: revenueGoal.phasing, after: { kind: 'linear' }, reason } }]));
    it.each([
      ['the same target', { ...adjust, data: { ...adjust.data, target: 3_000_000 } }],
      ['the same deadline', { ...move, data: { ...move.data, deadline: '2026-12-31' } }],
      ['the same owner', { ...changeOwner, data: { ...changeOwner.data, owner: { kind: 'team' } } }],
      ['the same phasing', { ...rephase, data: { ...rephase.data, phasing: revenueGoal.phasing } }],
    ])('refuses a change to %s', (_label, command) =>
      spec([goalSet])
        .when(command as GoalCommand, context())
        .thenRefuses('NOTHING_TO_CHANGE'),
    );
    it('is withdrawn with a reason', () => spec([goalSet]).when(withdraw, context()).then([withdrawn]));
    it('is relinked to the strategy elements it serves, and refuses the same set again', () => {
      const linked: GoalEvent = { type: 'GoalStrategyLinked', data: { goalId: 'g1', before: [], after: ['seg-smb', 'ch-direct'], reason } };
      spec([goalSet]).when(link, context()).then([linked]);
      spec([goalSet, linked])
        .when({ ...link, data: { ...link.data, strategyRefs: ['ch-direct', 'seg-smb', 'ch-direct'] } } as GoalCommand, context())
        .thenRefuses('NOTHING_TO_CHANGE');
      spec([goalSet, linked])
        .when({ ...link, data: { ...link.data, strategyRefs: [] } } as GoalCommand, context())
        .then([{ type: 'GoalStrategyLinked', data: { goalId: 'g1', before: ['seg-smb', 'ch-direct'], after: [], reason } }]);
    });
    it('records an actual', () => spec([goalSet]).when(record, context()).then([recorded]));
    describe('from a survey', () => {
      const fromSurvey = (surveyScale: 'csat' | 'nps') => ({ ...record, data: { ...record.data, surveyScale } }) as GoalCommand;
      const feedsOn = (surveyFeed: 'csat' | 'nps'): GoalEvent => ({ ...goalSet, data: { ...goalSet.data, surveyFeed } }) as GoalEvent;
      it('refuses the score on a goal that declares no survey feed', () =>
        spec([goalSet])
          .when(fromSurvey('csat'), context())
          .thenRefuses('GOAL_TAKES_NO_SURVEY_SCORE', /does not take the CSAT survey score/));
      it('refuses the score of another scale than the goal declares', () =>
        spec([feedsOn('csat')])
          .when(fromSurvey('nps'), context())
          .thenRefuses('GOAL_TAKES_NO_SURVEY_SCORE'));
      it('records the score on a goal that declares it takes that scale, without the scale in the event', () =>
        spec([feedsOn('nps')])
          .when(fromSurvey('nps'), context())
          .then([recorded]));
    });
    it('records the same external reference only once', () =>
      spec([goalSet, recorded])
        .when({ ...record, data: { ...record.data, actualId: 'a2' } } as GoalCommand, context())
        .then([]));
    it('records the same actual id only once', () =>
      spec([goalSet, recorded])
        .when({ ...record, data: { ...record.data, externalRef: 'crm-9999' } } as GoalCommand, context())
        .then([]));
    it('refuses an actual outside the goal period or in the future', () => {
      spec([goalSet])
        .when({ ...record, data: { ...record.data, businessDate: '2026-09-30' } } as GoalCommand, context())
        .thenRefuses('ACTUAL_OUTSIDE_GOAL_PERIOD');
      spec([goalSet])
        .when({ ...record, data: { ...record.data, businessDate: '2026-11-21' } } as GoalCommand, context())
        .thenRefuses('ACTUAL_IN_THE_FUTURE');
    });
    it('corrects a recorded actual with a reason', () =>
      spec([goalSet, recorded])
        .when(correct, context())
        .then([
          { type: 'ActualCorrected', data: { goalId: 'g1', actualId: 'a1', before: 120_000, after: 102_000, reason: 'invoice credited' } },
        ]));
    it('refuses to correct an unknown actual, or to the same value', () => {
      spec([goalSet]).when(correct, context()).thenRefuses('ACTUAL_NOT_FOUND');
      spec([goalSet, recorded])
        .when({ ...correct, data: { ...correct.data, value: 120_000 } } as GoalCommand, context())
        .thenRefuses('NOTHING_TO_CHANGE');
    });
  });

  describe('when a feed sends a batch of actuals', () => {
    const row = (actualId: string, externalRef: string, value = 1, businessDate = '2026-11-02') => ({
      actualId,
      value,
      businessDate,
      source: 'CRM',
      externalRef,
    });
    const batch = (...actuals: ReturnType<typeof row>[]): GoalCommand => ({
      type: 'RecordActuals',
      data: { goalId: 'g1', actuals },
      metadata: meta,
    });
    it('records the new ones and skips those known by id or reference, within the batch too', () =>
      spec([goalSet, recorded])
        .when(
          batch(row('a1', 'x-1'), row('b1', 'crm-4711'), row('b2', 'crm-1', 5), row('b3', 'crm-1', 6), row('b4', 'crm-2', 7)),
          context(),
        )
        .then([
          {
            type: 'ActualRecorded',
            data: { goalId: 'g1', actualId: 'b2', value: 5, businessDate: '2026-11-02', source: 'CRM', externalRef: 'crm-1' },
          },
          {
            type: 'ActualRecorded',
            data: { goalId: 'g1', actualId: 'b4', value: 7, businessDate: '2026-11-02', source: 'CRM', externalRef: 'crm-2' },
          },
        ]));
    it('refuses the whole batch when one row breaks a rule, naming the row', () =>
      spec([goalSet])
        .when(batch(row('b1', 'crm-1'), row('b2', 'crm-2', 1, '2027-05-01')), context())
        .thenRefuses('ACTUAL_OUTSIDE_GOAL_PERIOD', /^actuals\[1\]: /));
    it('refuses a batch for a withdrawn goal', () =>
      spec([goalSet, withdrawn])
        .when(batch(row('b1', 'crm-1')), context())
        .thenRefuses('GOAL_WITHDRAWN'));
  });

  describe('when it was withdrawn', () => {
    it.each(changesOfAnActiveGoal)('refuses %s', (_label, command) =>
      spec([goalSet, recorded, withdrawn]).when(command, context()).thenRefuses('GOAL_WITHDRAWN'),
    );
    it('refuses to be set again', () => spec([goalSet, withdrawn]).when(set, context()).thenRefuses('GOAL_ALREADY_SET'));
  });

  describe('when its project is closed', () => {
    it.each(changesOfAnActiveGoal)('refuses %s', (_label, command) =>
      spec([goalSet, recorded])
        .when(command, context({ project: closedProject }))
        .thenRefuses('PROJECT_CLOSED'),
    );
  });

  it('never changes the state it evolves or folds from', () => {
    const before = [goalSet, recorded].reduce(evolveGoal, initialGoalState);
    const more: GoalEvent = {
      type: 'ActualRecorded',
      data: { goalId: 'g1', actualId: 'a2', value: 1, businessDate: '2026-11-19', source: 'CRM', externalRef: 'crm-2' },
    };
    const after = foldGoal(before, [
      more,
      { type: 'ActualCorrected', data: { goalId: 'g1', actualId: 'a1', before: 120_000, after: 1, reason: 'typo fixed' } },
    ]);
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
