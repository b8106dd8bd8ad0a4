import { join } from 'node:path';
import { parse as parsePostgresUrl } from 'pg-connection-string';
import { z } from 'zod';

/** Reads a boolean-ish environment value ("true"/"false"/"1"/"0"). */
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be from 1 to 65535')
  .max(65535, 'must be from 1 to 65535');

const urlWith = (schemes: string[], example: string) =>
  z.string().refine(
    (value) => {
      try {
        return schemes.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { error: `must be a URL like ${example}` },
  );

const int = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be from ${min} to ${max}`)
    .max(max, `must be from ${min} to ${max}`);

/**
 * Every setting PlanLedger reads from the environment, with its default. One schema for every
 * process (api, worker, cli), parsed once at start-up.
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], { error: 'must be development, production or test' }).default('development'),
  /** Unset: embedded PGlite under DATA_DIR. postgres://…, pglite:<dir>, memory: or kurrentdb://… otherwise. */
  EVENT_STORE_URL: z.string().optional(),
  DATA_DIR: z.string().min(1, 'must not be empty').default('./data'),
  EVENT_STORE_POOL_SIZE: z.coerce.number({ error: 'must be a number' }).int().min(1).max(200).default(10),
  /** How often idle subscribers look for events appended by other processes. */
  EVENT_STORE_POLL_MS: z.coerce.number({ error: 'must be a number' }).int().min(10).max(60_000).default(100),
  /** Aggregates (goals, tasks, projects, teams) kept folded in memory per process; 0 turns the cache off. */
  AGGREGATE_CACHE_SIZE: z.coerce.number({ error: 'must be a number' }).int().min(0).max(1_000_000).default(10_000),
  REDIS_URL: urlWith(['redis:', 'rediss:'], 'redis://127.0.0.1:6379').default('redis://127.0.0.1:6379'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'], { error: 'must be one of fatal, error, warn, log, debug, verbose' }).default('log'),
  /**
   * Run the worker's loops inside the API process. Defaults to true on the embedded store (one
   * process per data directory) and false on PostgreSQL, where apps/worker runs them.
   */
  WORKER_IN_PROCESS: flag.optional(),
  /** Load the demo project when the API starts on an empty store; defaults to true on the embedded store only. */
  DEMO_ON_FIRST_START: flag.optional(),
  /** Serve the OpenAPI document and UI at /docs. */
  DOCS_ENABLED: flag.default(true),
  /** HS256 secret that signs the bearer tokens (small installations). */
  AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Where the identity provider publishes its signing keys (RS256/ES256 tokens). */
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  /** Required `iss` of every token (required with AUTH_JWKS_URL). */
  AUTH_JWT_ISSUER: z.string().min(1).optional(),
  /** Required `aud` of every token, when set. */
  AUTH_JWT_AUDIENCE: z.string().min(1).optional(),
  /** Comma-separated subjects (user:<sub>, service:<name>) that are organisation admins. */
  AUTH_ADMINS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s !== ''))
    .pipe(z.array(z.string().regex(/^(user|service):[^\s]+$/, 'must list subjects such as user:alice or service:crm-feed, separated by commas'))),
  /** Allowed browser origins for CORS, comma-separated; unset: no cross-origin access. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s !== '')),
  /** Requests per credential (or per address, unauthenticated) per minute. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number({ error: 'must be a number' }).int().min(1).max(1_000_000).default(1200),
  /** Milliseconds between the comment lines an idle event stream (GET /events/stream) sends. */
  FEED_HEARTBEAT_MS: z.coerce.number({ error: 'must be a number' }).int().min(100, 'must be at least 100').max(300_000, 'must be at most 300000').default(15_000),
  /** Prefix of every Redis key the job queues use: give each installation sharing a Redis its own. */
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9._-]{1,60}$/, 'must be 1–60 letters, digits, ".", "_" or "-"').default('planledger'),
  /** Run drift checks, reminders and alert deliveries (the worker's job queues on Redis). */
  ALERTS_ENABLED: flag.default(true),
  /** Milliseconds between scheduled scans of every active goal and open task (time alone makes a goal drift). */
  DRIFT_SCAN_EVERY_MS: int(1000, 7 * 86_400_000).default(3_600_000),
  /** New actuals for one goal within this many milliseconds share one drift check. */
  DRIFT_DEBOUNCE_MS: int(0, 600_000).default(2000),
  /** Days of actuals the run-rate forecast looks back over. */
  DRIFT_TRAILING_DAYS: int(1, 365).default(14),
  /** A running goal with no actual for more than this many days is stale. */
  DRIFT_STALE_AFTER_DAYS: int(1, 365).default(7),
  /** Remind about open tasks due within this many days. */
  REMINDER_DUE_WITHIN_DAYS: int(0, 90).default(2),
  /** Remind about tasks blocked longer than this many days. */
  REMINDER_BLOCKED_DAYS: int(1, 365).default(3),
  /** Escalate an alert nobody acknowledged after this many minutes, once; 0 never escalates. */
  ALERT_ESCALATE_AFTER_MINUTES: int(0, 30 * 1440).default(240),
  /** Alerts recorded longer ago than this are not sent (a replayed or restored log does not notify again). */
  ALERT_MAX_AGE_HOURS: int(1, 24 * 365).default(24),
  /** Attempts per delivery before it lands in the failed list. */
  DELIVERY_ATTEMPTS: int(1, 50).default(6),
  /** First retry delay; each next one doubles, with jitter. */
  DELIVERY_BACKOFF_MS: int(10, 3_600_000).default(2000),
  /** How long one webhook or chat request may take. */
  DELIVERY_TIMEOUT_MS: int(100, 120_000).default(10_000),
  /** When the daily digest goes out (cron, in DIGEST_TIME_ZONE). */
  DIGEST_CRON: z.string().regex(/^\S+( \S+){4,5}$/, 'must be a cron pattern such as "0 8 * * *"').default('0 8 * * *'),
  DIGEST_TIME_ZONE: z
    .string()
    .refine(
      (zone) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      },
      { error: 'must be an IANA time zone such as Asia/Shanghai' },
    )
    .default('UTC'),
  /** Seals alert destinations (URLs with tokens, signing secrets) in the log; the API and worker need the same one. */
  NOTIFY_SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Where e-mail alerts go out: smtp://user:pass@host:587 or smtps://…; unset: e-mail subscriptions fail to deliver. */
  SMTP_URL: urlWith(['smtp:', 'smtps:'], 'smtp://user:password@mail.example.com:587').optional(),
  SMTP_FROM: z.string().min(3).default('PlanLedger <alerts@planledger.invalid>'),
});

export type PlanLedgerConfig = Omit<z.infer<typeof configSchema>, 'WORKER_IN_PROCESS' | 'DEMO_ON_FIRST_START'> & {
  DEMO_ON_FIRST_START: boolean;
  /** Where the event store lives, from EVENT_STORE_URL and DATA_DIR. */
  eventStore: EventStoreLocation;
  WORKER_IN_PROCESS: boolean;
};

export type EventStoreLocation =
  | { kind: 'pglite'; dataDir: string | undefined }
  | { kind: 'postgres'; url: string }
  | { kind: 'memory' }
  | { kind: 'kurrentdb'; url: string };

/**
 * Reads `EVENT_STORE_URL`: unset → embedded PGlite under `<dataDir>/pglite`; `postgres://…` or
 * `postgresql://…` → PostgreSQL; `pglite:<dir>` → PGlite in that directory (`pglite:memory` in
 * memory); `memory:` → the in-memory adapter; `kurrentdb://…` → KurrentDB.
 * Returns an error message naming the problem instead of throwing, for the config schema.
 */
export function parseEventStoreUrl(url: string | undefined, dataDir: string): EventStoreLocation | { error: string } {
  if (url === undefined || url.trim() === '') return { kind: 'pglite', dataDir: join(dataDir, 'pglite') };
  const scheme = url.slice(0, url.indexOf(':') + 1).toLowerCase();
  switch (scheme) {
    case 'postgres:':
    case 'postgresql:':
      try {
        // The parser `pg` itself uses: it also takes libpq forms such as postgres://user@/db?host=/run/postgresql.
        const parsed = parsePostgresUrl(url);
        if (!parsed.host && !parsed.database) throw new Error('no host or database');
      } catch {
        return { error: `is not a valid PostgreSQL URL (expected postgres://user@host:5432/database)` };
      }
      return { kind: 'postgres', url };
    case 'pglite:': {
      const dir = url.slice('pglite:'.length).replace(/^\/\//, '');
      if (dir === '') return { error: 'names no directory (expected pglite:./data/pglite or pglite:memory)' };
      return { kind: 'pglite', dataDir: dir === 'memory' ? undefined : dir };
    }
    case 'memory:':
      return { kind: 'memory' };
    case 'kurrentdb:':
    case 'esdb:':
      return { kind: 'kurrentdb', url };
    default:
      return { error: `has an unknown scheme "${scheme || url}" (expected postgres://, pglite:, memory: or kurrentdb://)` };
  }
}


/** A configuration problem, reported as one line naming the variable. */
export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment; throws ConfigError for the first bad variable. Empty strings count as
 * unset, so `PORT= npm start` means the default rather than an error.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): PlanLedgerConfig {
  const input: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') input[key] = value.trim();
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0] ?? 'environment');
    // Secrets are never echoed, not even when they are wrong.
    const shown = input[variable] === undefined || /SECRET|TOKEN|PASSWORD/.test(variable) ? '' : ` (got "${redactUrl(input[variable])}")`;
    throw new ConfigError(variable, `${issue.message}${shown}`);
  }
  const eventStore = parseEventStoreUrl(parsed.data.EVENT_STORE_URL, parsed.data.DATA_DIR);
  if ('error' in eventStore) throw new ConfigError('EVENT_STORE_URL', eventStore.error);
  const embedded = eventStore.kind === 'pglite' || eventStore.kind === 'memory';
  if (parsed.data.AUTH_JWKS_URL && !parsed.data.AUTH_JWT_ISSUER) throw new ConfigError('AUTH_JWT_ISSUER', 'must be set with AUTH_JWKS_URL (the iss every token must carry)');
  if (parsed.data.AUTH_JWKS_URL && parsed.data.AUTH_JWT_SECRET) throw new ConfigError('AUTH_JWT_SECRET', 'must not be set together with AUTH_JWKS_URL: choose one way to verify tokens');
  return {
    ...parsed.data,
    eventStore,
    WORKER_IN_PROCESS: parsed.data.WORKER_IN_PROCESS ?? embedded,
    DEMO_ON_FIRST_START: parsed.data.DEMO_ON_FIRST_START ?? eventStore.kind === 'pglite',
  };
}

/** The value with any password in a URL's user info replaced by ***, for logs and /health. */
export function redactUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@?#]*):[^@/?#]*@/i, '$1:***@');
}
