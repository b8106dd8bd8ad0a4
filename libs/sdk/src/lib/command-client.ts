import {
  DelegateBackoff,
  ExponentialBackoff,
  handleWhen,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
  type IBackoff,
} from 'cockatiel';
import type { z } from 'zod';
import type {
  recordActualBodySchema,
  adjustGoalTargetBodySchema,
  planTaskBodySchema,
  projectCharterSchema,
  setGoalBodySchema,
} from '@planledger/contracts';

/** What the API answers to a command. */
export interface CommandAnswer {
  /** The id of what the command created or changed (a goal's id for a goal's command). */
  id: string;
  /** The stream the command wrote to. */
  streamId: string;
  /** The stream's revision after the command; null when the command changed nothing. */
  revision: number | null;
  /** The global position of the command's last event: pass it as `minPosition` to read your own write. */
  position: string | null;
  /** The types of the events the command recorded. */
  events: string[];
}

/** The API refused a command: the HTTP status and the Problem body, whose `code` names the rule. Nothing was written. */
export class CommandRefused extends Error {
  constructor(
    readonly status: number,
    readonly problem: { code?: string; message?: string; issues?: { path: string; message: string }[] },
  ) {
    super(`${status} ${problem.code ?? ''}: ${problem.message ?? ''}`);
    this.name = 'CommandRefused';
  }
}

/**
 * Every attempt failed in a way that does not say whether the command was applied: a lost
 * connection, a timeout, a 5xx. The API may have stored it before the answer was lost. Send the
 * same command again with the same `idempotencyKey` (pass it in the options): the API applies it
 * at most once and answers the first result if it was stored.
 */
export class CommandOutcomeUnknown extends Error {
  constructor(
    /** The key every attempt carried: reuse it to resolve the outcome. */
    readonly idempotencyKey: string,
    readonly attempts: number,
    /** The last HTTP status, when the last attempt got one. */
    readonly status: number | undefined,
    override readonly cause: unknown,
  ) {
    super(
      `the command's outcome is unknown after ${attempts} attempt${attempts === 1 ? '' : 's'} (${describe(cause)}); ` +
        `send it again with Idempotency-Key ${idempotencyKey} to apply it at most once`,
    );
    this.name = 'CommandOutcomeUnknown';
  }
}

export interface CommandRetryOptions {
  /** Attempts in all, the first included; 1 turns retrying off. Default 5. */
  maxAttempts?: number;
  /** The first wait before a retry; later waits grow exponentially with jitter. Default 200 ms. */
  initialDelayMs?: number;
  /** The longest wait between two attempts, also the most of a server's `Retry-After` that is honoured. Default 10 s. */
  maxDelayMs?: number;
}

export interface CommandClientOptions {
  baseUrl: string;
  /** `Bearer <token>` or `ApiKey plk_…`; a function is asked before every attempt. */
  authorization: string | (() => string | Promise<string>);
  /** How long one attempt may take before it counts as lost and is retried. Default 10 s. */
  timeoutMs?: number;
  retry?: CommandRetryOptions;
  /** Told of every retry before its wait: the attempt that failed, why, and how long the client waits. */
  onRetry?: (retry: { attempt: number; delayMs: number; reason: string; idempotencyKey: string }) => void;
  /** Makes the key of a command sent without one; default `crypto.randomUUID()`. */
  newIdempotencyKey?: () => string;
  fetch?: typeof fetch;
}

export interface CommandOptions {
  /**
   * The command's Idempotency-Key. Give one of your own when the command has a natural identity
   * (a CRM deal id for an actual) or when you may send it again from another process after a
   * crash; without one the client makes a fresh key and uses it on every retry of this call.
   */
  idempotencyKey?: string;
  /** Apply the command only at this revision of its aggregate (an ETag you read): 412 otherwise. */
  ifMatch?: number;
  /** Stops waiting and retrying: the call rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Statuses after which the command may or may not have been applied: retried with the same key. */
const AMBIGUOUS_STATUSES = new Set([500, 502, 503, 504]);
/** Statuses that mean "not now" (nothing applied): retried after the wait the server asks for. */
const BUSY_STATUSES = new Set([408, 429]);

/** A failed attempt that is worth retrying with the same key. */
class RetryableAttempt extends Error {
  constructor(
    readonly status: number | undefined,
    readonly retryAfterMs: number | undefined,
    readonly problem: Record<string, unknown> | undefined,
    override readonly cause: unknown,
  ) {
    super(status === undefined ? describe(cause) : `HTTP ${status}`);
  }
}

/**
 * Typed helpers for the command API. Every command carries an Idempotency-Key (yours, or one made
 * per call) and is retried with that same key after a failure that leaves its outcome unknown
 * (lost connection, timeout, 500/502/503/504) and after 408/429, with capped exponential backoff
 * and jitter, never sooner than the server's `Retry-After`. The API applies a key once, so a
 * retry never records a command twice: a 5xx or a reset does not mean "not written".
 */
export class CommandClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: CommandClientOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  openProject(charter: z.input<typeof projectCharterSchema>, options?: string | CommandOptions) {
    return this.command('/projects', charter, options);
  }

  setGoal(projectId: string, goal: z.input<typeof setGoalBodySchema>, options?: string | CommandOptions) {
    return this.command(`/projects/${encodeURIComponent(projectId)}/goals`, goal, options);
  }

  adjustGoalTarget(goalId: string, body: z.input<typeof adjustGoalTargetBodySchema>, options?: string | CommandOptions) {
    return this.command(`/goals/${encodeURIComponent(goalId)}/target-adjustments`, body, options);
  }

  recordActual(goalId: string, actual: z.input<typeof recordActualBodySchema>, options?: string | CommandOptions) {
    return this.command(`/goals/${encodeURIComponent(goalId)}/actuals`, actual, options);
  }

  planTask(projectId: string, task: z.input<typeof planTaskBodySchema>, options?: string | CommandOptions) {
    return this.command(`/projects/${encodeURIComponent(projectId)}/tasks`, task, options);
  }

  /**
   * Sends any command (`POST path` with a JSON body), with the same key on every attempt.
   * @throws CommandRefused when the API refuses it (4xx): nothing was written.
   * @throws CommandOutcomeUnknown when every attempt failed without an answer: send it again with the error's key.
   */
  async command(path: string, body: unknown, options: string | CommandOptions = {}): Promise<CommandAnswer> {
    const { idempotencyKey = this.newKey(), ifMatch, signal } = typeof options === 'string' ? { idempotencyKey: options } : options;
    const settings = this.options.retry ?? {};
    const maxAttempts = Math.max(1, settings.maxAttempts ?? 5);
    const maxDelayMs = settings.maxDelayMs ?? 10_000;
    const retries = retry(
      handleWhen((error) => !signal?.aborted && (error instanceof RetryableAttempt || error instanceof TaskCancelledError)),
      { maxAttempts: maxAttempts - 1, backoff: retryAfterAware(settings.initialDelayMs ?? 200, maxDelayMs) },
    );
    let attempts = 0;
    retries.onRetry(({ attempt, delay, ...reason }) =>
      this.options.onRetry?.({
        attempt,
        delayMs: Math.round(delay),
        reason: describe('error' in reason ? reason.error : reason),
        idempotencyKey,
      }),
    );
    const policy = wrap(retries, timeout(this.options.timeoutMs ?? 10_000, TimeoutStrategy.Aggressive));
    try {
      return await policy.execute(({ signal: attemptSignal }) => {
        attempts++;
        return this.attempt(path, body, idempotencyKey, ifMatch, attemptSignal);
      }, signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      if (error instanceof RetryableAttempt) {
        if (error.status !== undefined && BUSY_STATUSES.has(error.status)) throw new CommandRefused(error.status, error.problem ?? {});
        throw new CommandOutcomeUnknown(idempotencyKey, attempts, error.status, error.status === undefined ? error.cause : error);
      }
      if (error instanceof TaskCancelledError) throw new CommandOutcomeUnknown(idempotencyKey, attempts, undefined, error);
      throw error;
    }
  }

  private async attempt(
    path: string,
    body: unknown,
    key: string,
    ifMatch: number | undefined,
    signal: AbortSignal,
  ): Promise<CommandAnswer> {
    const authorization =
      typeof this.options.authorization === 'function' ? await this.options.authorization() : this.options.authorization;
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(`${this.options.baseUrl.replace(/\/$/, '')}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization,
          'idempotency-key': key,
          ...(ifMatch === undefined ? {} : { 'if-match': `"${ifMatch}"` }),
        },
        body: JSON.stringify(body),
        signal,
      });
      // A connection lost while the answer arrives is as ambiguous as one lost before it.
      text = await response.text();
    } catch (error) {
      if (signal.aborted) throw error;
      throw new RetryableAttempt(undefined, undefined, undefined, error);
    }
    const answer = parse(text);
    if (AMBIGUOUS_STATUSES.has(response.status) || BUSY_STATUSES.has(response.status))
      throw new RetryableAttempt(response.status, retryAfterMs(response.headers.get('retry-after')), answer, undefined);
    if (response.status >= 300) throw new CommandRefused(response.status, answer);
    return answer as unknown as CommandAnswer;
  }

  private newKey(): string {
    return this.options.newIdempotencyKey?.() ?? globalThis.crypto.randomUUID();
  }
}

/** Exponential backoff with decorrelated jitter, capped, and never shorter than the server's Retry-After (itself capped). */
function retryAfterAware(initialDelayMs: number, maxDelayMs: number) {
  const exponential = new ExponentialBackoff({ initialDelay: initialDelayMs, maxDelay: maxDelayMs });
  return new DelegateBackoff<{ result: { error: Error } | { value: unknown } }, IBackoff<unknown> | undefined>((context, previous) => {
    const step = previous ? previous.next(undefined) : exponential.next();
    const asked =
      'error' in context.result && context.result.error instanceof RetryableAttempt ? context.result.error.retryAfterMs : undefined;
    return { delay: Math.max(step.duration, Math.min(asked ?? 0, maxDelayMs)), state: step };
  });
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function parse(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function describe(error: unknown): string {
  if (error instanceof TaskCancelledError) return 'no answer in time';
  if (error instanceof RetryableAttempt) return error.message;
  // Not `instanceof Error`: fetch's errors may come from another realm. fetch wraps the socket's
  // error (ECONNRESET, ECONNREFUSED …) as its cause.
  const { message, cause } = (error ?? {}) as { message?: string; cause?: { code?: string; message?: string } };
  return cause?.code ?? cause?.message ?? message ?? String(error);
}
