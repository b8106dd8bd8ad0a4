import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually, freePort, OwnRedis, Receiver, ServiceProcess, TEST_JWT_SECRET, tokenFor, workspaceRoot } from './e2e-support';
import { charter, goalBody, LoadGenerator, type LoadOptions, type World } from './load';
import type { OwnPostgres } from './own-postgres';
import { reconcile } from './reconcile';
import { TcpProxy } from './tcp-proxy';

const run = promisify(execFile);
const ALERT_TYPES = `('KpiDriftDetected', 'KpiBackOnTrack', 'GoalWentStale', 'TaskReminderRaised', 'AlertEscalated')`;

/**
 * A process kept running as a restart policy would (`restart: unless-stopped`): when it exits
 * by itself it is started again, and each restart is counted.
 */
export class Supervised {
  restarts = 0;
  private current: ServiceProcess | undefined;
  private supervising = false;
  private exits: string[] = [];
  /** The life the test itself killed: its end is no finding. */
  private killed: ServiceProcess | undefined;

  constructor(private readonly launch: () => ServiceProcess) {}

  async start(ready: RegExp): Promise<void> {
    this.supervising = true;
    this.spawn();
    await this.current?.waitFor(ready, 60_000);
  }

  /** Kills the process the way a crash or the OOM killer would; the policy restarts it. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.killed = this.current;
    await this.current?.stop(signal);
  }

  /** Stops it for good (SIGTERM), without a restart. */
  async stop(): Promise<void> {
    this.supervising = false;
    await this.current?.stop();
  }

  get output(): string {
    return this.current?.output ?? '';
  }

  /** Counts restarts (and their reasons) from zero again. */
  forget(): void {
    this.restarts = 0;
    this.exits = [];
  }

  /** How each earlier life ended, and its last lines, for a failure's message. */
  get history(): string[] {
    return this.exits;
  }

  private spawn(): void {
    const child = this.launch();
    this.current = child;
    void child.exited.then(({ code, signal }) => {
      this.exits.push(this.killed === child ? `killed by the test (${signal})` : `exited ${code ?? signal}: ${lastWords(child.output)}`);
      if (!this.supervising || this.current !== child) return;
      this.restarts++;
      // Until the restart, there is no process: its output is not the dead one's (which said
      // "started" too), and a kill in the gap has nothing to kill.
      this.current = undefined;
      // A restart policy's short pause, so a process failing at start-up does not spin.
      setTimeout(() => this.supervising && this.current === undefined && this.spawn(), 500);
    });
  }
}

/** Why a process ended: its first error line and the last lines it printed. */
function lastWords(output: string): string {
  const lines = output.trim().split('\n');
  const firstError = lines.find((l) => /ERROR|Error:|Uncaught|throw /.test(l));
  return [firstError, ...lines.slice(-4)].filter(Boolean).join(' | ').slice(0, 1500);
}

/**
 * One experiment's PlanLedger: a fresh database in the suite's own cluster, reached through a TCP
 * proxy; the suite's own Redis; the built API and a supervised worker; a webhook receiver that
 * gets every alert; and a project with goals and members for the load to work on.
 */
export class FaultStack {
  readonly api: Supervised;
  readonly worker: Supervised;
  world!: World;
  load!: LoadGenerator;
  private loads = 0;
  /** How long the stack took to come up (database, processes, the project). */
  startedInMs = 0;

  private constructor(
    readonly name: string,
    readonly cluster: OwnPostgres,
    readonly redis: OwnRedis,
    readonly proxy: TcpProxy,
    readonly receiver: Receiver,
    readonly port: number,
    /** Where the worker answers its own /health, /health/live and /health/ready. */
    readonly workerHealthPort: number,
    readonly authorization: string,
    private readonly dir: string,
    env: Record<string, string>,
  ) {
    this.api = new Supervised(() => ServiceProcess.start('api', { ...this.env, PORT: String(port), ...env }, dir));
    this.worker = new Supervised(() =>
      ServiceProcess.start('worker', { ...this.env, WORKER_HEALTH_PORT: String(workerHealthPort), ...env }, dir),
    );
  }

  static async start(cluster: OwnPostgres, redis: OwnRedis, name: string, env: Record<string, string> = {}): Promise<FaultStack> {
    const started = Date.now();
    await cluster.createDatabase(name);
    const proxy = await new TcpProxy(cluster.port).start();
    const receiver = await new Receiver().start();
    const stack = new FaultStack(
      name,
      cluster,
      redis,
      proxy,
      receiver,
      await freePort(),
      await freePort(),
      `Bearer ${await tokenFor('admin')}`,
      await mkdtemp(join(tmpdir(), `planledger-faults-${name}-`)),
      env,
    );
    await Promise.all([stack.api.start(/listening on/), stack.worker.start(/PlanLedger worker started/)]);
    await stack.setUpWorld();
    stack.startedInMs = Date.now() - started;
    return stack;
  }

  get env(): Record<string, string> {
    return {
      EVENT_STORE_URL: this.cluster.url(this.name, this.proxy.port),
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      AUTH_ADMINS: 'user:admin',
      RATE_LIMIT_PER_MINUTE: '1000000',
      REDIS_URL: this.redis.url,
      QUEUE_PREFIX: `faults-${this.name}`,
      NOTIFY_SECRET_KEY: 'faults-notify-key-0123456789abcdef0123',
      DRIFT_DEBOUNCE_MS: '200',
      DELIVERY_BACKOFF_MS: '200',
      ALERT_ESCALATE_AFTER_MINUTES: '0',
      ...this.receiver.allowed,
    };
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The experiment's database, read straight from the server. */
  query = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) => this.cluster.query<T>(this.name, sql, params);

  /** The worker's own health answer at `path` (/health, /health/live, /health/ready). */
  async workerHealth(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`http://127.0.0.1:${this.workerHealthPort}${path}`, { signal: AbortSignal.timeout(10_000) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: this.authorization, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { raw: text };
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  private async ok(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const answer = await this.call(method, path, body);
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  private async setUpWorld(): Promise<void> {
    const projectId = (await this.ok('POST', '/projects', charter))['id'] as string;
    const memberIds = ['li-na', 'wang-fang', 'zhang-wei'];
    for (const memberId of memberIds)
      await this.ok('POST', `/projects/${projectId}/members`, {
        memberId,
        name: memberId,
        role: 'Account executive',
        weeklyCapacityHours: 40,
      });
    await this.ok('POST', `/projects/${projectId}/alert-subscriptions`, { channel: 'webhook', url: `${this.receiver.url}/hook` });
    const goalIds: string[] = [];
    for (let i = 0; i < 8; i++) goalIds.push((await this.ok('POST', `/projects/${projectId}/goals`, goalBody(i)))['id'] as string);
    this.world = { projectId, goalIds, memberIds };
    this.newLoad();
  }

  /** A fresh load (its own record of requests) for the next experiment on this stack, with restarts counted from zero. */
  newLoad(options: LoadOptions = {}): LoadGenerator {
    // A load an earlier experiment left running (it failed before its findings) would keep the log
    // growing, so this one could never settle: stop it first.
    void this.load?.stop();
    // Each experiment on a stack draws its own commands: the same seed again would repeat the
    // earlier experiment's target values, which the goals already have (422 NOTHING_TO_CHANGE).
    this.loads += 1;
    this.load = new LoadGenerator(() => this.base, this.authorization, this.world, { seed: 20 + 7919 * this.loads, ...options });
    this.worker.forget();
    this.api.forget();
    return this.load;
  }

  /** Starts the load and resolves once `n` commands have been acknowledged (a positive signal that it flows). */
  async startLoad(n = 40): Promise<void> {
    const since = Date.now();
    this.load.start();
    await eventually(() => this.load.countSince(since, 'acknowledged') >= n, `${n} acknowledged commands`, 60_000);
  }

  /** Waits until commands are acknowledged again after a fault: `n` answered 2xx since now. */
  async recovered(n = 20, timeoutMs = 90_000): Promise<number> {
    const since = Date.now();
    await eventually(() => this.load.countSince(since, 'acknowledged') >= n, `${n} commands acknowledged after the fault`, timeoutMs);
    return Date.now() - since;
  }

  /** The read models' lag as /health reports it, or undefined while the API or the store cannot say. */
  async lag(): Promise<{ pending: number; deadLetters: number } | undefined> {
    const health = await this.call('GET', '/health').catch(() => undefined);
    const projections = (health?.body['checks'] as { projections?: { pending: number; deadLetters: number }[] } | undefined)?.projections;
    if (!projections) return undefined;
    return {
      pending: projections.reduce((sum, p) => sum + p.pending, 0),
      deadLetters: projections.reduce((sum, p) => sum + p.deadLetters, 0),
    };
  }

  /**
   * Waits until the system has done everything the commands set off: the log stopped growing (the
   * worker's drift checks and delivery outcomes included), every read model applied it, and every
   * alert in the log reached the receiver.
   */
  async settle(timeoutMs = 120_000): Promise<void> {
    let lastHead = '';
    let state = 'nothing read yet';
    try {
      await eventually(
        async () => {
          const [{ head }] = await this.query<{ head: string }>('SELECT coalesce(max(global_position), 0)::text AS head FROM pl_events');
          const lag = await this.lag();
          const undelivered = await this.undeliveredAlerts();
          const still = head === lastHead && lag?.pending === 0 && undelivered.length === 0;
          state = `log head ${head} (before: ${lastHead || 'none'}), read models ${lag ? `${lag.pending} events behind` : 'lag unknown'}, ${undelivered.length} alerts not delivered`;
          lastHead = head;
          if (!still) await new Promise((r) => setTimeout(r, 400));
          return still;
        },
        'the log, the read models and the alert deliveries to come to rest',
        timeoutMs,
      );
    } catch (error) {
      throw new Error(
        `${(error as Error).message}; last seen: ${state}; worker: ${this.worker.history.slice(-3).join(' / ') || 'no exits'}`,
      );
    }
  }

  /** Alert events in the log that no webhook brought to the receiver yet. */
  async undeliveredAlerts(): Promise<string[]> {
    const keys = this.receiver.keys();
    const alerts = await this.query<{ id: string }>(`SELECT event_id::text AS id FROM pl_events WHERE type IN ${ALERT_TYPES}`);
    return alerts.map((a) => a.id).filter((id) => !keys.has(id));
  }

  /** Every alert in the log and how often it arrived: the duplicates are alerts that arrived more than once. */
  async alertDeliveries(): Promise<{ alerts: number; delivered: number; duplicates: number; missing: number }> {
    const keys = this.receiver.keys();
    const alerts = await this.query<{ id: string }>(`SELECT event_id::text AS id FROM pl_events WHERE type IN ${ALERT_TYPES}`);
    return {
      alerts: alerts.length,
      delivered: alerts.filter((a) => keys.has(a.id)).length,
      duplicates: alerts.reduce((sum, a) => sum + Math.max(0, (keys.get(a.id) ?? 0) - 1), 0),
      missing: alerts.filter((a) => !keys.has(a.id)).length,
    };
  }

  /**
   * Compares every read model with a clean rebuild from the log: waits until the log is at rest,
   * stops the worker (again, if it wrote meanwhile), takes the read models as they are, rebuilds them all with the CLI, starts the worker again, and lists
   * the documents that differ.
   */
  async readModelsAgainstRebuild(): Promise<{ documents: number; differing: string[] }> {
    // The worker keeps the read models and may still write as it stops (a scheduled check raising
    // an alert): compare only a log that did not move between coming to rest and the worker's stop.
    const headNow = async () =>
      (await this.query<{ head: string }>('SELECT coalesce(max(global_position), 0)::text AS head FROM pl_events'))[0].head;
    for (let attempt = 1; ; attempt++) {
      await this.settle();
      const rested = await headNow();
      await this.worker.stop();
      if ((await headNow()) === rested || attempt === 5) break;
      await this.worker.start(/PlanLedger worker started/);
    }
    const snapshot = () =>
      this.query<{ id: string; doc: string }>(
        `SELECT projection || ' ' || key AS id, doc::text AS doc FROM pl_read_models WHERE projection NOT LIKE '%~rebuild' ORDER BY 1`,
      );
    const live = new Map((await snapshot()).map((r) => [r.id, r.doc]));
    await run(process.execPath, [join(workspaceRoot, 'dist', 'apps', 'cli', 'main.js'), 'projections', 'rebuild'], {
      cwd: this.dir,
      env: { PATH: process.env['PATH'] ?? '', EVENT_STORE_URL: this.cluster.url(this.name), NO_COLOR: '1' },
      timeout: 120_000,
    });
    const rebuilt = new Map((await snapshot()).map((r) => [r.id, r.doc]));
    // Back to work for the next experiment on this stack.
    await this.worker.start(/PlanLedger worker started/);
    // Each named with how it differs, so a failure says whether the live view missed an event or applied one wrongly.
    const differing = [...new Set([...live.keys(), ...rebuilt.keys()])]
      .filter((id) => live.get(id) !== rebuilt.get(id))
      .map((id) =>
        !live.has(id)
          ? `${id} (missing from the live view)`
          : !rebuilt.has(id)
            ? `${id} (only in the live view)`
            : `${id} (live ${live.get(id)?.slice(0, 300)} ≠ rebuilt ${rebuilt.get(id)?.slice(0, 300)})`,
      );
    return { documents: rebuilt.size, differing };
  }

  /** Holds the recorded requests against the log. */
  reconcile() {
    return reconcile(this.load.records, this.query);
  }

  async stop(): Promise<void> {
    await this.load?.stop();
    await this.worker.stop();
    await this.api.stop();
    await this.proxy.stop();
    await this.receiver.stop();
    await this.cluster.query('postgres', `DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`).catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}
