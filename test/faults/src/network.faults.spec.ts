import { eventually, OwnRedis } from './support/e2e-support';
import { expectInvariants, findings } from './support/experiment';
import { OwnPostgres } from './support/own-postgres';
import { FaultStack } from './support/stack';

jest.setTimeout(180_000);

/** The network between the processes and PostgreSQL failing, through the suite's own TCP proxy. */
describe('with the network to PostgreSQL failing under load', () => {
  let cluster: OwnPostgres;
  let redis: OwnRedis;
  let stack: FaultStack;

  beforeAll(async () => {
    cluster = await OwnPostgres.create();
    redis = await OwnRedis.start();
    stack = await FaultStack.start(cluster, redis, 'network');
  });
  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
    await cluster?.destroy();
  });

  it('loses and doubles nothing when every database connection is cut five times', async () => {
    const s = stack;
    s.newLoad();
    await s.startLoad();
    const cut: number[] = [];
    for (let i = 0; i < 5; i++) {
      cut.push(s.proxy.cutAll());
      // Cut again once commands flow on fresh connections.
      await s.recovered(15);
    }
    const f = await findings(s, 'every database connection cut 5 times', { connectionsCut: cut.join(' ') });
    expectInvariants(f);
    expect(cut.every((n) => n > 0)).toBe(true);
  });

  it('loses and doubles nothing through a 5 s partition that drops every packet', async () => {
    const s = stack;
    s.newLoad();
    await s.startLoad();
    const before = s.load.records.length;
    s.proxy.partition('drop');
    const startedAt = Date.now();
    // Requests hang: the clients' own timeout (5 s) ends them.
    await eventually(
      () => s.load.records.slice(before).some((r) => r.attempts.at(-1)?.error === 'timeout'),
      'a request timing out',
      30_000,
    );
    await new Promise((r) => setTimeout(r, Math.max(0, 5000 - (Date.now() - startedAt))));
    s.proxy.heal();
    const partitionMs = Date.now() - startedAt;
    const recoveryMs = await s.recovered();
    const f = await findings(s, 'network partition (drop)', { partitionMs, recoveryMs });
    expectInvariants(f);
  });
});
