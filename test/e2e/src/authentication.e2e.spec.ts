import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ServiceProcess } from './support/service-process';

jest.setTimeout(60_000);

/**
 * Tokens from an identity provider: the API fetches the provider's signing keys from its JWKS URL
 * and accepts RS256 tokens with the configured issuer and audience, nothing else. CORS answers only
 * the configured origins.
 */
describe('tokens verified against an identity provider (JWKS), and CORS', () => {
  let jwks: Server;
  let api: ServiceProcess;
  let base: string;
  let dir: string;
  let privateKey: KeyLike;
  const issuer = 'https://id.example.test/';

  const token = (claims: { sub?: string; iss?: string; aud?: string }, key: KeyLike = privateKey) => {
    const jwt = new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuedAt().setExpirationTime('10m');
    if (claims.sub) jwt.setSubject(claims.sub);
    if (claims.iss) jwt.setIssuer(claims.iss);
    if (claims.aud) jwt.setAudience(claims.aud);
    return jwt.sign(key);
  };

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
    dir = await mkdtemp(join(tmpdir(), 'planledger-auth-'));
    const port = await freePort();
    api = ServiceProcess.start(
      'api',
      {
        PORT: String(port),
        EVENT_STORE_URL: 'memory:',
        REDIS_URL: 'redis://127.0.0.1:6379',
        AUTH_JWKS_URL: jwksUrl,
        AUTH_JWT_ISSUER: issuer,
        AUTH_JWT_AUDIENCE: 'planledger',
        AUTH_ADMINS: 'user:alice',
        CORS_ORIGINS: 'https://app.example.test',
      },
      dir,
    );
    await api.waitFor(/listening on/);
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await api?.stop();
    await new Promise((resolve) => jwks?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const projects = async (credential: string) =>
    (await fetch(`${base}/projects`, { headers: { authorization: `Bearer ${credential}` } })).status;

  it('accepts a token the provider signed for this API, and prints no development token', async () => {
    expect(await projects(await token({ sub: 'alice', iss: issuer, aud: 'planledger' }))).toBe(200);
    expect(api.output).not.toMatch(/Development token/);
  });

  it('refuses a token for another issuer or audience, without a subject, or signed by another key', async () => {
    const other = await generateKeyPair('RS256');
    expect(await projects(await token({ sub: 'alice', iss: 'https://evil.example.test/', aud: 'planledger' }))).toBe(401);
    expect(await projects(await token({ sub: 'alice', iss: issuer, aud: 'another-api' }))).toBe(401);
    expect(await projects(await token({ iss: issuer, aud: 'planledger' }))).toBe(401);
    expect(await projects(await token({ sub: 'alice', iss: issuer, aud: 'planledger' }, other.privateKey))).toBe(401);
    // An HS256 token made with the public key as its secret (the classic algorithm confusion) is refused too.
    const confused = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setSubject('alice')
      .setIssuer(issuer)
      .setAudience('planledger')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    expect(await projects(confused)).toBe(401);
  });

  it('answers CORS preflights for the configured origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${base}/projects`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
    expect((await preflight('https://app.example.test')).headers.get('access-control-allow-origin')).toBe('https://app.example.test');
    expect((await preflight('https://evil.example.test')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
