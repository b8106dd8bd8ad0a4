import { SupervisedLoops, type LoopContext } from './supervised-loops';

/** Resolves when `probe` holds, checking every few ms (the loops run on real, short timers here). */
async function until(probe: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

class Refused extends Error {
  readonly code = 'ECONNREFUSED';
}

describe('SupervisedLoops', () => {
  let loops: SupervisedLoops;
  afterEach(async () => loops?.stopAll());

  it('runs a failing body again until it makes progress, and reports retrying, then running', async () => {
    loops = new SupervisedLoops({ initialDelayMs: 1, maxDelayMs: 5 });
    let attempts = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    void loops.start('projection goals@1', async ({ signal, progress }: LoopContext) => {
      attempts += 1;
      if (attempts <= 3) {
        await gate;
        throw new Refused('connect ECONNREFUSED 127.0.0.1:5432');
      }
      progress();
      await waitForAbort(signal);
    });
    release();
    await until(() => attempts >= 2, 'a second attempt');
    await until(() => loops.report().loops[0].status === 'running', 'the loop to run again');
    const [report] = loops.report().loops;
    expect(attempts).toBe(4);
    expect(report).toMatchObject({ name: 'projection goals@1', status: 'running', failures: 0 });
    expect(report.lastError).toMatchObject({ class: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' });
    expect(loops.report().status).toBe('ok');
  });

  it('says degraded while a loop retries, and down once it has retried longer than the stuck limit', async () => {
    let now = Date.parse('2026-12-01T08:00:00Z');
    loops = new SupervisedLoops({ initialDelayMs: 1, maxDelayMs: 2, stuckAfterMs: 60_000, now: () => now });
    void loops.start('alert dispatcher', async () => {
      throw new Error('Connection terminated unexpectedly');
    });
    void loops.start('log follower', async ({ signal, progress }) => {
      progress();
      await waitForAbort(signal);
    });
    await until(() => loops.report().loops[0].failures >= 2, 'two failures');
    expect(loops.report().status).toBe('degraded');
    expect(loops.report().loops.map((l) => l.status)).toEqual(['retrying', 'running']);
    expect(loops.report().loops[0].since).toBe('2026-12-01T08:00:00.000Z');
    now += 60_001;
    expect(loops.report().status).toBe('down');
    expect(loops.report().loops[0].lastError?.class).toBe('Error');
  });

  it('treats a body that returns by itself as a failure and runs it again', async () => {
    loops = new SupervisedLoops({ initialDelayMs: 1, maxDelayMs: 2 });
    let runs = 0;
    void loops.start('log follower', async () => {
      runs += 1;
    });
    await until(() => runs >= 3, 'three runs');
    expect(loops.report().loops[0].lastError?.message).toBe('the loop ended by itself');
  });

  it('ends every loop on stop, waiting in backoff or working, and marks them stopped', async () => {
    loops = new SupervisedLoops({ initialDelayMs: 10_000, maxDelayMs: 10_000 });
    const failing = loops.start('a', async () => {
      throw new Error('down');
    });
    const working = loops.start('b', async ({ signal, progress }) => {
      progress();
      await waitForAbort(signal);
    });
    await until(() => loops.report().loops[0].status === 'retrying', 'the first loop to back off');
    await loops.stopAll();
    await expect(Promise.all([failing, working])).resolves.toEqual([undefined, undefined]);
    expect(loops.report().loops.map((l) => l.status)).toEqual(['stopped', 'stopped']);
  });

  it('refuses two loops of one name', () => {
    loops = new SupervisedLoops();
    void loops.start('x', ({ signal }) => waitForAbort(signal));
    expect(() => loops.start('x', ({ signal }) => waitForAbort(signal))).toThrow('A loop named "x" is already running');
  });
});
