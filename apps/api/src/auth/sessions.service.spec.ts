import type { PlanLedgerConfig } from '@planledger/config';
import type { Request, Response } from 'express';
import { MemorySignInStore } from './session-store';
import { Sessions } from './sessions.service';

const config = { HOST: '127.0.0.1', AUTH_SESSION_IDLE_MINUTES: 30, AUTH_SESSION_MAX_HOURS: 2 } as PlanLedgerConfig;
const START = Date.UTC(2026, 11, 1, 9, 0);

/** A browser for the service: it keeps the cookies an answer sets and sends them back. */
function browser() {
  const jar = new Map<string, string>();
  const request = () =>
    ({
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      header: () => undefined,
    }) as unknown as Request;
  const response = {
    cookie: (name: string, value: string) => jar.set(name, value),
    clearCookie: (name: string) => jar.delete(name),
    setHeader: () => undefined,
  } as unknown as Response;
  return { jar, request, response };
}

describe('browser sessions', () => {
  let sessions: Sessions;
  beforeEach(() => {
    jest.useFakeTimers({ now: START });
    sessions = new Sessions(new MemorySignInStore(), config);
  });
  afterEach(() => jest.useRealTimers());

  it('live while used, ended after the idle lifetime without a request', async () => {
    const b = browser();
    await sessions.start(b.request(), b.response, { subject: 'user:li.na', via: 'password' });
    expect(b.jar.get('planledger_session')).toMatch(/^[\w-]{43}$/);
    jest.setSystemTime(START + 29 * 60_000);
    expect((await sessions.resolve(b.request()))?.subject).toBe('user:li.na');
    // Seen at minute 29: idle until minute 59.
    jest.setSystemTime(START + 58 * 60_000);
    expect(await sessions.resolve(b.request())).toBeDefined();
    jest.setSystemTime(START + 58 * 60_000 + 30 * 60_000);
    expect(await sessions.resolve(b.request())).toBeUndefined();
  });

  it('ended at its absolute end however busy, or earlier when the exchanged token ends', async () => {
    const busy = browser();
    await sessions.start(busy.request(), busy.response, { subject: 'user:li.na', via: 'password' });
    const token = browser();
    await sessions.start(token.request(), token.response, { subject: 'user:ops', via: 'token', notAfter: new Date(START + 20 * 60_000) });
    for (let minute = 10; minute < 120; minute += 10) {
      jest.setSystemTime(START + minute * 60_000);
      expect(await sessions.resolve(busy.request())).toBeDefined();
      expect(Boolean(await sessions.resolve(token.request()))).toBe(minute < 20);
    }
    jest.setSystemTime(START + 120 * 60_000);
    expect(await sessions.resolve(busy.request())).toBeUndefined();
  });

  it('ends at sign-out, and a new sign-in in the same browser ends the session it held', async () => {
    const b = browser();
    await sessions.start(b.request(), b.response, { subject: 'user:li.na', via: 'password' });
    const first = b.request();
    await sessions.start(b.request(), b.response, { subject: 'user:wang', via: 'password' });
    expect(await sessions.resolve(first)).toBeUndefined();
    expect((await sessions.resolve(b.request()))?.subject).toBe('user:wang');
    const before = b.request();
    expect(await sessions.end(b.request(), b.response)).toBe(true);
    expect(b.jar.size).toBe(0);
    expect(await sessions.resolve(before)).toBeUndefined();
  });
});
