import { eventually, OwnRedis } from './support/e2e-support';
import { expectInvariants, findings } from './support/experiment';
import { OwnPostgres } from './support/own-postgres';
import { FaultStack } from './support/stack';

jest.setTimeout(180_000);

/** How long the database stays down: long enough for every pooled connection to fail and every loop to notice. */
const OUTAGE_MS = 6000;

/**
 * PostgreSQL stopped under load, the way an operator stops it (fast: open transactions rolled
 * back, a checkpoint) and the way it crashes (immediate: no checkpoint, recovery at start), with
 * the built API and a supervised worker on it and commands arriving throughout.
 */
describe('with PostgreSQL stopped under load', () => {
  let cluster: OwnPostgres;
  let redis: OwnRedis;
  let stack: FaultStack;

  beforeAll(async () => {
    cluster = await OwnPostgres.create();
    redis = await OwnRedis.start();
    stack = await FaultStack.start(cluster, redis, 'db_stop');
  });
  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
    await cluster?.destroy();
  });

  it.each([['fast'], ['immediate']] as const)(
    'loses no acknowledged command and doubles none when it is stopped (%s) and started again',
    async (mode) => {
      const load = stack.newLoad();
      await stack.startLoad();
      const before = load.records.length;
      await cluster.stop(mode);
      const stoppedAt = Date.now();
      // Commands keep coming while it is down; wait until one has been answered without the store.
      await eventually(
        () => load.records.slice(before).some((r) => r.outcome === 'refused' || r.outcome === 'ambiguous'),
        'a failed command',
        30_000,
      );
      await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))));
      await cluster.start();
      const outageMs = Date.now() - stoppedAt;
      const recoveryMs = await stack.recovered();

      const f = await findings(stack, `PostgreSQL stopped (${mode})`, { outageMs, recoveryMs, stackStartMs: stack.startedInMs });
      expectInvariants(f);
    },
  );
});
