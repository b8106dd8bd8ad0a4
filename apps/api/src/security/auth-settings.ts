import { ConfigError, type PlanLedgerConfig } from '@planledger/config';
import { createRemoteJWKSet, SignJWT, type JWTVerifyGetKey } from 'jose';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** How this API verifies bearer tokens, and who is an organisation admin. */
export interface AuthSettings {
  key: Uint8Array | JWTVerifyGetKey;
  algorithms: string[];
  issuer?: string;
  audience?: string;
  /** The longest validity a token may claim, in seconds (every token needs an exp). */
  maxLifetimeSeconds?: number;
  admins: ReadonlySet<string>;
  /** Set on the embedded store without configured auth: an admin token for local use, printed at start-up. */
  developmentToken?: string;
}

export const AUTH_SETTINGS = Symbol.for('planledger.AuthSettings');
export const DEVELOPMENT_SUBJECT = 'user:dev';
const DEVELOPMENT_TOKEN_DAYS = 30;

/**
 * From the configuration: an HS256 secret or a JWKS URL. With neither, the embedded store (a local
 * run) gets a development secret kept beside its data, so tokens survive restarts, and an admin
 * token for `user:dev`; any other store refuses to start, as an API open to anyone would be worse.
 */
export async function resolveAuthSettings(config: PlanLedgerConfig): Promise<AuthSettings> {
  const admins = new Set(config.AUTH_ADMINS);
  const common = {
    issuer: config.AUTH_JWT_ISSUER,
    audience: config.AUTH_JWT_AUDIENCE,
    maxLifetimeSeconds: config.AUTH_JWT_MAX_LIFETIME_HOURS * 3600,
  };
  if (config.AUTH_JWKS_URL)
    return { ...common, key: createRemoteJWKSet(new URL(config.AUTH_JWKS_URL)), algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'], admins };
  if (config.AUTH_JWT_SECRET) return { ...common, key: new TextEncoder().encode(config.AUTH_JWT_SECRET), algorithms: ['HS256'], admins };
  const embedded = config.eventStore.kind === 'pglite' || config.eventStore.kind === 'memory';
  if (!embedded)
    throw new ConfigError(
      'AUTH_JWT_SECRET',
      'must be set (or AUTH_JWKS_URL with AUTH_JWT_ISSUER) when the event store is not the embedded one',
    );
  const secret = developmentSecret(config);
  admins.add(DEVELOPMENT_SUBJECT);
  const developmentToken = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(DEVELOPMENT_SUBJECT.slice('user:'.length))
    .setIssuedAt()
    .setExpirationTime(`${DEVELOPMENT_TOKEN_DAYS}d`)
    .sign(secret);
  return { ...common, key: secret, algorithms: ['HS256'], admins, developmentToken };
}

/**
 * On the embedded store with no NOTIFY_SECRET_KEY set, a generated one kept beside the development
 * auth secret (same life, same file mode), so the first alert subscription of a local run works.
 * Any other store keeps the configured key or none.
 */
export function withDevelopmentNotifyKey(config: PlanLedgerConfig): PlanLedgerConfig {
  if (config.NOTIFY_SECRET_KEY || config.eventStore.kind !== 'pglite' || config.eventStore.dataDir === undefined) return config;
  const file = join(dirname(config.eventStore.dataDir), 'dev-notify-secret');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  chmodSync(file, 0o600);
  return { ...config, NOTIFY_SECRET_KEY: readFileSync(file, 'utf8').trim() };
}

function developmentSecret(config: PlanLedgerConfig): Uint8Array {
  if (config.eventStore.kind !== 'pglite' || config.eventStore.dataDir === undefined) return randomBytes(32);
  const file = join(dirname(config.eventStore.dataDir), 'dev-auth-secret');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  chmodSync(file, 0o600);
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}
