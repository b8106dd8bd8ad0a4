import { sampleCharter, sampleRevenueGoal } from '@planledger/contracts/testing';
import { freePort, ServiceProcess } from './support/service-process';
import { SecuredApi } from './support/secured-api';
import { tokenFor } from './support/tokens';

jest.setTimeout(120_000);

/**
 * Read-your-writes across API replicas without asking: two built APIs on one PostgreSQL and one
 * Redis, the read models kept by the first one's in-process worker. A person writes through one
 * replica and reads through the other at once, naming no `minPosition`: the read shows the write.
 */
let first: SecuredApi;
let second: ServiceProcess;
let secondBase = '';
let manager = '';

async function call(base: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: manager, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  // Projections poll slowly here, so a read that does not wait for the write would miss it.
  first = await SecuredApi.start({ WORKER_IN_PROCESS: 'true', EVENT_STORE_POLL_MS: '1000' });
  const port = await freePort();
  second = ServiceProcess.start('api', { ...first.env, PORT: String(port) }, process.cwd());
  await second.waitFor(/listening on/);
  secondBase = `http://127.0.0.1:${port}`;
  manager = `Bearer ${await tokenFor('admin')}`;
});

afterAll(async () => {
  await second?.stop();
  await first?.stop();
});

describe('a person’s own writes on their next read, on another replica', () => {
  it('shows the twelve tasks just planned through the other replica on the task board', async () => {
    const project = await call(secondBase, 'POST', '/projects', sampleCharter);
    expect(project.status).toBe(201);
    const projectId = project.body['id'] as string;
    const planned = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call(secondBase, 'POST', `/projects/${projectId}/tasks`, { title: `Call account ${i + 1}`, dueDate: '2026-12-20' }),
      ),
    );
    expect(planned.map((p) => p.status)).toEqual(Array(12).fill(201));
    const board = await call(first.base, 'GET', `/projects/${projectId}/tasks`);
    expect(board).toMatchObject({ status: 200, body: { caughtUp: true } });
    expect(board.body['tasks']).toHaveLength(12);
  });

  it('shows an actual just recorded through the other replica in the goal’s progress', async () => {
    const project = await call(first.base, 'POST', '/projects', sampleCharter);
    const projectId = project.body['id'] as string;
    const goal = await call(first.base, 'POST', `/projects/${projectId}/goals`, { ...sampleRevenueGoal, phasing: { kind: 'linear' } });
    expect(goal.status).toBe(201);
    const goalId = goal.body['id'] as string;
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: sampleCharter.timeZone }).format(new Date());
    const date =
      day < sampleRevenueGoal.startDate ? sampleRevenueGoal.startDate : day > sampleRevenueGoal.deadline ? sampleRevenueGoal.deadline : day;
    expect((await call(secondBase, 'POST', `/goals/${goalId}/actuals`, { value: 12_345, businessDate: date, source: 'CRM' })).status).toBe(
      201,
    );
    const progress = await call(first.base, 'GET', `/goals/${goalId}/progress?date=${sampleRevenueGoal.deadline}`);
    expect(progress).toMatchObject({ status: 200, body: { caughtUp: true, actualToDate: 12_345 } });
  });
});
