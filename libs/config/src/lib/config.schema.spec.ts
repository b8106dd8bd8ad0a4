import { ConfigError, loadConfig, redactUrl } from './config.schema';

describe('loadConfig', () => {
  it('gives the embedded defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      NODE_ENV: 'development',
      EVENT_STORE_URL: undefined,
      DATA_DIR: './data',
      EVENT_STORE_POOL_SIZE: 10,
      EVENT_STORE_POLL_MS: 100,
      AGGREGATE_CACHE_SIZE: 10_000,
      REDIS_URL: 'redis://127.0.0.1:6379',
      HOST: '127.0.0.1',
      PORT: 3000,
      LOG_LEVEL: 'log',
      DOCS_ENABLED: true,
      AUTH_ADMINS: [],
      CORS_ORIGINS: [],
      RATE_LIMIT_PER_MINUTE: 1200,
      FEED_HEARTBEAT_MS: 15_000,
      QUEUE_PREFIX: 'planledger',
      ALERTS_ENABLED: true,
      DRIFT_SCAN_EVERY_MS: 3_600_000,
      DRIFT_DEBOUNCE_MS: 2000,
      DRIFT_TRAILING_DAYS: 14,
      DRIFT_STALE_AFTER_DAYS: 7,
      REMINDER_DUE_WITHIN_DAYS: 2,
      REMINDER_BLOCKED_DAYS: 3,
      ALERT_ESCALATE_AFTER_MINUTES: 240,
      ALERT_MAX_AGE_HOURS: 24,
      DELIVERY_ATTEMPTS: 6,
      DELIVERY_BACKOFF_MS: 2000,
      DELIVERY_TIMEOUT_MS: 10_000,
      DIGEST_CRON: '0 8 * * *',
      DIGEST_TIME_ZONE: 'UTC',
      SMTP_FROM: 'PlanLedger <alerts@planledger.invalid>',
      eventStore: { kind: 'pglite', dataDir: 'data/pglite' },
      WORKER_IN_PROCESS: true,
      DEMO_ON_FIRST_START: true,
    });
  });

  it('names the alert setting that is wrong, and never echoes the notification key', () => {
    expect(() => loadConfig({ DRIFT_SCAN_EVERY_MS: '10' })).toThrow('Invalid configuration: DRIFT_SCAN_EVERY_MS must be from 1000 to 604800000 (got "10")');
    expect(() => loadConfig({ DIGEST_TIME_ZONE: 'Mars/Base' })).toThrow('DIGEST_TIME_ZONE must be an IANA time zone');
    expect(() => loadConfig({ DIGEST_CRON: 'daily' })).toThrow('DIGEST_CRON must be a cron pattern');
    expect(() => loadConfig({ SMTP_URL: 'http://mail' })).toThrow('SMTP_URL must be a URL like smtp://');
    expect(() => loadConfig({ NOTIFY_SECRET_KEY: 'short-secret' })).toThrow(/^Invalid configuration: NOTIFY_SECRET_KEY must be at least 32 characters$/);
  });

  it('runs the worker loops in-process on embedded stores only, unless told otherwise', () => {
    expect(loadConfig({ EVENT_STORE_URL: 'memory:' }).WORKER_IN_PROCESS).toBe(true);
    expect(loadConfig({ EVENT_STORE_URL: 'postgres://u@db/x' }).WORKER_IN_PROCESS).toBe(false);
    expect(loadConfig({ EVENT_STORE_URL: 'postgres://u@db/x', WORKER_IN_PROCESS: 'true' }).WORKER_IN_PROCESS).toBe(true);
  });

  it('loads the demo on first start of the embedded store only, unless told otherwise', () => {
    expect(loadConfig({ EVENT_STORE_URL: 'memory:' }).DEMO_ON_FIRST_START).toBe(false);
    expect(loadConfig({ EVENT_STORE_URL: 'postgres://u@db/x' }).DEMO_ON_FIRST_START).toBe(false);
    expect(loadConfig({ DEMO_ON_FIRST_START: 'false' }).DEMO_ON_FIRST_START).toBe(false);
  });

  it('reads and converts what is set, treating empty values as unset', () => {
    const config = loadConfig({ PORT: '8080', EVENT_STORE_URL: 'postgres://u@db/x', REDIS_URL: 'rediss://r:6380', DOCS_ENABLED: 'false', HOST: ' ' });
    expect(config).toMatchObject({ PORT: 8080, EVENT_STORE_URL: 'postgres://u@db/x', REDIS_URL: 'rediss://r:6380', DOCS_ENABLED: false, HOST: '127.0.0.1' });
  });

  it.each([
    [undefined, { kind: 'pglite', dataDir: 'data/pglite' }],
    ['postgres://u@db:5432/x', { kind: 'postgres', url: 'postgres://u@db:5432/x' }],
    ['postgresql://u@db/x', { kind: 'postgres', url: 'postgresql://u@db/x' }],
    ['postgres://postgres@/test?host=/var/run/postgresql', { kind: 'postgres', url: 'postgres://postgres@/test?host=/var/run/postgresql' }],
    ['pglite:/var/lib/planledger', { kind: 'pglite', dataDir: '/var/lib/planledger' }],
    ['pglite:memory', { kind: 'pglite', dataDir: undefined }],
    ['memory:', { kind: 'memory' }],
    ['kurrentdb://localhost:2113', { kind: 'kurrentdb', url: 'kurrentdb://localhost:2113' }],
  ])('reads EVENT_STORE_URL=%p as %p', (url, location) => {
    expect(loadConfig({ EVENT_STORE_URL: url }).eventStore).toEqual(location);
  });

  it.each([
    [{ PORT: 'eighty' }, /^Invalid configuration: PORT must be a number \(got "eighty"\)$/],
    [{ AUTH_JWT_SECRET: 'short' }, /^Invalid configuration: AUTH_JWT_SECRET must be at least 32 characters$/],
    [{ AUTH_JWKS_URL: 'https://id.example.com/.well-known/jwks.json' }, /^Invalid configuration: AUTH_JWT_ISSUER must be set with AUTH_JWKS_URL/],
    [{ AUTH_ADMINS: 'alice' }, /^Invalid configuration: AUTH_ADMINS must list subjects such as user:alice/],
    [{ AGGREGATE_CACHE_SIZE: '-1' }, /^Invalid configuration: AGGREGATE_CACHE_SIZE .* \(got "-1"\)$/],
    [{ PORT: '70000' }, /^Invalid configuration: PORT must be from 1 to 65535/],
    [{ EVENT_STORE_URL: 'mysql://x' }, /^Invalid configuration: EVENT_STORE_URL has an unknown scheme "mysql:"/],
    [{ EVENT_STORE_URL: 'postgres://' }, /^Invalid configuration: EVENT_STORE_URL is not a valid PostgreSQL URL/],
    [{ EVENT_STORE_URL: 'pglite:' }, /^Invalid configuration: EVENT_STORE_URL names no directory/],
    [{ REDIS_URL: 'http://user:pw@host' }, /^Invalid configuration: REDIS_URL must be a URL like redis:\/\/127.0.0.1:6379 \(got "http:\/\/user:\*\*\*@host"\)$/],
    [{ NODE_ENV: 'staging' }, /^Invalid configuration: NODE_ENV must be development, production or test/],
    [{ DOCS_ENABLED: 'maybe' }, /^Invalid configuration: DOCS_ENABLED must be true or false/],
  ])('stops on %p with one line naming the variable', (env, message) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('redactUrl', () => {
  it.each([
    ['postgres://app:s3cret@db:5432/x', 'postgres://app:***@db:5432/x'],
    ['redis://:s3cret@cache:6379', 'redis://:***@cache:6379'],
    ['postgres://app@/x?host=/run/postgresql', 'postgres://app@/x?host=/run/postgresql'],
    ['postgres://db/x', 'postgres://db/x'],
  ])('shows %s as %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});
