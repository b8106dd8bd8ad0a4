import { eventually, OwnRedis } from './support/e2e-support';
import { OwnPostgres } from './support/own-postgres';
import { FaultStack } from './support/stack';

jest.setTimeout(180_000);

/**
 * The database stopped under a running system: commands are refused at once with 503 and
 * Retry-After (never queued past the deadline), /health says which part is down with liveness
 * and readiness apart, and the worker's loops retry in place instead of exiting, catching up
 * within seconds of the return.
 */
/** The longest a command may take to be refused while the store is unreachable (the request deadline and then some). */
const ANSWER_WITHIN_MS = 5000;

describe('with PostgreSQL down', () => {
  let cluster: OwnPostgres;
  let redis: OwnRedis;
  let stack: FaultStack | undefined;

  beforeAll(async () => {
    cluster = await OwnPostgres.create();
    redis = await OwnRedis.start();
  });
  afterEach(async () => {
    if (
      stack &&
      !(await cluster.query('postgres', 'SELECT 1').then(
        () => true,
        () => false,
      ))
    )
      await cluster.start();
    await stack?.stop();
    stack = undefined;
  });
  afterAll(async () => {
    await redis?.stop();
    await cluster?.destroy();
  });

  it('answers commands 503 with Retry-After within the deadline while the database is down', async () => {
    stack = await FaultStack.start(cluster, redis, 'pending_503');
    await cluster.stop('fast');
    const answers: { status: number; retryAfter: string | null; ms: number }[] = [];
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      const answer = await stack.call('POST', `/goals/${stack.world.goalIds[0]}/actuals`, {
        value: 100,
        businessDate: new Date().toISOString().slice(0, 10),
        source: 'CRM',
      });
      answers.push({ status: answer.status, retryAfter: answer.headers.get('retry-after'), ms: Date.now() - started });
    }
    expect(answers.map((a) => a.status)).toEqual([503, 503, 503, 503, 503]);
    expect(answers.every((a) => a.retryAfter !== null && /^\d+$/.test(a.retryAfter))).toBe(true);
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThanOrEqual(ANSWER_WITHIN_MS);
  });

  it('says in /health which part is down, with liveness and readiness answered apart', async () => {
    stack = await FaultStack.start(cluster, redis, 'pending_health');
    await cluster.stop('fast');
    const s = stack;
    const health = await eventually(
      async () => {
        const h = await s.call('GET', '/health');
        return h.status === 503 ? h : undefined;
      },
      '/health to see the store down',
      30_000,
    );
    expect(health.body).toMatchObject({ status: 'down', checks: { eventStore: { status: 'down' }, redis: { status: 'up' } } });
    expect((await s.call('GET', '/health/live')).status).toBe(200);
    expect((await s.call('GET', '/health/ready')).status).toBe(503);
    // The worker answers for its own loops: each retrying against the store, the process alive.
    const worker = await eventually(
      async () => {
        const h = await s.workerHealth('/health');
        const loops = (h.body['checks'] as { loops?: { name: string; status: string; lastError?: { class: string } }[] }).loops ?? [];
        return loops.some((l) => l.status === 'retrying') ? { ...h, loops } : undefined;
      },
      "the worker's loops to say they retry",
      30_000,
    );
    expect(worker.status).toBe(503);
    expect(worker.body).toMatchObject({ status: 'down', checks: { eventStore: { status: 'down' } } });
    expect(worker.loops.map((l) => l.name)).toEqual(expect.arrayContaining(['log follower', 'alert dispatcher']));
    expect(worker.loops.find((l) => l.status === 'retrying')?.lastError?.class).toMatch(/^[A-Z0-9_]+$|Error$/);
    expect((await s.workerHealth('/health/live')).status).toBe(200);
    expect((await s.workerHealth('/health/ready')).status).toBe(503);
  });

  it('keeps the worker up through a database outage, and catches up within seconds of the return', async () => {
    stack = await FaultStack.start(cluster, redis, 'pending_worker');
    await stack.startLoad();
    await cluster.stop('fast');
    await new Promise((r) => setTimeout(r, 6000));
    await cluster.start();
    const back = Date.now();
    const s = stack;
    await s.recovered();
    await s.load.stop();
    await eventually(async () => (await s.lag())?.pending === 0, 'the read models to catch up', 60_000);
    const catchUpMs = Date.now() - back;
    console.log(`fault findings: worker restarts ${s.worker.restarts}, caught up ${catchUpMs} ms after the database returned`);
    expect(s.worker.history).toEqual([]);
    expect(s.worker.restarts).toBe(0);
    // "Within seconds": generous for a loaded machine, and far below a restart-and-replay.
    expect(catchUpMs).toBeLessThanOrEqual(15_000);
  });
});
