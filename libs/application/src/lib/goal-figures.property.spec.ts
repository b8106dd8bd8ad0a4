import type { GoalDefinition, RollupRule } from '@planledger/contracts';
import { sampleCharter } from '@planledger/contracts/testing';
import { InMemoryEventStore } from '@planledger/event-store';
import { InMemoryReadModelStore, ProjectionRunner } from '@planledger/projections';
import fc from 'fast-check';
import { Boards } from './boards';
import { Planning, type RequestMetadata } from './planning';
import { goalProgressProjection, Progress, taskBoardProjection } from './progress';
import { ProjectLife } from './project-life/project-life';
import { buildReport } from './project-life/report';

/** The numbers every page shows for a goal: they must be the same numbers on every page. */
const FIELDS = ['actualToDate', 'expectedToDate', 'attainment', 'pace', 'forecast', 'status'] as const;
const pick = (o: Record<string, unknown>, fields: readonly string[] = FIELDS) => Object.fromEntries(fields.map((f) => [f, o[f]]));

const NOW = new Date('2026-11-20T10:00:00.000Z');
const TODAY = '2026-11-20'; // in Asia/Shanghai, the sample project's zone
const MEMBERS = ['wang-fang', 'zhao-lei'];

interface GoalSpec {
  parent: number | null;
  level: boolean;
  lower: boolean;
  rollup: RollupRule | undefined;
  owner: number | null;
  target: number;
  actuals: { value: number; day: number }[];
  withdrawn: boolean;
}

const goalSpec = fc.record({
  parent: fc.option(fc.nat(), { nil: null }),
  level: fc.boolean(),
  lower: fc.boolean(),
  rollup: fc.option(fc.constantFrom<RollupRule>('sum', 'average', 'weighted_average', 'min', 'none'), { nil: undefined }),
  owner: fc.option(fc.nat({ max: MEMBERS.length - 1 }), { nil: null }),
  target: fc.integer({ min: 1, max: 1_000_000 }),
  actuals: fc.array(fc.record({ value: fc.integer({ min: 0, max: 500_000 }), day: fc.nat({ max: 50 }) }), { maxLength: 4 }),
  withdrawn: fc.boolean(),
});

const day = (offset: number) => new Date(Date.parse('2026-10-01T00:00:00Z') + offset * 86_400_000).toISOString().slice(0, 10);

async function buildProject(specs: GoalSpec[]) {
  const clock = Date.parse('2026-10-01T02:00:00Z');
  const store = new InMemoryEventStore({ defaults: { now: () => new Date(clock), newEventId: () => crypto.randomUUID() } });
  const planning = new Planning(store);
  const life = new ProjectLife(store, planning, undefined, () => NOW);
  const meta: RequestMetadata = { actor: 'user:li.na', now: NOW.toISOString(), correlationId: 'c' };
  await planning.openProject('p1', sampleCharter, meta);
  for (const memberId of MEMBERS)
    await planning.changeTeam(
      'p1',
      { type: 'JoinMember', data: { memberId, name: memberId, role: 'Sales', responsibilities: [], skills: [], weeklyCapacityHours: 40 } },
      meta,
    );
  const ids = specs.map((_, i) => `g${i}`);
  specs.forEach((s) => {
    // A goal's parent is one set before it: the tree has no cycles.
    if (s.parent !== null) s.parent = specs.indexOf(s) === 0 ? null : s.parent % specs.indexOf(s);
  });
  for (const [i, s] of specs.entries()) {
    const definition: GoalDefinition = {
      title: `Goal ${i}`,
      kpi: {
        name: 'Revenue',
        unit: 'CNY',
        direction: s.lower ? 'lower_is_better' : 'higher_is_better',
        aggregation: s.level ? 'level' : 'cumulative',
      },
      target: s.target,
      baseline: 0,
      startDate: '2026-10-01',
      deadline: '2026-12-31',
      phasing: { kind: 'linear' },
      owner: s.owner === null ? { kind: 'team' } : { kind: 'member', memberId: MEMBERS[s.owner] },
      tolerance: 0.1,
      relevance: 'the quarter',
      actualsSource: 'CRM',
      ...(s.parent === null ? {} : { parentGoalId: ids[s.parent] }),
      ...(s.rollup ? { rollup: s.rollup } : {}),
    };
    await planning.setGoal('p1', ids[i], definition, meta);
  }
  for (const [i, s] of specs.entries()) {
    const rollsUp = specs.some((c) => c.parent === i) && s.rollup !== 'none';
    if (rollsUp) continue;
    for (const [n, a] of s.actuals.entries())
      await planning.changeGoal(
        ids[i],
        { type: 'RecordActual', data: { actualId: `a${n}`, value: a.value, businessDate: day(a.day), source: 'CRM' } },
        meta,
      );
  }
  for (const [i, s] of specs.entries())
    if (s.withdrawn && i > 0) await planning.changeGoal(ids[i], { type: 'WithdrawGoal', data: { reason: 'merged' } }, meta);

  const models = new InMemoryReadModelStore();
  for (const projection of [goalProgressProjection, taskBoardProjection]) {
    const runner = new ProjectionRunner(store, models, projection as never);
    while ((await runner.step()).applied > 0);
  }
  return { store, planning, life, models, ids };
}

describe('one goal figure function behind every view', () => {
  it('gives identical figures for every goal in the project view, progress, report, plan as of now, team board, appraisals and evaluations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(goalSpec, { minLength: 1, maxLength: 7 }), async (specs) => {
        const { store, planning, life, models, ids } = await buildProject(specs);
        const progress = new Progress(models, store);
        const boards = new Boards(models, store, progress);
        const [projectView, progressView, report, plan, board, standings] = await Promise.all([
          planning.projectGoals('p1', NOW),
          progress.project('p1', TODAY),
          buildReport(store, planning, life, 'p1'),
          planning.planAsOf('p1', NOW.toISOString()),
          planning.team('p1').then((team) => boards.team('p1', TODAY, team)),
          life.standings('p1'),
        ]);
        for (const goalId of ids) {
          const expected = pick(progressView.goals.find((g) => g.goalId === goalId) as never);
          expect(pick(projectView.find((g) => g.goalId === goalId)?.figures as never)).toEqual(expected);
          const reported = report.goals.find((g) => g.goalId === goalId);
          expect(pick(reported?.figures as never)).toEqual(expected);
          expect({ actual: reported?.actual, attainment: reported?.attainment }).toEqual({
            actual: expected['actualToDate'],
            attainment: expected['attainment'],
          });
          expect(pick(plan.goals.find((g) => g.goalId === goalId)?.figures as never)).toEqual(expected);
          // One goal's progress: the same figures, and a daily series that ends at its actual to date (a parent's rolled up).
          const one = await progress.goal(
            goalId,
            async () => TODAY,
            async () => [],
          );
          expect(pick(one as never)).toEqual(expected);
          const last = one?.series.at(-1);
          if (last?.date === TODAY) expect(last.actual).toEqual(expected['actualToDate']);
          const onBoard = board.members.flatMap((m) => m.goals).find((g) => g.goalId === goalId);
          if (onBoard)
            expect(pick(onBoard, ['actualToDate', 'expectedToDate', 'attainment', 'pace', 'status'])).toEqual(
              pick(expected, ['actualToDate', 'expectedToDate', 'attainment', 'pace', 'status']),
            );
        }
        // Appraisals and the evaluation: each member's attainment is the mean of their goals' figures.
        const mean = (xs: number[]) => (xs.length === 0 ? null : Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10_000) / 10_000);
        for (const memberId of MEMBERS) {
          const own = progressView.goals.filter(
            (g) => g.goalStatus === 'active' && g.owner.kind === 'member' && g.owner.memberId === memberId && g.attainment !== null,
          );
          expect(standings.attainments.find((a) => a.memberId === memberId)?.attainment).toEqual(
            mean(own.map((g) => g.attainment as number)),
          );
        }
        const top = progressView.goals.filter((g) => g.goalStatus === 'active' && g.parentGoalId === null && g.attainment !== null);
        expect(standings.teamAttainment).toEqual(mean(top.map((g) => g.attainment as number)));
        const meta: RequestMetadata = { actor: 'user:li.na', now: NOW.toISOString(), correlationId: 'c' };
        await life.setIncentiveScheme('p1', { rules: [] }, meta);
        const published = await life.publishEvaluation('p1', 'quarter done', meta);
        expect(published.events[0]?.data).toMatchObject({ teamAttainment: standings.teamAttainment, attainments: standings.attainments });
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
