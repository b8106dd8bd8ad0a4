import { CommandClient } from '@planledger/sdk';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ServiceProcess, TEST_JWT_SECRET, tokenFor } from './support/e2e-support';
import { charter, goalBody } from './support/load';
import { OwnPostgres } from './support/own-postgres';
import { TcpProxy } from './support/tcp-proxy';

jest.setTimeout(120_000);

/**
 * The SDK against the built API on PostgreSQL, through a proxy that lets a command reach the API
 * and be committed, then resets the connection as the answer starts: the client cannot tell the
 * command was stored. The SDK retries with the same key and the command is stored once; a plain
 * retry without a key stores it twice.
 */
describe('the SDK retrying a command whose answer was lost', () => {
  let cluster: OwnPostgres;
  let api: ServiceProcess;
  let proxy: TcpProxy;
  let dir: string;
  let authorization: string;

  beforeAll(async () => {
    cluster = await OwnPostgres.create();
    await cluster.createDatabase('sdk');
    dir = await mkdtemp(join(tmpdir(), 'planledger-faults-sdk-'));
    const port = await freePort();
    api = ServiceProcess.start(
      'api',
      {
        PORT: String(port),
        EVENT_STORE_URL: cluster.url('sdk'),
        AUTH_JWT_SECRET: TEST_JWT_SECRET,
        AUTH_ADMINS: 'user:admin',
        RATE_LIMIT_PER_MINUTE: '1000000',
        // No Redis is needed to take commands; none is running for this test.
        REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      },
      dir,
    );
    await api.waitFor(/listening on/, 60_000);
    proxy = await new TcpProxy(port).start();
    authorization = `Bearer ${await tokenFor('admin')}`;
  });
  afterAll(async () => {
    await proxy?.stop();
    await api?.stop();
    await cluster?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function aGoal(): Promise<string> {
    const commands = new CommandClient({ baseUrl: `http://127.0.0.1:${proxy.port}`, authorization });
    const projectId = (await commands.openProject(charter)).id;
    return (await commands.setGoal(projectId, goalBody(1) as never)).id;
  }

  const actualsOf = async (goalId: string) =>
    (
      await cluster.query<{ n: string }>(
        'sdk',
        `SELECT count(*)::text AS n FROM pl_events WHERE stream_id = $1 AND type = 'ActualRecorded'`,
        [`goal-${goalId}`],
      )
    )[0].n;

  it('stores a command once when its answer is lost twice and the SDK retries it with the same key', async () => {
    const goalId = await aGoal();
    const retries: string[] = [];
    const commands = new CommandClient({
      baseUrl: `http://127.0.0.1:${proxy.port}`,
      authorization,
      retry: { initialDelayMs: 50 },
      onRetry: (r) => retries.push(`${r.reason} ${r.idempotencyKey}`),
    });
    proxy.cutNextAnswers(2);
    const answer = await commands.recordActual(goalId, { value: 1200, businessDate: charter.periodStart, source: 'CRM' });

    expect(retries).toHaveLength(2);
    expect(new Set(retries.map((r) => r.split(' ').at(-1))).size).toBe(1);
    expect(answer).toMatchObject({ streamId: `goal-${goalId}`, events: ['ActualRecorded'] });
    expect(await actualsOf(goalId)).toBe('1');
  });

  it('stores it twice when the same command is sent again without a key (why the SDK always sends one)', async () => {
    const goalId = await aGoal();
    const send = () =>
      fetch(`http://127.0.0.1:${proxy.port}/goals/${goalId}/actuals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ value: 1200, businessDate: charter.periodStart, source: 'CRM' }),
      });
    proxy.cutNextAnswers(1);
    await expect(send()).rejects.toThrow('fetch failed');
    expect((await send()).status).toBe(201);

    expect(await actualsOf(goalId)).toBe('2');
  });
});
