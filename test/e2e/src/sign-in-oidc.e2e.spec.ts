import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Browser } from './support/browser';
import { SecuredApi } from './support/secured-api';
import { freePort } from './support/service-process';
import { tokenFor } from './support/tokens';

jest.setTimeout(120_000);

/**
 * Signing in with an identity provider, end to end: the built API as relying party against a real
 * OpenID Provider (`oidc-provider`) in its own process, authorization code with PKCE. The good path
 * signs the person in as user:<sub>; a bad state, a replayed code, an ID token for another audience
 * and an expired one are refused and sign nobody in.
 */
let api: SecuredApi;
let provider: ChildProcess;
let providerOutput = '';
let issuer: string;

/** A cookie jar for the provider's site, so the browser keeps its interaction and session cookies. */
class ProviderJar {
  private readonly cookies = new Map<string, string>();
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  keep(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const pair = line.split(';')[0];
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }
}

/**
 * What a browser does from GET /auth/login to the provider's redirect back: follows each redirect
 * (the provider signs the person in without a form), and stops at the callback, which it answers.
 */
async function toCallback(browser: Browser, returnTo = '/projects'): Promise<{ callback: string; authorize: URL }> {
  const login = await browser.call('GET', `/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  expect(login.status).toBe(302);
  const authorize = new URL(login.headers.get('location') ?? '');
  const jar = new ProviderJar();
  let next = authorize.href;
  for (let hop = 0; hop < 10; hop++) {
    if (next.startsWith(api.base)) return { callback: next.slice(api.base.length), authorize };
    const answer = await fetch(next, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.keep(answer.headers);
    const location = answer.headers.get('location');
    if (!location) throw new Error(`the provider answered ${answer.status} without a redirect: ${await answer.text()}`);
    next = new URL(location, next).href;
  }
  throw new Error('too many redirects');
}

async function control(query: string): Promise<void> {
  expect((await fetch(`${issuer}/__control?${query}`)).status).toBe(204);
}

beforeAll(async () => {
  const providerPort = await freePort();
  issuer = `http://127.0.0.1:${providerPort}`;
  // Discovery happens at the first sign-in, so the API may start before the provider.
  api = await SecuredApi.start({
    AUTH_OIDC_ISSUER: issuer,
    AUTH_OIDC_CLIENT_ID: 'planledger',
    AUTH_OIDC_CLIENT_SECRET: 'planledger-oidc-test-secret',
    // An installation that signs people in through its provider only.
    AUTH_LOCAL_ACCOUNTS: 'false',
    AUTH_TOKEN_SIGN_IN: 'false',
  });
  provider = spawn(process.execPath, [join(__dirname, 'support', 'oidc-provider.mjs'), String(providerPort), `${api.base}/auth/callback`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  provider.stdout?.on('data', (chunk: Buffer) => (providerOutput += chunk.toString()));
  provider.stderr?.on('data', (chunk: Buffer) => (providerOutput += chunk.toString()));
  for (const deadline = Date.now() + 20_000; !providerOutput.includes('provider ready'); await new Promise((r) => setTimeout(r, 50)))
    if (Date.now() > deadline || provider.exitCode !== null) throw new Error(`the provider did not start:\n${providerOutput}`);
});
afterAll(async () => {
  provider?.kill();
  await api?.stop();
});

it('offers the identity provider only, when local accounts and token sign-in are turned off', async () => {
  expect((await api.call(undefined, 'GET', '/auth/methods')).body).toEqual({ oidc: true, local: false, token: false });
  const admin = `Bearer ${await tokenFor('admin')}`;
  expect(await api.call(undefined, 'POST', '/auth/password', { login: 'li.na', password: 'whatever it is' })).toMatchObject({
    status: 404,
    body: { code: 'LOCAL_ACCOUNTS_OFF' },
  });
  expect(await api.call(admin, 'POST', '/invitations', { login: 'li.na@example.com' })).toMatchObject({
    status: 404,
    body: { code: 'LOCAL_ACCOUNTS_OFF' },
  });
  expect(await api.call(undefined, 'POST', '/auth/token', { token: admin.slice('Bearer '.length) })).toMatchObject({
    status: 404,
    body: { code: 'TOKEN_SIGN_IN_OFF' },
  });
});

it('signs a person in with the code flow and PKCE, as user:<sub>, and returns to where they were going', async () => {
  const browser = new Browser(api.base);
  const { callback, authorize } = await toCallback(browser, '/projects?view=mine');
  expect(authorize.origin).toBe(issuer);
  expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
    response_type: 'code',
    client_id: 'planledger',
    redirect_uri: `${api.base}/auth/callback`,
    code_challenge_method: 'S256',
    code_challenge: expect.stringMatching(/^[\w-]{43}$/),
    state: expect.any(String),
    nonce: expect.any(String),
    scope: 'openid profile email',
  });
  const answered = await browser.call('GET', callback);
  expect(answered.status).toBe(302);
  expect(answered.headers.get('location')).toBe('/projects?view=mine');
  expect(browser.session).toBeDefined();
  expect(await browser.call('GET', '/me')).toMatchObject({
    status: 200,
    body: { actor: 'user:wang.wei', name: '王伟', via: 'session', projects: [] },
  });
  // The person acts as user:wang.wei: an admin grants roles to that subject like to any other.
  const admin = `Bearer ${await tokenFor('admin')}`;
  const projects = await api.call(admin, 'GET', '/projects');
  expect(projects.status).toBe(200);
});

it('returns only to a path of this site, never to another one', async () => {
  for (const returnTo of ['//evil.example.test/x', 'https://evil.example.test/', '/\\evil.example.test']) {
    const browser = new Browser(api.base);
    const { callback } = await toCallback(browser, returnTo);
    const answered = await browser.call('GET', callback);
    expect({ returnTo, status: answered.status, location: answered.headers.get('location') }).toEqual({
      returnTo,
      status: 302,
      location: '/',
    });
  }
});

it('refuses a callback whose state is not the one this browser started with, and signs nobody in', async () => {
  const browser = new Browser(api.base);
  const { callback } = await toCallback(browser);
  const tampered = callback.replace(/([?&]state=)[^&]+/, '$1not-the-state');
  const answered = await browser.call('GET', tampered);
  expect(answered).toMatchObject({ status: 401, body: { code: 'OIDC_SIGN_IN_FAILED' } });
  expect(browser.session).toBeUndefined();
  // A callback with no sign-in started in this browser at all.
  expect(await new Browser(api.base).call('GET', callback)).toMatchObject({ status: 401, body: { code: 'OIDC_SIGN_IN_FAILED' } });
});

it('refuses a code used once already, even with the sign-in cookie of its flow', async () => {
  const browser = new Browser(api.base);
  const { callback } = await toCallback(browser);
  const pending = browser.cookieHeader();
  expect((await browser.call('GET', callback)).status).toBe(302);
  const replay = await fetch(`${api.base}${callback}`, { redirect: 'manual', headers: { cookie: pending } });
  expect(replay.status).toBe(401);
  expect(await replay.json()).toMatchObject({ code: 'OIDC_SIGN_IN_FAILED' });
  expect(replay.headers.getSetCookie().some((c) => c.startsWith('planledger_session=') && !c.startsWith('planledger_session=;'))).toBe(
    false,
  );
});

it('refuses an ID token issued for another audience', async () => {
  const browser = new Browser(api.base);
  const { callback } = await toCallback(browser);
  await control('spoil=audience');
  const answered = await browser.call('GET', callback);
  expect(answered).toMatchObject({ status: 401, body: { code: 'OIDC_SIGN_IN_FAILED' } });
  expect(String(answered.body['message'])).toMatch(/aud/);
  expect(browser.session).toBeUndefined();
});

it('refuses an expired ID token', async () => {
  const browser = new Browser(api.base);
  const { callback } = await toCallback(browser);
  await control('spoil=expired');
  const answered = await browser.call('GET', callback);
  expect(answered).toMatchObject({ status: 401, body: { code: 'OIDC_SIGN_IN_FAILED' } });
  expect(String(answered.body['message'])).toMatch(/exp/);
  expect(browser.session).toBeUndefined();
});

it('keeps the code and state out of the logs', async () => {
  expect(api.output).toMatch(/session started for user:wang.wei \(oidc\)/);
  expect(api.output).not.toMatch(/[?&]code=/);
});
