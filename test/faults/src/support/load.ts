import { randomUUID } from 'node:crypto';

/** What one request came to: an answer that says written or not, or one that leaves it unknown. */
export type Outcome = 'acknowledged' | 'refused' | 'ambiguous';
/** A command's state: an outcome, or waiting for the answer to its current attempt. */
export type CommandState = Outcome | 'pending';

export interface Attempt {
  at: number;
  ms: number;
  status?: number;
  /** The failure when there was no answer: ECONNRESET, ECONNREFUSED, timeout … */
  error?: string;
  code?: string;
}

export interface CommandAnswer {
  id: string;
  streamId: string;
  revision: number | null;
  position: string | null;
  events: string[];
}

export type CommandKind = 'actual' | 'target' | 'task' | 'goal' | 'meeting';

/** One logical command and every attempt at it; its correlation id finds its events in the log. */
export interface CommandRecord {
  n: number;
  kind: CommandKind;
  path: string;
  body: Record<string, unknown>;
  /** The Idempotency-Key, when the command is sent with one. */
  key?: string;
  correlationId: string;
  attempts: Attempt[];
  outcome: CommandState;
  answer?: CommandAnswer;
  /** The tasks a meeting's action items create, which must exist with the minutes. */
  actionItems?: string[];
}

/** The project the load works on, made by `setUpWorld`. */
export interface World {
  projectId: string;
  goalIds: string[];
  memberIds: string[];
}

const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

export const charter = {
  name: 'Fault suite push',
  managerId: 'li-na',
  periodStart: day(-30),
  periodEnd: day(60),
  currency: 'CNY',
  timeZone: 'UTC',
};

export const goalBody = (n: number) => ({
  title: `Revenue line ${n}`,
  kpi: { name: 'Revenue', unit: 'CNY', direction: 'higher_is_better', aggregation: 'cumulative' },
  target: 3_000_000,
  baseline: 2_000_000,
  // Started a month ago with nothing recorded: each goal goes stale at once, then drifts as actuals come.
  startDate: day(-30),
  deadline: day(60),
  phasing: { kind: 'linear' },
  owner: { kind: 'team' },
  tolerance: 0.1,
  relevance: 'Year-end revenue target',
  actualsSource: 'CRM',
});

export interface LoadOptions {
  /** Concurrent clients, each sending one command at a time. Default 4. */
  clients?: number;
  /** Each client's pause between two commands. Default 20 ms. */
  pauseMs?: number;
  /** How long a client waits for an answer before it gives up (an ambiguous outcome). Default 5 s. */
  timeoutMs?: number;
  /** The share of commands sent with an Idempotency-Key. Default 0.7. */
  keyedShare?: number;
  /** Relative weights of the kinds of command. */
  mix?: Partial<Record<CommandKind, number>>;
  seed?: number;
}

const DEFAULT_MIX: Record<CommandKind, number> = { actual: 0.55, target: 0.1, task: 0.2, goal: 0.05, meeting: 0.1 };

/**
 * A steady mix of commands over HTTP from a few concurrent clients, most of them with an
 * Idempotency-Key and the rest without, recording each request and what came of it. It never
 * retries by itself: `retryAmbiguous` does, with the same keys, once the fault is over.
 */
export class LoadGenerator {
  readonly records: CommandRecord[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private seq = 0;
  private random: () => number;

  constructor(
    private readonly base: () => string,
    private readonly authorization: string,
    private readonly world: World,
    private readonly options: LoadOptions = {},
  ) {
    this.random = mulberry32(options.seed ?? 20);
  }

  start(): void {
    this.running = true;
    for (let i = 0; i < (this.options.clients ?? 4); i++) this.loops.push(this.loop());
  }

  async stop(): Promise<CommandRecord[]> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
    return this.records;
  }

  /** Commands answered since `since` (ms epoch), by outcome: the positive signal that load flows. */
  countSince(since: number, outcome: Outcome): number {
    return this.records.filter((r) => r.outcome === outcome && r.attempts[r.attempts.length - 1].at >= since).length;
  }

  /**
   * Sends each ambiguous command that has a key again, with that key, until an answer says
   * written or refused; a few at a time, as the clients of the load would.
   */
  async retryAmbiguous(deadlineMs = 120_000): Promise<CommandRecord[]> {
    const retried = this.records.filter((r) => r.outcome === 'ambiguous' && r.key !== undefined);
    const queue = [...retried];
    const deadline = Date.now() + deadlineMs;
    const client = async () => {
      for (let record = queue.shift(); record; record = queue.shift()) {
        while (record.outcome === 'ambiguous') {
          if (Date.now() > deadline)
            throw new Error(
              `command ${record.n} (${record.path}, key ${record.key}) still has no answer after its retries: ${JSON.stringify(record.attempts.slice(-3))}`,
            );
          await this.send(record);
          if (record.outcome === 'ambiguous') await new Promise((r) => setTimeout(r, 250));
        }
      }
    };
    await Promise.all(Array.from({ length: this.options.clients ?? 4 }, client));
    return retried;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const record = this.next();
      this.records.push(record);
      await this.send(record);
      // A client that just failed waits a little before its next command, as a real one would.
      await new Promise((r) => setTimeout(r, record.outcome === 'acknowledged' ? (this.options.pauseMs ?? 20) : 250));
    }
  }

  private next(): CommandRecord {
    const n = ++this.seq;
    const kind = this.pickKind();
    const goalId = this.world.goalIds[Math.floor(this.random() * this.world.goalIds.length)];
    const member = this.world.memberIds[Math.floor(this.random() * this.world.memberIds.length)];
    const keyed = this.random() < (this.options.keyedShare ?? 0.7);
    const base = {
      n,
      key: keyed ? `load-${randomUUID()}` : undefined,
      correlationId: `load-${n}-${randomUUID().slice(0, 8)}`,
      attempts: [],
    };
    const project = `/projects/${this.world.projectId}`;
    if (kind === 'actual')
      return {
        ...base,
        kind: 'actual',
        path: `/goals/${goalId}/actuals`,
        body: { value: 1000 + Math.floor(this.random() * 90_000), businessDate: day(-Math.floor(this.random() * 5)), source: 'CRM' },
        outcome: 'pending',
      };
    if (kind === 'target')
      return {
        ...base,
        kind: 'target',
        path: `/goals/${goalId}/target-adjustments`,
        body: { target: 2_500_000 + Math.floor(this.random() * 1_000_000), reason: `pipeline review ${n}` },
        outcome: 'pending',
      };
    if (kind === 'task')
      return {
        ...base,
        kind: 'task',
        path: `${project}/tasks`,
        body: { title: `Follow-up call ${n}`, assigneeId: member, dueDate: day(5 + (n % 20)), goalId },
        outcome: 'pending',
      };
    if (kind === 'goal') return { ...base, kind: 'goal', path: `${project}/goals`, body: goalBody(n), outcome: 'pending' };
    const actionItems = [0, 1, 2].map((i) => `ai-${n}-${i}-${randomUUID().slice(0, 6)}`);
    return {
      ...base,
      kind: 'meeting',
      path: `${project}/meetings`,
      body: {
        meetingId: `meeting-${n}-${randomUUID().slice(0, 6)}`,
        date: day(-1),
        attendees: this.world.memberIds.slice(0, 2),
        notes: `Pipeline review ${n}`,
        decisions: ['Call every open deal this week'],
        actionItems: actionItems.map((taskId, i) => ({
          taskId,
          title: `Action ${i} of meeting ${n}`,
          assigneeId: member,
          dueDate: day(7),
        })),
      },
      actionItems,
      outcome: 'pending',
    };
  }

  private pickKind(): CommandKind {
    const mix = { ...DEFAULT_MIX, ...this.options.mix };
    const total = Object.values(mix).reduce((a, b) => a + b, 0);
    let pick = this.random() * total;
    for (const [kind, weight] of Object.entries(mix) as [CommandKind, number][]) {
      pick -= weight;
      if (pick < 0) return kind;
    }
    return 'actual';
  }

  private async send(record: CommandRecord): Promise<void> {
    const at = Date.now();
    const attempt: Attempt = { at, ms: 0 };
    record.attempts.push(attempt);
    record.outcome = 'pending';
    try {
      const response = await fetch(`${this.base()}${record.path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: this.authorization,
          'x-correlation-id': record.correlationId,
          ...(record.key ? { 'idempotency-key': record.key } : {}),
        },
        body: JSON.stringify(record.body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
      const text = await response.text();
      attempt.status = response.status;
      if (response.status >= 500) {
        record.outcome = 'ambiguous';
        attempt.code = safeJson(text)['code'] as string | undefined;
      } else if (response.status >= 300) {
        record.outcome = 'refused';
        attempt.code = safeJson(text)['code'] as string | undefined;
      } else {
        record.outcome = 'acknowledged';
        record.answer = safeJson(text) as unknown as CommandAnswer;
      }
    } catch (error) {
      record.outcome = 'ambiguous';
      const { name, cause } = error as { name?: string; cause?: { code?: string } };
      attempt.error = name === 'TimeoutError' ? 'timeout' : (cause?.code ?? (error as Error).message);
    } finally {
      attempt.ms = Date.now() - at;
    }
  }
}

/** How many requests ended each way, and why the ambiguous ones did. */
export function summarise(records: CommandRecord[]) {
  const by = (outcome: CommandState) => records.filter((r) => r.outcome === outcome);
  const reasons = new Map<string, number>();
  for (const r of records)
    for (const a of r.attempts) {
      const why = a.error ?? (a.status !== undefined && a.status >= 500 ? `${a.status} ${a.code ?? ''}`.trim() : undefined);
      if (why) reasons.set(why, (reasons.get(why) ?? 0) + 1);
    }
  const refusals = new Map<string, number>();
  for (const r of by('refused')) {
    const last = r.attempts[r.attempts.length - 1];
    refusals.set(`${last.status} ${last.code ?? ''}`.trim(), (refusals.get(`${last.status} ${last.code ?? ''}`.trim()) ?? 0) + 1);
  }
  return {
    commands: records.length,
    acknowledged: by('acknowledged').length,
    refused: by('refused').length,
    ambiguous: by('ambiguous').length,
    ambiguousReasons: Object.fromEntries(reasons),
    refusals: Object.fromEntries(refusals),
  };
}

function safeJson(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** A small seeded generator, so a run's mix of commands can be repeated. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
