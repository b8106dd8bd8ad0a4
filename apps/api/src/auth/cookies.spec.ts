import type { PlanLedgerConfig } from '@planledger/config';
import type { Request } from 'express';
import { cookieNames, cookiesSecure, readCookie } from './cookies';
import { checkCsrf } from './csrf';

const config = (HOST: string, secure?: boolean, url?: string) =>
  ({ HOST, AUTH_COOKIE_SECURE: secure, AUTH_PUBLIC_URL: url }) as Pick<PlanLedgerConfig, 'HOST' | 'AUTH_COOKIE_SECURE' | 'AUTH_PUBLIC_URL'>;

function request(headers: Record<string, string>, method = 'POST'): Request {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method, headers: lower, header: (name: string) => lower[name.toLowerCase()] } as unknown as Request;
}

describe('the session cookie', () => {
  it('is Secure with a __Host- name unless the API listens on loopback only, or a setting says otherwise', () => {
    expect(cookiesSecure(config('127.0.0.1'))).toBe(false);
    expect(cookiesSecure(config('::1'))).toBe(false);
    expect(cookiesSecure(config('localhost'))).toBe(false);
    expect(cookiesSecure(config('0.0.0.0'))).toBe(true);
    expect(cookiesSecure(config('0.0.0.0', false))).toBe(false);
    expect(cookiesSecure(config('127.0.0.1', undefined, 'https://plan.example.com'))).toBe(true);
    expect(cookieNames(true)).toEqual({ secure: true, session: '__Host-planledger_session', csrf: 'planledger_csrf' });
    expect(cookieNames(false)).toEqual({ secure: false, session: 'planledger_session', csrf: 'planledger_csrf' });
  });

  it('is read by its exact name from the Cookie header', () => {
    const r = request({ cookie: 'a=1; planledger_session=s3cret; xplanledger_session=no' });
    expect(readCookie(r, 'planledger_session')).toBe('s3cret');
    expect(readCookie(r, 'missing')).toBeUndefined();
  });
});

describe('the CSRF proof', () => {
  const host = { host: 'plan.example.com' };
  it('names what is missing or wrong', () => {
    expect(() => checkCsrf(request(host), 'token', [])).toThrow(
      expect.objectContaining({ response: expect.objectContaining({ code: 'CSRF_TOKEN_MISSING' }) }),
    );
    expect(() => checkCsrf(request({ ...host, 'x-csrf-token': 'nope' }), 'token', [])).toThrow(
      expect.objectContaining({ response: expect.objectContaining({ code: 'CSRF_TOKEN_MISMATCH' }) }),
    );
    expect(() => checkCsrf(request({ ...host, 'x-csrf-token': 'token', origin: 'https://evil.example' }), 'token', [])).toThrow(
      expect.objectContaining({ response: expect.objectContaining({ code: 'CSRF_ORIGIN_MISMATCH' }) }),
    );
  });
  it('accepts the token from the API’s own origin, a configured one, or without an Origin', () => {
    expect(() => checkCsrf(request({ ...host, 'x-csrf-token': 'token' }), 'token', [])).not.toThrow();
    expect(() => checkCsrf(request({ ...host, 'x-csrf-token': 'token', origin: 'https://plan.example.com' }), 'token', [])).not.toThrow();
    expect(() =>
      checkCsrf(request({ ...host, 'x-csrf-token': 'token', origin: 'https://app.example' }), 'token', ['https://app.example']),
    ).not.toThrow();
  });
});
