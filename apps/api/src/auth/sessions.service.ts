import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { PlanLedgerConfig } from '@planledger/config';
import { PLANLEDGER_CONFIG } from '@planledger/runtime';
import type { Request, Response } from 'express';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SIGN_IN_STORE } from './auth.tokens';
import { clearSessionCookies, cookieNames, cookiesSecure, readCookie, setSessionCookies, type CookieNames } from './cookies';
import type { SignInStore, StoredSession } from './session-store';

/** A session is written back as seen at most this often: a request a second must not mean a write a second. */
const TOUCH_EVERY_MS = 60_000;
const PURGE_EVERY_MS = 10 * 60_000;

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A secret for a cookie or a one-time link: 256 random bits, URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export interface StartSession {
  subject: string;
  via: 'password' | 'oidc' | 'token' | 'link' | 'invitation';
  keyId?: string;
  /** The person's name, when the identity provider gave one. */
  name?: string | null;
  /** The credential exchanged ends earlier than a session would: the session ends with it. */
  notAfter?: Date;
}

/**
 * Browser sessions kept on the server: the cookie holds a random secret, the store its SHA-256, so
 * signing out or revoking takes effect on the next request, and a copy of the table signs nobody in.
 */
@Injectable()
export class Sessions implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Sessions');
  readonly names: CookieNames;
  private readonly idleMs: number;
  private readonly maxMs: number;
  private purger: NodeJS.Timeout | undefined;

  constructor(
    @Inject(SIGN_IN_STORE) private readonly store: SignInStore,
    @Inject(PLANLEDGER_CONFIG) config: PlanLedgerConfig,
  ) {
    this.names = cookieNames(cookiesSecure(config));
    this.idleMs = config.AUTH_SESSION_IDLE_MINUTES * 60_000;
    this.maxMs = config.AUTH_SESSION_MAX_HOURS * 3_600_000;
  }

  onModuleInit(): void {
    if (!this.store.durable) this.logger.warn('sessions are kept in this process only: they end when it stops');
    this.purger = setInterval(() => {
      const now = new Date();
      this.store.purgeExpired(new Date(now.getTime() - this.idleMs), now).catch((error: Error) => {
        this.logger.warn(`could not remove ended sessions: ${error.message}`);
      });
    }, PURGE_EVERY_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.purger);
  }

  /** Starts a session for the subject, ends the one the browser held (if any), and sets both cookies. */
  async start(request: Request, response: Response, what: StartSession): Promise<StoredSession> {
    const previous = readCookie(request, this.names.session);
    if (previous) await this.store.deleteSession(sha256(previous));
    const now = new Date();
    const end = Math.min(now.getTime() + this.maxMs, what.notAfter?.getTime() ?? Infinity);
    const secret = newSecret();
    const session: StoredSession = {
      sessionId: randomUUID(),
      subject: what.subject,
      via: what.via,
      csrfToken: newSecret(),
      keyId: what.keyId ?? null,
      name: what.name?.slice(0, 200) ?? null,
      userAgent: request.header('user-agent')?.slice(0, 300) ?? null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(end),
    };
    await this.store.createSession(sha256(secret), session);
    setSessionCookies(response, this.names, secret, session.csrfToken, end - now.getTime());
    this.logger.log(`session started for ${what.subject} (${what.via})`);
    return session;
  }

  /** The live session the request's cookie names, or undefined (none, unknown, idle too long or past its end). */
  async resolve(request: Request): Promise<StoredSession | undefined> {
    const secret = readCookie(request, this.names.session);
    if (!secret || secret.length > 200) return undefined;
    const hash = sha256(secret);
    const session = await this.store.findSession(hash);
    if (!session) return undefined;
    const now = Date.now();
    if (session.expiresAt.getTime() <= now || session.lastSeenAt.getTime() + this.idleMs <= now) {
      await this.store.deleteSession(hash);
      return undefined;
    }
    if (now - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) await this.store.touchSession(hash, new Date(now));
    return session;
  }

  /** Ends the request's session at once and clears the cookies. */
  async end(request: Request, response: Response): Promise<boolean> {
    const secret = readCookie(request, this.names.session);
    clearSessionCookies(response, this.names);
    if (!secret) return false;
    const session = await this.store.findSession(sha256(secret));
    await this.store.deleteSession(sha256(secret));
    if (session) this.logger.log(`session ended for ${session.subject} (signed out)`);
    return session !== undefined;
  }

  sessionsOf(subject: string): Promise<StoredSession[]> {
    return this.store.sessionsOf(subject);
  }

  async revoke(sessionId: string, by: string): Promise<StoredSession | undefined> {
    const revoked = await this.store.revokeSession(sessionId);
    if (revoked) this.logger.log(`a session of ${revoked.subject} revoked by ${by}`);
    return revoked;
  }

  async revokeAllOf(subject: string, by: string): Promise<number> {
    const n = await this.store.revokeSessionsOf(subject);
    this.logger.log(`${n} session(s) of ${subject} revoked by ${by}`);
    return n;
  }
}
