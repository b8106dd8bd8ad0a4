import { ForbiddenException } from '@nestjs/common';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { CSRF_HEADER } from './cookies';

import type { PlanLedgerConfig } from '@planledger/config';
import { publicUrl } from './accounts.service';

/** Origins besides the request's own host that may use a session: the public address and the CORS origins. */
export function allowedOrigins(config: PlanLedgerConfig): string[] {
  return [new URL(publicUrl(config)).origin, ...config.CORS_ORIGINS];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function changesState(request: Request): boolean {
  return !SAFE_METHODS.has(request.method.toUpperCase());
}

/**
 * An `Origin` sent with the request must be the API's own: the host the request was sent to, the
 * configured public address, or an allowed CORS origin. Browsers send it on every cross-site POST.
 */
export function checkOrigin(request: Request, allowed: readonly string[]): void {
  const origin = request.header('origin');
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new ForbiddenException({ code: 'CSRF_ORIGIN_MISMATCH', message: 'the Origin header is not a URL' });
  }
  if (host === request.header('host') || allowed.includes(origin)) return;
  throw new ForbiddenException({ code: 'CSRF_ORIGIN_MISMATCH', message: `requests from ${origin.slice(0, 100)} may not use this session` });
}

/**
 * Double submit: a cookie-authenticated change must repeat the session's CSRF token (the readable
 * `planledger_csrf` cookie) in `X-CSRF-Token`, which another site's page can neither read nor send.
 */
export function checkCsrf(request: Request, expected: string, allowedOrigins: readonly string[]): void {
  checkOrigin(request, allowedOrigins);
  const sent = request.header(CSRF_HEADER);
  if (sent === undefined || sent === '')
    throw new ForbiddenException({
      code: 'CSRF_TOKEN_MISSING',
      message: 'a change made with a session cookie must send the planledger_csrf cookie’s value in X-CSRF-Token',
    });
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b))
    throw new ForbiddenException({ code: 'CSRF_TOKEN_MISMATCH', message: 'X-CSRF-Token does not match this session’s CSRF token' });
}
