import type { PlanLedgerConfig } from '@planledger/config';
import type { Request, Response } from 'express';

export const SESSION_COOKIE = 'planledger_session';
export const SECURE_SESSION_COOKIE = '__Host-planledger_session';
export const CSRF_COOKIE = 'planledger_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i;

/**
 * Secure cookies unless the API only listens on loopback (a local run over plain HTTP), or a setting
 * says otherwise; an https public address (a proxy on the same machine) makes them Secure too.
 */
export function cookiesSecure(config: Pick<PlanLedgerConfig, 'HOST' | 'AUTH_COOKIE_SECURE' | 'AUTH_PUBLIC_URL'>): boolean {
  return config.AUTH_COOKIE_SECURE ?? (!LOOPBACK.test(config.HOST) || config.AUTH_PUBLIC_URL?.startsWith('https:') === true);
}

export interface CookieNames {
  secure: boolean;
  session: string;
  /** Always `planledger_csrf`: the dashboard reads it by that name. */
  csrf: string;
}

export function cookieNames(secure: boolean): CookieNames {
  return { secure, session: secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE, csrf: CSRF_COOKIE };
}

/** One cookie of the request's Cookie header, or undefined (no parser middleware: only the guard and sign-in read cookies). */
export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Sets the session cookie (HttpOnly) and the CSRF cookie (readable by the page), both for the session's whole life. */
export function setSessionCookies(response: Response, names: CookieNames, secret: string, csrf: string, maxAgeMs: number): void {
  const common = { secure: names.secure, sameSite: 'lax' as const, path: '/', maxAge: maxAgeMs };
  response.cookie(names.session, secret, { ...common, httpOnly: true });
  response.cookie(names.csrf, csrf, { ...common, httpOnly: false });
  response.setHeader('Cache-Control', 'no-store');
}

export function clearSessionCookies(response: Response, names: CookieNames): void {
  const common = { secure: names.secure, sameSite: 'lax' as const, path: '/' };
  response.clearCookie(names.session, { ...common, httpOnly: true });
  response.clearCookie(names.csrf, common);
}
