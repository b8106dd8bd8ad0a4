import { join } from 'node:path';
import { parse as parsePostgresUrl } from 'pg-connection-string';
import { z } from 'zod';
import { parseKurrentDbUrl, type KurrentDbLocation } from './kurrentdb-url';
import { parseOutboundAllow, type OutboundAllowEntry } from './outbound-allow';

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
  /** PostgreSQL: the longest wait for a pooled connection (acquisition and connecting). */
  EVENT_STORE_CONNECT_TIMEOUT_MS: z.coerce.number({ error: 'must be a number' }).int().min(100).max(120_000).default(3000),
  /** PostgreSQL: statement_timeout of every connection (0: none); migrations run without one. */
  EVENT_STORE_STATEMENT_TIMEOUT_MS: z.coerce.number({ error: 'must be a number' }).int().min(0).max(3_600_000).default(30_000),
  /** Group commit: appends arriving while another batch commits go together in the next transaction, each answered on its own. */
  EVENT_STORE_GROUP_COMMIT: flag.default(true),
  /** Refuse commands that carry no Idempotency-Key (428), so every client can retry safely. */
  IDEMPOTENCY_KEY_REQUIRED: flag.default(false),
  /** A principal's reads of read models wait (bounded) for their own last write, on any replica, without asking. */
  READ_OWN_WRITES: flag.default(true),
  /** The longest a command (POST, PUT, PATCH, DELETE) may take before it is answered 503 with Retry-After. */
  REQUEST_DEADLINE_MS: z.coerce.number({ error: 'must be a number' }).int().min(100).max(600_000).default(10_000),
  /** A background loop retrying on store or Redis errors for longer than this is stuck: /health says down. */
  LOOP_STUCK_AFTER_MS: z.coerce.number({ error: 'must be a number' }).int().min(1000).max(3_600_000).default(60_000),
  /** Longest wait between a failing background loop's attempts. */
  LOOP_MAX_BACKOFF_MS: z.coerce.number({ error: 'must be a number' }).int().min(100).max(300_000).default(5000),
  /** Where the worker answers /health, /health/live and /health/ready; unset: no HTTP server in the worker. */
  WORKER_HEALTH_PORT: port.optional(),
  /** Aggregates (goals, tasks, projects, teams) kept folded in memory per process; 0 turns the cache off. */
  AGGREGATE_CACHE_SIZE: z.coerce.number({ error: 'must be a number' }).int().min(0).max(1_000_000).default(10_000),
  REDIS_URL: urlWith(['redis:', 'rediss:'], 'redis://127.0.0.1:6379').default('redis://127.0.0.1:6379'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'], { error: 'must be one of fatal, error, warn, log, debug, verbose' })
    .default('log'),
  /**
   * Run the worker's loops inside the API process. Defaults to true on the embedded store (one
   * process per data directory) and false on PostgreSQL, where apps/worker runs them; true on
   * KurrentDB, where each process keeps its read models in memory.
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
  /** The longest a bearer token may be valid (from its iat, else from now to its exp), in hours; every token needs an exp. */
  AUTH_JWT_MAX_LIFETIME_HOURS: int(1, 24 * 366).default(24 * 31),
  /** Comma-separated subjects (user:<sub>, service:<name>) that are organisation admins. */
  AUTH_ADMINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    )
    .pipe(
      z.array(
        z.string().regex(/^(user|service):[^\s]+$/, 'must list subjects such as user:alice or service:crm-feed, separated by commas'),
      ),
    ),
  /** The address people reach the API at (behind a proxy: its https:// URL); links and the OIDC callback are built on it. Default: http://HOST:PORT. */
  AUTH_PUBLIC_URL: urlWith(['http:', 'https:'], 'https://planledger.example.com').optional(),
  /**
   * Which proxies in front of the API to believe about the client's address and scheme
   * (X-Forwarded-For/-Proto), as Express's "trust proxy": a number of hops, loopback, or addresses
   * and subnets. Unset: none, so behind a proxy every client has the proxy's address.
   */
  TRUST_PROXY: z
    .string()
    .regex(
      /^(\d{1,2}|true|false|[0-9a-fA-F.:/, ]+|loopback|linklocal|uniquelocal)(,\s*(loopback|linklocal|uniquelocal|[0-9a-fA-F.:/]+))*$/,
      {
        error: 'must be a number of hops (1), loopback, or comma-separated addresses and subnets',
      },
    )
    .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v))
    .optional(),
  /** Mark the session cookie Secure (and name it __Host-…). Default: true unless HOST is loopback. */
  AUTH_COOKIE_SECURE: flag.optional(),
  /** A browser session ends after this many minutes without a request. */
  AUTH_SESSION_IDLE_MINUTES: int(1, 30 * 1440).default(120),
  /** A browser session ends this many hours after sign-in, however busy. */
  AUTH_SESSION_MAX_HOURS: int(1, 90 * 24).default(12),
  /** Local accounts (invitations, passwords, resets); false turns them off. */
  AUTH_LOCAL_ACCOUNTS: flag.default(true),
  /**
   * The login (an e-mail address or a name) of the first local admin: while that account has not
   * set its password, every start invites it again as an admin and prints the one-time link.
   */
  AUTH_BOOTSTRAP_ADMIN: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9._@+-]{1,99}$/, 'must be an e-mail address or a name of 2–100 letters, digits, ".", "_", "@", "+" or "-"')
    .optional(),
  /** Exchanging an API key or bearer token for a browser session (POST /auth/token); false turns it off. */
  AUTH_TOKEN_SIGN_IN: flag.default(true),
  /** Hours an invitation link stays valid. */
  AUTH_INVITATION_HOURS: int(1, 30 * 24).default(72),
  /** Hours a password reset link stays valid. */
  AUTH_RESET_HOURS: int(1, 7 * 24).default(24),
  /** Failed password sign-ins per account within AUTH_SIGN_IN_WINDOW_MINUTES before further attempts are refused (429). */
  AUTH_SIGN_IN_MAX_FAILURES: int(1, 10_000).default(10),
  /** Failed password sign-ins per client address within the window before its attempts are refused (429). */
  AUTH_SIGN_IN_MAX_FAILURES_PER_ADDRESS: int(1, 100_000).default(50),
  AUTH_SIGN_IN_WINDOW_MINUTES: int(1, 1440).default(15),
  /** OpenID Connect provider (its issuer URL, with /.well-known/openid-configuration below it): turns on GET /auth/login. */
  AUTH_OIDC_ISSUER: urlWith(['http:', 'https:'], 'https://login.example.com/realms/sales').optional(),
  AUTH_OIDC_CLIENT_ID: z.string().min(1).max(200).optional(),
  /** Set for a confidential client; unset: a public client (PKCE alone). */
  AUTH_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The ID token claim that names the person: they act as user:<claim value>. */
  AUTH_OIDC_SUBJECT_CLAIM: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'must be a claim name such as sub or email')
    .default('sub'),
  AUTH_OIDC_SCOPES: z
    .string()
    .regex(/^openid( [\x21-\x7e]+)*$/, 'must be space-separated scopes starting with openid')
    .default('openid profile email'),
  /** Allowed browser origins for CORS, comma-separated; unset: no cross-origin access. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  /** Requests per credential (or per address, unauthenticated) per minute. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number({ error: 'must be a number' }).int().min(1).max(1_000_000).default(1200),
  /** Event streams (/events/stream, /me/alerts/stream) one principal may hold open at once, per API process. */
  STREAMS_PER_PRINCIPAL: int(1, 1000).default(10),
  /** Event streams an API process holds open at once, for everyone together. */
  STREAMS_TOTAL: int(1, 100_000).default(1000),
  /**
   * Milliseconds a client has to send a whole request, headers and body: a body trickled in slower
   * is answered 408 and its connection closed, so it cannot hold the connection for minutes.
   */
  HTTP_REQUEST_TIMEOUT_MS: int(1000, 3_600_000).default(60_000),
  /** Failed authentications (a wrong token or key) per minute, counted per address and per API key prefix. */
  AUTH_FAILURES_PER_MINUTE: int(1, 100_000).default(20),
  /** Milliseconds between the comment lines an idle event stream (GET /events/stream) sends. */
  FEED_HEARTBEAT_MS: z.coerce
    .number({ error: 'must be a number' })
    .int()
    .min(100, 'must be at least 100')
    .max(300_000, 'must be at most 300000')
    .default(15_000),
  /** Prefix of every Redis key the job queues use: give each installation sharing a Redis its own. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,60}$/, 'must be 1–60 letters, digits, ".", "_" or "-"')
    .default('planledger'),
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
  /** Alert deliveries may use plain http:// (else https:// only), for on-premise receivers without TLS. */
  OUTBOUND_ALLOW_HTTP: flag.default(false),
  /**
   * Receivers on addresses that are otherwise refused (loopback, private, link-local, …): host
   * names, addresses or CIDR ranges, each optionally with :port, separated by commas.
   */
  OUTBOUND_ALLOW: z
    .string()
    .max(4000)
    .superRefine((value, ctx) => {
      const parsed = parseOutboundAllow(value);
      if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
    })
    .default(''),
  /** The most of a receiver's answer read (the rest is dropped; only a robot's error code is looked at). */
  OUTBOUND_MAX_RESPONSE_BYTES: int(1024, 10_485_760).default(65_536),
  /** When the daily digest goes out (cron, in DIGEST_TIME_ZONE). */
  DIGEST_CRON: z
    .string()
    .regex(/^\S+( \S+){4,5}$/, 'must be a cron pattern such as "0 8 * * *"')
    .default('0 8 * * *'),
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
  /** OUTBOUND_ALLOW, parsed. */
  outboundAllow: OutboundAllowEntry[];
  /** Where the event store lives, from EVENT_STORE_URL and DATA_DIR. */
  eventStore: EventStoreLocation;
  WORKER_IN_PROCESS: boolean;
};

export type EventStoreLocation =
  { kind: 'pglite'; dataDir: string | undefined } | { kind: 'postgres'; url: string } | { kind: 'memory' } | KurrentDbLocation;

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
    case 'kurrentdb+discover:':
    case 'kurrent:':
    case 'kurrent+discover:':
    case 'kdb:':
    case 'kdb+discover:':
    case 'esdb:':
    case 'esdb+discover:':
      return parseKurrentDbUrl(url);
    default:
      return { error: `has an unknown scheme "${scheme || url}" (expected postgres://, pglite:, memory: or kurrentdb://)` };
  }
}

/** A configuration problem, reported as one line naming the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
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
  // On KurrentDB the read models live in each process's memory: the API must run the projections.
  const readModelsInProcess = embedded || eventStore.kind === 'kurrentdb';
  if (parsed.data.AUTH_JWKS_URL && !parsed.data.AUTH_JWT_ISSUER)
    throw new ConfigError('AUTH_JWT_ISSUER', 'must be set with AUTH_JWKS_URL (the iss every token must carry)');
  if (Boolean(parsed.data.AUTH_OIDC_ISSUER) !== Boolean(parsed.data.AUTH_OIDC_CLIENT_ID))
    throw new ConfigError(
      parsed.data.AUTH_OIDC_ISSUER ? 'AUTH_OIDC_CLIENT_ID' : 'AUTH_OIDC_ISSUER',
      'must be set together with ' + (parsed.data.AUTH_OIDC_ISSUER ? 'AUTH_OIDC_ISSUER' : 'AUTH_OIDC_CLIENT_ID'),
    );
  if (parsed.data.AUTH_JWKS_URL && parsed.data.AUTH_JWT_SECRET)
    throw new ConfigError('AUTH_JWT_SECRET', 'must not be set together with AUTH_JWKS_URL: choose one way to verify tokens');
  const outboundAllow = parseOutboundAllow(parsed.data.OUTBOUND_ALLOW);
  if ('error' in outboundAllow) throw new ConfigError('OUTBOUND_ALLOW', outboundAllow.error);
  return {
    ...parsed.data,
    eventStore,
    outboundAllow,
    WORKER_IN_PROCESS: parsed.data.WORKER_IN_PROCESS ?? readModelsInProcess,
    DEMO_ON_FIRST_START: parsed.data.DEMO_ON_FIRST_START ?? eventStore.kind === 'pglite',
  };
}

/** The value with any password in a URL's user info replaced by ***, for logs and /health. */
export function redactUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@?#]*):[^@/?#]*@/i, '$1:***@').replace(SECRET_QUERY_PARAMETER, '$1***');
}

/** Query parameters that carry a secret in connection strings (libpq's `?password=`, Redis, tokens in URLs). */
const SECRET_QUERY_PARAMETER = /([?&](?:password|passwd|pwd|pass|secret|token|access_token|api[_-]?key|sslpassword)=)[^&#]*/gi;
