import { ConfigError, loadConfig, redactUrl } from './config.schema';

describe('loadConfig', () => {
  it('turns group commit off with EVENT_STORE_GROUP_COMMIT=false', () => {
    expect(loadConfig({ EVENT_STORE_GROUP_COMMIT: 'false' }).EVENT_STORE_GROUP_COMMIT).toBe(false);
    expect(loadConfig({ EVENT_STORE_GROUP_COMMIT: 'true' }).EVENT_STORE_GROUP_COMMIT).toBe(true);
  });

  it('gives the embedded defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      NODE_ENV: 'development',
      EVENT_STORE_URL: undefined,
      DATA_DIR: './data',
      EVENT_STORE_POOL_SIZE: 10,
      EVENT_STORE_POLL_MS: 100,
      EVENT_STORE_CONNECT_TIMEOUT_MS: 3000,
      EVENT_STORE_STATEMENT_TIMEOUT_MS: 30_000,
      EVENT_STORE_GROUP_COMMIT: true,
      IDEMPOTENCY_KEY_REQUIRED: false,
      READ_OWN_WRITES: true,
      REQUEST_DEADLINE_MS: 10_000,
      LOOP_STUCK_AFTER_MS: 60_000,
      LOOP_MAX_BACKOFF_MS: 5000,
      AGGREGATE_CACHE_SIZE: 10_000,
      REDIS_URL: 'redis://127.0.0.1:6379',
      HOST: '127.0.0.1',
      PORT: 3000,
      LOG_LEVEL: 'log',
      DOCS_ENABLED: true,
      AUTH_ADMINS: [],
      AUTH_SESSION_IDLE_MINUTES: 120,
      AUTH_SESSION_MAX_HOURS: 12,
      AUTH_LOCAL_ACCOUNTS: true,
      AUTH_TOKEN_SIGN_IN: true,
      AUTH_INVITATION_HOURS: 72,
      AUTH_RESET_HOURS: 24,
      AUTH_SIGN_IN_MAX_FAILURES: 10,
      AUTH_SIGN_IN_MAX_FAILURES_PER_ADDRESS: 50,
      AUTH_SIGN_IN_WINDOW_MINUTES: 15,
      AUTH_OIDC_SUBJECT_CLAIM: 'sub',
      AUTH_OIDC_SCOPES: 'openid profile email',
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
      AUTH_JWT_MAX_LIFETIME_HOURS: 744,
      AUTH_FAILURES_PER_MINUTE: 20,
      STREAMS_PER_PRINCIPAL: 10,
      STREAMS_TOTAL: 1000,
      HTTP_REQUEST_TIMEOUT_MS: 60_000,
      OUTBOUND_ALLOW_HTTP: false,
      OUTBOUND_ALLOW: '',
      OUTBOUND_MAX_RESPONSE_BYTES: 65_536,
      outboundAllow: [],
      DIGEST_CRON: '0 8 * * *',
      DIGEST_TIME_ZONE: 'UTC',
      SMTP_FROM: 'PlanLedger <alerts@planledger.invalid>',
      eventStore: { kind: 'pglite', dataDir: 'data/pglite' },
      WORKER_IN_PROCESS: true,
      DEMO_ON_FIRST_START: true,
    });
  });

  it('reads the outbound allow-list: names, addresses and ranges, each with an optional port', () => {
    const { outboundAllow } = loadConfig({ OUTBOUND_ALLOW: 'Hooks.Intranet.example:8443, 10.20.0.0/16, [fd00::7]:8080, 127.0.0.1:9000' });
    expect(
      outboundAllow.map((e) => (e.kind === 'host' ? `${e.host}:${e.port}` : `${e.range[0].toString()}/${e.range[1]}:${e.port}`)),
    ).toEqual(['hooks.intranet.example:8443', '10.20.0.0/16:undefined', 'fd00::7/128:8080', '127.0.0.1/32:9000']);
    expect(loadConfig({}).outboundAllow).toEqual([]);
    expect(loadConfig({}).OUTBOUND_ALLOW_HTTP).toBe(false);
  });

  it('names the alert setting that is wrong, and never echoes the notification key', () => {
    expect(() => loadConfig({ DRIFT_SCAN_EVERY_MS: '10' })).toThrow(
      'Invalid configuration: DRIFT_SCAN_EVERY_MS must be from 1000 to 604800000 (got "10")',
    );
    expect(() => loadConfig({ DIGEST_TIME_ZONE: 'Mars/Base' })).toThrow('DIGEST_TIME_ZONE must be an IANA time zone');
    expect(() => loadConfig({ DIGEST_CRON: 'daily' })).toThrow('DIGEST_CRON must be a cron pattern');
    expect(() => loadConfig({ SMTP_URL: 'http://mail' })).toThrow('SMTP_URL must be a URL like smtp://');
    expect(() => loadConfig({ OUTBOUND_ALLOW: 'hooks.intranet, 10.0.0.0/33' })).toThrow(
      'OUTBOUND_ALLOW has an entry "10.0.0.0/33" that is not a host name, an address or a range (CIDR), with an optional :port',
    );
    expect(() => loadConfig({ OUTBOUND_ALLOW: '127.0.0.1:99999' })).toThrow('OUTBOUND_ALLOW has an entry "127.0.0.1:99999"');
    expect(() => loadConfig({ NOTIFY_SECRET_KEY: 'short-secret' })).toThrow(
      /^Invalid configuration: NOTIFY_SECRET_KEY must be at least 32 characters$/,
    );
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

  it('reads which proxies to trust as Express does: hops, names or addresses', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).TRUST_PROXY).toBe('loopback');
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).TRUST_PROXY).toBe('10.0.0.0/8, 127.0.0.1');
    expect(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({}).TRUST_PROXY).toBeUndefined();
  });

  it('reads and converts what is set, treating empty values as unset', () => {
    const config = loadConfig({
      PORT: '8080',
      EVENT_STORE_URL: 'postgres://u@db/x',
      REDIS_URL: 'rediss://r:6380',
      DOCS_ENABLED: 'false',
      HOST: ' ',
    });
    expect(config).toMatchObject({
      PORT: 8080,
      EVENT_STORE_URL: 'postgres://u@db/x',
      REDIS_URL: 'rediss://r:6380',
      DOCS_ENABLED: false,
      HOST: '127.0.0.1',
    });
  });

  it.each([
    [undefined, { kind: 'pglite', dataDir: 'data/pglite' }],
    ['postgres://u@db:5432/x', { kind: 'postgres', url: 'postgres://u@db:5432/x' }],
    ['postgresql://u@db/x', { kind: 'postgres', url: 'postgresql://u@db/x' }],
    ['postgres://postgres@/test?host=/var/run/postgresql', { kind: 'postgres', url: 'postgres://postgres@/test?host=/var/run/postgresql' }],
    ['pglite:/var/lib/planledger', { kind: 'pglite', dataDir: '/var/lib/planledger' }],
    ['pglite:memory', { kind: 'pglite', dataDir: undefined }],
    ['memory:', { kind: 'memory' }],
    ['kurrentdb://localhost:2113', expect.objectContaining({ kind: 'kurrentdb', url: 'kurrentdb://localhost:2113' })],
  ])('reads EVENT_STORE_URL=%p as %p', (url, location) => {
    expect(loadConfig({ EVENT_STORE_URL: url }).eventStore).toEqual(location);
  });

  it.each([
    [{ PORT: 'eighty' }, /^Invalid configuration: PORT must be a number \(got "eighty"\)$/],
    [{ AUTH_JWT_SECRET: 'short' }, /^Invalid configuration: AUTH_JWT_SECRET must be at least 32 characters$/],
    [
      { AUTH_JWKS_URL: 'https://id.example.com/.well-known/jwks.json' },
      /^Invalid configuration: AUTH_JWT_ISSUER must be set with AUTH_JWKS_URL/,
    ],
    [{ AUTH_ADMINS: 'alice' }, /^Invalid configuration: AUTH_ADMINS must list subjects such as user:alice/],
    [
      { AUTH_OIDC_ISSUER: 'https://id.example.com' },
      /^Invalid configuration: AUTH_OIDC_CLIENT_ID must be set together with AUTH_OIDC_ISSUER/,
    ],
    [
      { AUTH_OIDC_ISSUER: 'ftp://id.example.com', AUTH_OIDC_CLIENT_ID: 'x' },
      /^Invalid configuration: AUTH_OIDC_ISSUER must be a URL like https:/,
    ],
    [{ AUTH_SESSION_IDLE_MINUTES: '0' }, /^Invalid configuration: AUTH_SESSION_IDLE_MINUTES must be from 1 to 43200/],
    [{ AUTH_COOKIE_SECURE: 'maybe' }, /^Invalid configuration: AUTH_COOKIE_SECURE must be true or false/],
    [{ AUTH_BOOTSTRAP_ADMIN: 'a b' }, /^Invalid configuration: AUTH_BOOTSTRAP_ADMIN must be an e-mail address or a name/],
    [{ TRUST_PROXY: 'the proxy' }, /^Invalid configuration: TRUST_PROXY must be a number of hops/],
    [{ AGGREGATE_CACHE_SIZE: '-1' }, /^Invalid configuration: AGGREGATE_CACHE_SIZE .* \(got "-1"\)$/],
    [{ PORT: '70000' }, /^Invalid configuration: PORT must be from 1 to 65535/],
    [{ EVENT_STORE_URL: 'mysql://x' }, /^Invalid configuration: EVENT_STORE_URL has an unknown scheme "mysql:"/],
    [{ EVENT_STORE_URL: 'postgres://' }, /^Invalid configuration: EVENT_STORE_URL is not a valid PostgreSQL URL/],
    [{ EVENT_STORE_URL: 'pglite:' }, /^Invalid configuration: EVENT_STORE_URL names no directory/],
    [
      { REDIS_URL: 'http://user:pw@host' },
      /^Invalid configuration: REDIS_URL must be a URL like redis:\/\/127.0.0.1:6379 \(got "http:\/\/user:\*\*\*@host"\)$/,
    ],
    [{ NODE_ENV: 'staging' }, /^Invalid configuration: NODE_ENV must be development, production or test/],
    [{ DOCS_ENABLED: 'maybe' }, /^Invalid configuration: DOCS_ENABLED must be true or false/],
    [{ EVENT_STORE_GROUP_COMMIT: 'sometimes' }, /^Invalid configuration: EVENT_STORE_GROUP_COMMIT must be true or false/],
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
    // The libpq form the README documents, and secrets in the query of any URL.
    ['postgres://app@/x?host=/run/postgresql&password=s3cret', 'postgres://app@/x?host=/run/postgresql&password=***'],
    ['postgres://app@db/x?PASSWORD=s3cret&sslmode=require', 'postgres://app@db/x?PASSWORD=***&sslmode=require'],
    ['redis://cache:6379/0?password=s3cret', 'redis://cache:6379/0?password=***'],
    ['https://hooks.example.com/in?token=abc&x=1#f', 'https://hooks.example.com/in?token=***&x=1#f'],
  ])('shows %s as %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});
