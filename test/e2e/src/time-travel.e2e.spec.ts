import { DEMO_PROJECT_ID, loadDemo } from '@planledger/application';
import { createPostgresEventStore, withSettledHead, type EventStore } from '@planledger/event-store';
import { SecuredApi } from './support/secured-api';
import { tokenFor } from './support/tokens';

jest.setTimeout(120_000);

interface Moment {
  at: string;
  step: string;
  project: {
    status: string;
    team: { members: { memberId: string; name: string; role: string; responsibilities: string[] }[] };
    goals: {
      goalId: string;
      status: string;
      title: string;
      target: number;
      deadline: string;
      owner: unknown;
      parentGoalId?: string;
      figures?: Record<string, unknown> | null;
    }[];
    tasks: { taskId: string; status: string; title: string; assigneeId?: string; dueDate: string; goalId?: string }[];
  };
}

/**
 * The demo project loaded while the API serves it: at three moments of the load the test records
 * what `GET /projects/{id}` answered; afterwards `plan?asOf=` at each moment must tell the same
 * plan, and `plan/diff` between the first and the last must list every adjustment with its reason.
 */
describe('time travel over the demo project', () => {
  let api: SecuredApi;
  let store: EventStore;
  let admin: string;
  const moments: Moment[] = [];

  beforeAll(async () => {
    api = await SecuredApi.start();
    admin = `Bearer ${await tokenFor('admin')}`;
    // Its head waits for the demo's own appends to show in the log (see withSettledHead): the
    // answer recorded at a moment then reflects everything recorded before it.
    store = withSettledHead(await createPostgresEventStore({ connectionString: api.storeUrl, poolSize: 2 }));
    await loadDemo(store, new Date(), async (step) => {
      if (!['adjustments', 'daily actuals', 'done'].includes(step)) return;
      await store.headPosition();
      const answer = await api.call(admin, 'GET', `/projects/${DEMO_PROJECT_ID}`);
      expect(answer.status).toBe(200);
      // The moment after the answer: every event it reflected was recorded by then.
      await new Promise((r) => setTimeout(r, 5));
      moments.push({ at: new Date().toISOString(), step, project: answer.body as unknown as Moment['project'] });
      await new Promise((r) => setTimeout(r, 5));
    });
  });

  afterAll(async () => {
    await store?.close();
    await api?.stop();
  });

  it('answers plan?asOf at three moments of the demo load exactly as the API did then', async () => {
    expect(moments.map((m) => m.step)).toEqual(['adjustments', 'daily actuals', 'done']);
    for (const moment of moments) {
      const plan = await api.call(admin, 'GET', `/projects/${DEMO_PROJECT_ID}/plan?asOf=${encodeURIComponent(moment.at)}`);
      expect(plan.status).toBe(200);
      const then = moment.project;
      expect(plan.body['status']).toBe(then.status);
      expect(plan.body['members']).toEqual(
        then.team.members.map(({ memberId, name, role, responsibilities }) => ({ memberId, name, role, responsibilities })),
      );
      const byId = <T extends { [k: string]: unknown }>(list: T[], key: string) =>
        [...list].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
      expect(byId(plan.body['goals'] as { goalId: string }[], 'goalId')).toEqual(
        byId(
          then.goals.map((g) => ({
            goalId: g.goalId,
            title: g.title,
            status: g.status,
            target: g.target,
            deadline: g.deadline,
            owner: g.owner,
            parentGoalId: g.parentGoalId ?? null,
            // The figures the project view showed then are the ones the plan as of then shows.
            figures: g.figures && { ...g.figures, goalId: undefined },
          })),
          'goalId',
        ),
      );
      expect(byId(plan.body['tasks'] as { taskId: string }[], 'taskId')).toEqual(
        byId(
          then.tasks.map((t) => ({
            taskId: t.taskId,
            title: t.title,
            status: t.status,
            assigneeId: t.assigneeId ?? null,
            dueDate: t.dueDate,
            goalId: t.goalId ?? null,
          })),
          'taskId',
        ),
      );
    }
    // The moments differ: the first has no tasks yet, the second has them all.
    expect(moments[0].project.tasks).toHaveLength(0);
    expect(moments[1].project.tasks).toHaveLength(20);
  });

  it('lists every adjustment between the first and the last moment, each with its reason', async () => {
    const diff = await api.call(
      admin,
      'GET',
      `/projects/${DEMO_PROJECT_ID}/plan/diff?from=${encodeURIComponent(moments[0].at)}&to=${encodeURIComponent(moments[2].at)}`,
    );
    expect(diff.status).toBe(200);
    const goals = diff.body['goals'] as { id: string; change: string; before?: unknown; after?: unknown; reasons: { reason: string }[] }[];
    const tasks = diff.body['tasks'] as { id: string; change: string; before?: unknown; after?: unknown; reasons: { reason: string }[] }[];
    expect(goals.filter((g) => g.change === 'retargeted').map((g) => [g.id, g.before, g.after, g.reasons.map((r) => r.reason)])).toEqual(
      expect.arrayContaining([
        ['demo-revenue-chen-jie', 300_000, 250_000, ['Chen Jie spends two weeks on trade fair leads']],
        ['demo-new-customers', 45, 50, ['Trade fair brought more qualified leads than planned']],
      ]),
    );
    expect(goals.find((g) => g.id === 'demo-revenue')?.reasons.map((r) => r.reason)).toEqual([
      'Region head set the target from the members’ plans after the October pipeline review',
    ]);
    // Tasks were all planned in between; their reassignments and re-dating carry the reasons.
    // Twenty planned tasks and the action item of the first recorded meeting.
    expect(tasks.filter((t) => t.change === 'added')).toHaveLength(21);
    const reasons = (id: string) => tasks.find((t) => t.id === id)?.reasons.map((r) => r.reason);
    expect(reasons('demo-task-08')).toEqual(['Zhao Lei is behind; Zhang Wei knows the Suzhou accounts']);
    expect(reasons('demo-task-17')).toEqual(['Prospecting capacity moved to dormant accounts']);
    expect(reasons('demo-task-12')).toEqual(['Report runs until the quarter closes']);
    expect(reasons('demo-task-07')).toEqual(['Distributor contracts wait for legal review']);
  });
});
