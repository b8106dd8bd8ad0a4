import { OwnRedis } from './support/e2e-support';
import { findings } from './support/experiment';
import type { CommandRecord } from './support/load';
import { OwnPostgres } from './support/own-postgres';
import { FaultStack } from './support/stack';

jest.setTimeout(180_000);

/**
 * A slow network and cut connections: with 100 ms added to every database round trip no command
 * is left past the request deadline (p99 before and after printed), and meeting minutes with
 * action items are never half-written whatever the cuts, with or without an Idempotency-Key.
 */

/** The request deadline of the slow-network experiment, and the longest an answer may then take (the deadline and then some). */
const DEADLINE_MS = 4000;
const ANSWER_WITHIN_MS = DEADLINE_MS + 1000;

describe('with 100 ms added to every database round trip', () => {
  let cluster: OwnPostgres;
  let redis: OwnRedis;
  let stack: FaultStack | undefined;

  beforeAll(async () => {
    cluster = await OwnPostgres.create();
    redis = await OwnRedis.start();
  });
  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
    await cluster?.destroy();
  });

  it('answers every command within the request deadline, and reports p99 before and after', async () => {
    stack = await FaultStack.start(cluster, redis, 'pending_latency', { REQUEST_DEADLINE_MS: String(DEADLINE_MS) });
    const s = stack;
    await s.startLoad(60);
    const baselineFrom = Date.now();
    await s.recovered(100);
    const baseline = latencies(s.load.records, baselineFrom, Date.now());
    s.proxy.latency(100);
    const slowFrom = Date.now();
    await s.recovered(100, 120_000);
    const slowTo = Date.now();
    const slow = latencies(s.load.records, slowFrom, slowTo);
    s.proxy.latency(0);
    await s.load.stop();
    console.log(`fault findings: +100 ms per round trip: p50 ${baseline.p50} → ${slow.p50} ms, p99 ${baseline.p99} → ${slow.p99} ms`);
    const answered = s.load.records.filter((r) => r.attempts[0].at >= slowFrom && r.attempts[0].at <= slowTo);
    expect(
      answered.filter((r) => r.attempts[0].error === 'timeout' || r.attempts[0].ms > ANSWER_WITHIN_MS).map((r) => r.attempts[0]),
    ).toEqual([]);
  });
});

/** Percentiles of the acknowledged commands answered in a window. */
function latencies(records: CommandRecord[], from: number, to: number) {
  const ms = records
    .filter((r) => r.outcome === 'acknowledged' && r.attempts[0].at >= from && r.attempts[0].at + r.attempts[0].ms <= to)
    .map((r) => r.attempts[0].ms)
    .sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99) };
}

describe('with connections cut under load', () => {
  let cluster: OwnPostgres;
  let redis: OwnRedis;
  let stack: FaultStack | undefined;

  beforeAll(async () => {
    cluster = await OwnPostgres.create();
    redis = await OwnRedis.start();
  });
  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
    await cluster?.destroy();
  });

  it('never leaves a meeting half-written, before any retry, with or without a key', async () => {
    stack = await FaultStack.start(cluster, redis, 'pending_atomic');
    // Only meetings, 8 clients, and 30 ms per round trip, so a meeting's writes span a window the
    // cuts can land in: written as separate appends (minutes, then each task), this experiment
    // finds meetings with some of their tasks missing.
    stack.newLoad({ clients: 8, mix: { meeting: 1, actual: 0, target: 0, task: 0, goal: 0 } });
    stack.proxy.latency(30);
    await stack.startLoad(20);
    for (let i = 0; i < 8; i++) {
      stack.proxy.cutAll();
      await stack.recovered(6);
    }
    stack.proxy.latency(0);
    const f = await findings(stack, 'meetings under connection cuts (atomic)');
    expect(f.beforeRetry.halfWritten).toEqual({ keyed: [], unkeyed: [] });
    expect(f.afterRetry.halfWritten).toEqual({ keyed: [], unkeyed: [] });
  });
});
