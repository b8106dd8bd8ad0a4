import { eventually, OwnRedis } from './support/e2e-support';
import { expectInvariants, findings } from './support/experiment';
import { OwnPostgres } from './support/own-postgres';
import { FaultStack } from './support/stack';

jest.setTimeout(180_000);

/** Processes dying under load: the worker and the API killed without warning, Redis stopped. */
describe('with processes dying under load', () => {
  let cluster: OwnPostgres;
  let redis: OwnRedis;
  let stack: FaultStack;

  beforeAll(async () => {
    cluster = await OwnPostgres.create();
    redis = await OwnRedis.start();
    stack = await FaultStack.start(cluster, redis, 'processes');
  });
  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
    await cluster?.destroy();
  });

  it('loses and doubles nothing, and delivers every alert, when the worker is SIGKILLed three times', async () => {
    const s = stack;
    s.newLoad();
    await s.startLoad();
    for (let kill = 1; kill <= 3; kill++) {
      await s.worker.kill('SIGKILL');
      // The restart policy brings it back; let it work (new commands acknowledged) before the next kill.
      await eventually(
        () => s.worker.restarts >= kill && /PlanLedger worker started/.test(s.worker.output),
        'the worker restarted',
        60_000,
      );
      await s.recovered(20);
    }
    const f = await findings(s, 'worker SIGKILLed 3 times');
    expectInvariants(f);
    expect(f.workerRestarts).toBe(3);
  });

  it('loses and doubles nothing when the API is SIGKILLed twice with commands in flight', async () => {
    const s = stack;
    s.newLoad();
    await s.startLoad();
    const downtime: number[] = [];
    for (let kill = 1; kill <= 2; kill++) {
      const killedAt = Date.now();
      await s.api.kill('SIGKILL');
      await s.recovered(20);
      downtime.push(Date.now() - killedAt);
    }
    const f = await findings(s, 'API SIGKILLed 2 times', { downtimeMs: downtime.join(' ') });
    expectInvariants(f);
    expect(f.apiRestarts).toBe(2);
  });

  it('keeps taking commands while Redis is stopped, and delivers every alert of the outage once it is back', async () => {
    const s = stack;
    s.newLoad();
    await s.startLoad();
    await redis.down();
    const stoppedAt = Date.now();
    // Commands are acknowledged throughout: the API never needs Redis to accept a command.
    const duringOutage = await s.recovered(40);
    await new Promise((r) => setTimeout(r, Math.max(0, 6000 - (Date.now() - stoppedAt))));
    await redis.up();
    const upAt = Date.now();
    const f = await findings(s, 'Redis stopped (SIGTERM)', { outageMs: upAt - stoppedAt, firstAcksAfterStopMs: duringOutage });
    expectInvariants(f);
    const sentDuringOutage = s.load.records.filter((r) => r.attempts[0].at >= stoppedAt && r.attempts[0].at + r.attempts[0].ms <= upAt);
    expect(sentDuringOutage.length).toBeGreaterThan(0);
    // None failed for want of Redis: no 5xx, no lost connection (a business refusal, 4xx, is an answer).
    expect(
      sentDuringOutage.filter((r) => r.attempts[0].status === undefined || r.attempts[0].status >= 500).map((r) => r.attempts[0]),
    ).toEqual([]);
  });
});
