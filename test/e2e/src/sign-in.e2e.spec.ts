import { sampleCharter } from '@planledger/contracts/testing';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Browser } from './support/browser';
import { SecuredApi, type Answer } from './support/secured-api';
import { tokenFor } from './support/tokens';

jest.setTimeout(120_000);

/**
 * People signing in from a browser, against the built API on PostgreSQL: invitations, passwords,
 * resets, sessions that end at once, CSRF on every cookie-authenticated change, guessing slowed,
 * and no secret in any log line. Every secret the test sees is kept, to grep the logs for at the end.
 */
let api: SecuredApi;
let admin: string;
let projectId: string;
const secrets = new Set<string>();
/** Mails the API sent, decoded: a real SMTP server on a free port receives them. */
const mails: { to: string; text: string }[] = [];
let smtp: SMTPServer;

/** The text of a quoted-printable mail, as a mail reader shows it. */
function decodeMail(raw: string): string {
  const bytes = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

function keep(...values: (string | undefined)[]): void {
  for (const value of values) if (value) secrets.add(value);
}

async function asAdmin(method: string, path: string, body?: unknown): Promise<Answer> {
  const answer = await api.call(admin, method, path, body);
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer;
}

/** The token of a one-time link (`…?token=…`), kept as a secret. */
function tokenOf(link: unknown): string {
  const token = new URL(String(link)).searchParams.get('token') ?? '';
  keep(token);
  return token;
}

function browser(): Browser {
  return new Browser(api.base);
}

/** Signs a new browser in with a password; keeps its cookies as secrets. */
async function signIn(login: string, password: string): Promise<Browser> {
  const b = browser();
  const answer = await b.call('POST', '/auth/password', { login, password });
  expect(answer.status).toBe(204);
  keep(b.session, b.csrf);
  return b;
}

/** Invites a person to the project and accepts for them: the signed-in browser, the account id and the password. */
async function person(login: string, password: string, body: Record<string, unknown> = {}) {
  const invited = await asAdmin('POST', `/projects/${projectId}/invitations`, { login, ...body });
  const b = browser();
  keep(password);
  expect(await b.call('POST', '/auth/invitations/accept', { token: tokenOf(invited.body['link']), password })).toMatchObject({
    status: 204,
  });
  keep(b.session, b.csrf);
  return { browser: b, accountId: invited.body['accountId'] as string, invited };
}

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('latin1')));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), text: decodeMail(raw) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  api = await SecuredApi.start({
    AUTH_SIGN_IN_MAX_FAILURES: '10',
    AUTH_SIGN_IN_WINDOW_MINUTES: '5',
    SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    SMTP_FROM: 'PlanLedger <signin@planledger.test>',
    AUTH_BOOTSTRAP_ADMIN: 'Boss@example.com',
  });
  admin = `Bearer ${await tokenFor('admin')}`;
  keep(admin.slice('Bearer '.length));
  projectId = (await asAdmin('POST', '/projects', { ...sampleCharter, name: '华东区 Q4' })).body['id'] as string;
  await asAdmin('POST', `/projects/${projectId}/members`, {
    memberId: 'rep-1',
    name: '李娜',
    role: 'Account executive',
    weeklyCapacityHours: 40,
  });
});
afterAll(async () => {
  await api?.stop();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

it('says which ways of signing in are offered', async () => {
  expect(await api.call(undefined, 'GET', '/auth/methods')).toMatchObject({ status: 200, body: { oidc: false, local: true, token: true } });
  expect(await api.call(undefined, 'GET', '/auth/login')).toMatchObject({ status: 404, body: { code: 'OIDC_OFF' } });
});

it('invites the first admin named in the configuration at start, who then administers through a session', async () => {
  const line = /^Invitation for the first admin boss@example.com \(once, until [^)]+\): (\S+)$/m.exec(api.output);
  expect(line).not.toBeNull();
  const b = browser();
  keep('the first admin passphrase');
  const token = new URL(line?.[1] ?? '').searchParams.get('token');
  expect(await b.call('POST', '/auth/invitations/accept', { token, password: 'the first admin passphrase' })).toMatchObject({
    status: 204,
  });
  keep(b.session, b.csrf);
  expect(await b.call('GET', '/me')).toMatchObject({ status: 200, body: { actor: 'user:boss@example.com', orgRole: 'admin' } });
  const invited = await b.call('POST', '/invitations', { login: 'deputy@example.com', orgRole: 'admin' }, { csrf: true });
  expect(invited).toMatchObject({ status: 201, body: { subject: 'user:deputy@example.com' } });
  tokenOf(invited.body['link']);
  expect((await b.call('GET', `/projects/${projectId}`)).status).toBe(200);
});

describe('a local account', () => {
  const login = 'li.na@example.com';
  const password = 'correct horse battery staple';
  let accountId: string;
  let first: Browser;

  it('is invited with a one-time link, sets a password with it and is signed in, and the link works only once', async () => {
    const created = await person(login, password, { name: '李娜', role: 'member', memberId: 'rep-1' });
    accountId = created.accountId;
    first = created.browser;
    expect(created.invited.body).toMatchObject({
      subject: `user:${login}`,
      mailed: true,
      link: expect.stringMatching(/\/invitation\?token=/),
    });
    expect(created.invited.headers.get('cache-control')).toBe('no-store');
    // The same link went out by mail, in English and Chinese.
    const mail = mails.find((m) => m.to === login);
    expect(mail?.text).toContain(created.invited.body['link'] as string);
    expect(mail?.text).toMatch(/请通过此链接设置密码并登录/);
    const me = await first.call('GET', '/me');
    expect(me).toMatchObject({
      status: 200,
      body: {
        actor: `user:${login}`,
        name: '李娜',
        orgRole: 'member',
        via: 'session',
        projects: [{ projectId, name: '华东区 Q4', roles: ['member'] }],
      },
    });
    const actions = (me.body['projects'] as { actions: string[] }[])[0].actions;
    expect(actions).toEqual(expect.arrayContaining(['project.read', 'goal.recordActual', 'task.work', 'issue.raise']));
    expect(actions).not.toContain('goal.plan');
    // The invitation and the acceptance are events, without the link's secret.
    const events = await api.query<{ type: string; data: Record<string, unknown> }>(
      `SELECT type, data FROM pl_events WHERE stream_id = 'accounts' AND data->>'accountId' = $1 ORDER BY global_position`,
      [accountId],
    );
    expect(events.map((e) => e.type)).toEqual(['AccountInvited', 'InvitationAccepted']);
    expect(JSON.stringify(events)).not.toContain(tokenOf(created.invited.body['link']));
    const again = await browser().call('POST', '/auth/invitations/accept', {
      token: tokenOf(created.invited.body['link']),
      password: 'another password 123',
    });
    expect(again).toMatchObject({ status: 422, body: { code: 'LINK_INVALID' } });
  });

  it('shows the link to the inviter only, when the login is a name with no e-mail address', async () => {
    const invited = await asAdmin('POST', `/projects/${projectId}/invitations`, { login: 'wang.fang', role: 'viewer' });
    tokenOf(invited.body['link']);
    expect(invited.body).toMatchObject({ subject: 'user:wang.fang', mailed: false });
    expect(mails.some((m) => m.text.includes(invited.body['link'] as string))).toBe(false);
  });

  it('sets an HttpOnly, SameSite=Lax session cookie (not Secure on loopback) and a readable CSRF cookie', async () => {
    const answer = await fetch(`${api.base}/auth/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'LI.NA@example.com', password }),
    });
    expect(answer.status).toBe(204);
    const [session, csrf] = answer.headers.getSetCookie();
    keep(session.split(';')[0].split('=')[1], csrf.split(';')[0].split('=')[1]);
    expect(session).toMatch(/^planledger_session=[\w-]{40,};/);
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Lax/);
    expect(session).toMatch(/; Path=\//);
    expect(session).not.toMatch(/; Secure/);
    expect(csrf).toMatch(/^planledger_csrf=[\w-]{40,};/);
    expect(csrf).not.toMatch(/HttpOnly/);
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a wrong password, signs in with the right one, signs out at once, and refuses the old cookie', async () => {
    expect(await browser().call('POST', '/auth/password', { login, password: 'not the password' })).toMatchObject({
      status: 401,
      body: { code: 'SIGN_IN_FAILED' },
    });
    expect(await browser().call('POST', '/auth/password', { login: 'nobody@example.com', password })).toMatchObject({
      status: 401,
      body: { code: 'SIGN_IN_FAILED' },
    });
    const b = await signIn(login, password);
    expect((await b.call('GET', '/me')).status).toBe(200);
    const old = b.cookieHeader();
    // Signing out is a change too: without the CSRF proof it is refused and the session lives on.
    expect(await b.call('POST', '/auth/logout')).toMatchObject({ status: 403, body: { code: 'CSRF_TOKEN_MISSING' } });
    expect((await b.call('GET', '/me')).status).toBe(200);
    expect(await b.call('POST', '/auth/logout', undefined, { csrf: true })).toMatchObject({ status: 204 });
    expect(b.session).toBeUndefined();
    const replayed = await fetch(`${api.base}/me`, { headers: { cookie: old } });
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toMatchObject({ code: 'SESSION_INVALID' });
  });

  it('takes a reset link an admin issued once, ends every session of the account, and refuses the link the second time', async () => {
    const issued = await asAdmin('POST', `/accounts/${accountId}/password-resets`);
    expect(issued.body).toMatchObject({ accountId, mailed: true, link: expect.stringMatching(/\/password-reset\?token=/) });
    expect(mails.find((m) => m.text.includes(issued.body['link'] as string))?.to).toBe(login);
    const token = tokenOf(issued.body['link']);
    const newPassword = 'a new and longer passphrase';
    keep(newPassword);
    expect(await browser().call('POST', '/auth/password-reset', { token, password: newPassword })).toMatchObject({ status: 204 });
    expect(await browser().call('POST', '/auth/password-reset', { token, password: 'yet another passphrase' })).toMatchObject({
      status: 422,
      body: { code: 'LINK_INVALID' },
    });
    expect((await first.call('GET', '/me')).status).toBe(401);
    expect((await browser().call('POST', '/auth/password', { login, password })).status).toBe(401);
    await signIn(login, newPassword);
    const events = await api.query<{ type: string }>(
      `SELECT type FROM pl_events WHERE stream_id = 'accounts' AND data->>'accountId' = $1 ORDER BY global_position`,
      [accountId],
    );
    expect(events.map((e) => e.type)).toEqual(['AccountInvited', 'InvitationAccepted', 'PasswordResetIssued', 'PasswordReset']);
  });

  it('lets an admin list a person’s sessions and revoke one: its next request is refused', async () => {
    const b = await signIn(login, 'a new and longer passphrase');
    const listed = await asAdmin('GET', `/sessions?subject=${encodeURIComponent(`user:${login}`)}`);
    const sessions = listed.body['sessions'] as { sessionId: string; via: string }[];
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(listed.body)).not.toContain(b.session as string);
    const mine = (await b.call('GET', '/me')).status;
    expect(mine).toBe(200);
    // Revoke them one at a time until this browser's is gone: the listing never shows the cookie.
    for (const { sessionId } of sessions) expect((await asAdmin('POST', `/sessions/${sessionId}/revocation`, {})).status).toBe(200);
    expect(await b.call('GET', '/me')).toMatchObject({ status: 401, body: { code: 'SESSION_INVALID' } });
    expect(await api.call(admin, 'POST', `/sessions/${sessions[0].sessionId}/revocation`, {})).toMatchObject({ status: 404 });
    // A member may not look at sessions.
    const other = await signIn(login, 'a new and longer passphrase');
    expect((await other.call('GET', `/sessions?subject=user:admin`)).status).toBe(403);
  });
});

describe('a cookie-authenticated change', () => {
  let b: Browser;

  beforeAll(async () => {
    b = browser();
    expect(await b.call('POST', '/auth/token', { token: admin.slice('Bearer '.length) })).toMatchObject({ status: 204 });
    keep(b.session, b.csrf);
  });

  const issue = { title: 'CRM export fails', severity: 'high' };

  it('is refused without the CSRF proof, with a wrong one or from another origin, and writes nothing', async () => {
    const before = await api.eventCount();
    expect(await b.call('POST', `/projects/${projectId}/issues`, issue)).toMatchObject({
      status: 403,
      body: { code: 'CSRF_TOKEN_MISSING' },
    });
    expect(await b.call('POST', `/projects/${projectId}/issues`, issue, { headers: { 'x-csrf-token': 'x'.repeat(43) } })).toMatchObject({
      status: 403,
      body: { code: 'CSRF_TOKEN_MISMATCH' },
    });
    expect(
      await b.call('POST', `/projects/${projectId}/issues`, issue, { csrf: true, headers: { origin: 'https://evil.example.test' } }),
    ).toMatchObject({ status: 403, body: { code: 'CSRF_ORIGIN_MISMATCH' } });
    expect(await api.eventCount()).toBe(before);
  });

  it('succeeds with the proof (and its own origin), while a bearer request needs none', async () => {
    const before = await api.eventCount();
    expect(await b.call('POST', `/projects/${projectId}/issues`, issue, { csrf: true, headers: { origin: api.base } })).toMatchObject({
      status: 201,
    });
    expect(await api.lastEvent()).toMatchObject({ type: 'IssueRaised', metadata: { actor: 'user:admin' } });
    expect((await api.call(admin, 'POST', `/projects/${projectId}/issues`, issue)).status).toBe(201);
    expect(await api.eventCount()).toBe(before + 2);
    // Reads need no proof.
    expect((await b.call('GET', `/projects/${projectId}`)).status).toBe(200);
  });

  it('made from an API key ends when the key is revoked', async () => {
    const issued = await asAdmin('POST', '/api-keys', { name: 'analyst-desk' });
    const key = issued.body['key'] as string;
    keep(key, key.split('.')[1]);
    await asAdmin('POST', `/projects/${projectId}/access`, { subject: 'service:analyst-desk', role: 'viewer' });
    const desk = browser();
    expect((await desk.call('POST', '/auth/token', { token: key })).status).toBe(204);
    keep(desk.session, desk.csrf);
    expect(await desk.call('GET', '/me')).toMatchObject({ status: 200, body: { actor: 'service:analyst-desk' } });
    expect((await desk.call('GET', `/projects/${projectId}`)).status).toBe(200);
    await asAdmin('POST', `/api-keys/${issued.body['keyId'] as string}/revocation`, { reason: 'desk closed' });
    expect((await desk.call('GET', `/projects/${projectId}`)).status).toBe(401);
    expect(await browser().call('POST', '/auth/token', { token: 'plk_nothing.' + 'x'.repeat(40) })).toMatchObject({
      status: 401,
      body: { code: 'CREDENTIAL_INVALID' },
    });
  });
});

it('slows guessing: 20 wrong passwords in a minute get 429 with Retry-After, counted in /metrics', async () => {
  const login = 'guessed@example.com';
  const password = 'the real password 42';
  await person(login, password);
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 20; i++) {
    const answer = await browser().call('POST', '/auth/password', { login, password: `guess number ${i}` });
    statuses.push(answer.status);
    if (answer.status === 429) {
      retryAfter = answer.headers.get('retry-after');
      expect(answer.body).toMatchObject({ code: 'SIGN_IN_SLOWED' });
    }
  }
  expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
  expect(statuses.slice(10)).toEqual(Array(10).fill(429));
  expect(Number(retryAfter)).toBeGreaterThan(0);
  expect(Number(retryAfter)).toBeLessThanOrEqual(300);
  // Even the right password waits: the guesser cannot tell it was right.
  expect((await browser().call('POST', '/auth/password', { login, password })).status).toBe(429);
  const metrics = await (await fetch(`${api.base}/metrics`)).text();
  const count = (outcome: string) =>
    Number(new RegExp(`planledger_sign_in_attempts_total\\{method="password",outcome="${outcome}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
  expect(count('throttled')).toBeGreaterThanOrEqual(11);
  expect(count('failure')).toBeGreaterThanOrEqual(10);
  expect(count('success')).toBeGreaterThanOrEqual(1);
});

it('writes no password, hash, session id or token in any log line, while it does log the sign-ins', async () => {
  const log = api.output;
  expect(log).toMatch(/password sign-in failed for guessed@example.com/);
  expect(log).toMatch(/session started for user:li.na@example.com \(password\)/);
  expect(secrets.size).toBeGreaterThan(20);
  const leaked = [...secrets].filter((secret) => log.includes(secret));
  expect(leaked).toEqual([]);
  expect(log).not.toMatch(/\$argon2/);
  expect(log).not.toMatch(/planledger_(session|csrf)=/);
});
