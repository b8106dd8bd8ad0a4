import type { IncentiveRule, WrapUpEvent } from '@planledger/contracts';
import { evolveGoal, initialGoalState } from '../goal/goal.decider';
import { evolveProject, initialProjectState } from '../project/project.decider';
import { evolveStrategy, initialStrategyState } from '../strategy/strategy.decider';
import { meta, projectClosed, projectOpened, revenueGoal } from '../testing/fixtures';
import { deciderSpec } from '../testing/given-when-then';
import {
  computeAwards,
  decideWrapUp,
  evolveWrapUp,
  initialWrapUpState,
  memberAttainments,
  teamAttainment,
  type WrapUpCommand,
  type WrapUpContext,
  type WrapUpState,
} from './wrapup.decider';

const strategy = [
  {
    type: 'StrategyElementDefined' as const,
    data: {
      projectId: 'p1',
      elementId: 'seg',
      element: { kind: 'segment' as const, name: 'SMB', criteria: ['<50'], needs: [], buyingBehaviour: '', priority: 'low' as const },
    },
  },
].reduce(evolveStrategy, initialStrategyState);
const open: WrapUpContext = {
  project: [projectOpened].reduce(evolveProject, initialProjectState),
  currentMemberIds: new Set(['wang-fang', 'zhao-lei']),
  strategy,
};
const closed: WrapUpContext = { ...open, project: [projectOpened, projectClosed].reduce(evolveProject, initialProjectState) };
const missing: WrapUpContext = { ...open, project: initialProjectState };
const spec = deciderSpec<WrapUpState, WrapUpEvent, WrapUpCommand, WrapUpContext>({
  initialState: initialWrapUpState,
  evolve: evolveWrapUp,
  decide: decideWrapUp,
});

const attainment = { memberId: 'wang-fang', attainment: 1.05, goalIds: ['g1'] };
const appraisal = {
  projectId: 'p1',
  memberId: 'wang-fang',
  attainment,
  score: 4,
  strengths: ['key accounts'],
  improvements: ['forecast accuracy'],
};
const appraise = (data: Record<string, unknown> = {}): WrapUpCommand => ({
  type: 'AppraiseMember',
  data: { ...appraisal, ...data } as never,
  metadata: meta,
});
const appraised: WrapUpEvent = { type: 'MemberAppraised', data: appraisal };
const lesson = {
  projectId: 'p1',
  lessonId: 'l1',
  outcome: 'failure' as const,
  text: 'Started Suzhou too late',
  tags: ['pipeline'],
  goalIds: ['g1'],
  strategyRefs: ['seg'],
};
const recordLesson = (data: Record<string, unknown> = {}): WrapUpCommand => ({
  type: 'RecordLesson',
  data: { ...lesson, ...data } as never,
  metadata: meta,
});
const rules: IncentiveRule[] = [
  { ruleId: 'on-target', title: 'On target', scope: 'member', threshold: 1, award: { kind: 'bonus', amount: 5000, currency: 'CNY' } },
  { ruleId: 'stretch', title: 'Stretch', scope: 'member', threshold: 1.2, award: { kind: 'bonus', amount: 12000, currency: 'CNY' } },
  { ruleId: 'team', title: 'Team trip', scope: 'team', threshold: 0.95, award: { kind: 'award', title: 'Team trip' } },
];
const setScheme = (reason?: string, given = rules): WrapUpCommand => ({
  type: 'SetIncentiveScheme',
  data: { projectId: 'p1', rules: given, ...(reason ? { reason } : {}) },
  metadata: meta,
});
const schemeSet: WrapUpEvent = { type: 'IncentiveSchemeSet', data: { projectId: 'p1', rules } };
const training = {
  projectId: 'p1',
  trainingId: 'tr1',
  memberId: 'zhao-lei',
  topic: 'Negotiation',
  date: '2027-01-15',
  reason: 'missed target on price pressure',
};
const planTraining = (data: Record<string, unknown> = {}): WrapUpCommand => ({
  type: 'PlanTraining',
  data: { ...training, ...data } as never,
  metadata: meta,
});
const evaluation = { projectId: 'p1', teamAttainment: 0.9, attainments: [attainment], awards: [], summary: 'Missed by 10%' };
const publish: WrapUpCommand = { type: 'PublishEvaluation', data: evaluation, metadata: meta };

describe('wrap-up', () => {
  it('given nothing: appraises a current member, records a lesson, sets a scheme, plans training; refuses to publish without a scheme', () => {
    spec().when(appraise(), open).then([appraised]);
    spec()
      .when(appraise({ memberId: 'ghost' }), open)
      .thenRefuses('MEMBER_NOT_FOUND');
    spec()
      .when(recordLesson(), open)
      .then([{ type: 'LessonRecorded', data: lesson }]);
    spec()
      .when(recordLesson({ strategyRefs: ['nope'] }), open)
      .thenRefuses('STRATEGY_ELEMENT_NOT_FOUND');
    spec().when(setScheme(), open).then([schemeSet]);
    spec()
      .when(setScheme(undefined, [rules[0], rules[0]]), open)
      .thenRefuses('DUPLICATE_RULE');
    spec()
      .when(planTraining(), open)
      .then([{ type: 'TrainingPlanned', data: training }]);
    spec()
      .when(planTraining({ memberId: 'ghost' }), open)
      .thenRefuses('MEMBER_NOT_FOUND');
    spec().when(publish, open).thenRefuses('NO_INCENTIVE_SCHEME');
  });

  it('given earlier wrap-up: a second appraisal or scheme needs a reason, ids stay unique, and the evaluation can be published again', () => {
    spec([appraised]).when(appraise(), open).thenRefuses('REASON_REQUIRED');
    spec([appraised])
      .when(appraise({ reason: 'corrected actuals' }), open)
      .then([{ type: 'MemberAppraised', data: { ...appraisal, reason: 'corrected actuals' } }]);
    spec([{ type: 'LessonRecorded', data: lesson }])
      .when(recordLesson(), open)
      .thenRefuses('LESSON_EXISTS');
    spec([schemeSet]).when(setScheme(), open).thenRefuses('REASON_REQUIRED');
    spec([schemeSet]).when(setScheme('same again'), open).thenRefuses('NOTHING_TO_CHANGE');
    spec([schemeSet])
      .when(setScheme('stretch dropped', rules.slice(0, 1)), open)
      .then([{ type: 'IncentiveSchemeSet', data: { projectId: 'p1', rules: rules.slice(0, 1), reason: 'stretch dropped' } }]);
    spec([{ type: 'TrainingPlanned', data: training }])
      .when(planTraining(), open)
      .thenRefuses('TRAINING_EXISTS');
    spec([schemeSet])
      .when(publish, open)
      .then([{ type: 'EvaluationPublished', data: evaluation }]);
    spec([schemeSet, { type: 'EvaluationPublished', data: evaluation }])
      .when(publish, open)
      .then([{ type: 'EvaluationPublished', data: evaluation }]);
  });

  it('in a closed project: takes every wrap-up command; in an unknown one, none', () => {
    spec().when(appraise(), closed).then([appraised]);
    spec([schemeSet])
      .when(publish, closed)
      .then([{ type: 'EvaluationPublished', data: evaluation }]);
    for (const command of [appraise(), recordLesson(), setScheme(), planTraining(), publish])
      spec().when(command, missing).thenRefuses('PROJECT_NOT_FOUND');
  });

  it('derives attainment from the goals a member owns, and awards from it: the highest tier reached per kind, the team on the project’s goals', () => {
    const goal = (goalId: string, memberId: string, value: number, target = 1000) =>
      [
        {
          type: 'GoalSet' as const,
          data: {
            goalId,
            projectId: 'p1',
            ...revenueGoal,
            baseline: 0,
            target,
            owner: { kind: 'member' as const, memberId },
            smart: {} as never,
          },
        },
        { type: 'ActualRecorded' as const, data: { goalId, actualId: `a-${goalId}`, value, businessDate: '2026-12-30', source: 'CRM' } },
      ].reduce(evolveGoal, initialGoalState);
    const goals = [goal('g1', 'wang-fang', 1250), goal('g2', 'wang-fang', 1050), goal('g3', 'zhao-lei', 400)];
    const attainments = memberAttainments(['wang-fang', 'zhao-lei', 'chen-jie'], goals, '2026-12-31');
    expect(attainments).toEqual([
      { memberId: 'wang-fang', attainment: 1.15, goalIds: ['g1', 'g2'] },
      { memberId: 'zhao-lei', attainment: 0.4, goalIds: ['g3'] },
      { memberId: 'chen-jie', attainment: null, goalIds: [] },
    ]);
    expect(teamAttainment(goals, '2026-12-31')).toBe(0.9);
    expect(computeAwards(rules, attainments, 0.9)).toEqual([
      { ruleId: 'on-target', title: 'On target', memberId: 'wang-fang', attainment: 1.15, award: rules[0].award },
    ]);
    // A correction that lifts the attainment past the stretch threshold changes the award, and the team's.
    const corrected = [{ ...attainments[0], attainment: 1.25 }, attainments[1]];
    expect(computeAwards(rules, corrected, 0.96).map((a) => [a.ruleId, a.memberId])).toEqual([
      ['stretch', 'wang-fang'],
      ['team', null],
    ]);
  });
});
