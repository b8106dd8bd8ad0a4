import { Inject, Injectable } from '@nestjs/common';
import { Access } from '@planledger/application';
import { jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { AUTH_SETTINGS, type AuthSettings } from './auth-settings';
import type { Principal } from './principal';

const SUBJECT = /^[^\s\p{Cc}]{1,190}$/u;

/** The failure a credential met, said plainly but without helping a guesser. */
export class AuthenticationFailed extends Error {
  constructor(
    readonly code: 'CREDENTIAL_REQUIRED' | 'CREDENTIAL_INVALID',
    message: string,
  ) {
    super(message);
  }
}

/** How far a token's nbf and iat may be ahead of our clock. */
const CLOCK_SKEW_SECONDS = 30;

/** Turns an Authorization header into a Principal: a bearer JWT, or a service account's API key. */
@Injectable()
export class Authenticator {
  /**
   * Tokens verified recently, until they expire (at most a minute): a token never changes, and
   * verifying the same one on every request of a session costs more than the rest of the guard.
   */
  private readonly verified = new LRUCache<string, Principal>({ max: 10_000, ttl: 60_000, ttlAutopurge: false });

  constructor(
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    private readonly access: Access,
  ) {}

  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (!authorization)
      throw new AuthenticationFailed('CREDENTIAL_REQUIRED', 'send "Authorization: Bearer <token>" or "Authorization: ApiKey <key>"');
    const [scheme, credential, extra] = authorization.trim().split(/\s+/);
    if (!credential || extra !== undefined)
      throw new AuthenticationFailed('CREDENTIAL_INVALID', 'the Authorization header must be "<scheme> <credential>"');
    if (/^bearer$/i.test(scheme)) return this.fromJwt(credential);
    if (/^apikey$/i.test(scheme)) {
      const key = await this.access.verifyApiKey(credential);
      if (!key) throw new AuthenticationFailed('CREDENTIAL_INVALID', 'the API key is unknown, revoked or expired');
      return { subject: key.subject, admin: this.settings.admins.has(key.subject), via: 'api-key' };
    }
    throw new AuthenticationFailed('CREDENTIAL_INVALID', `unknown Authorization scheme "${scheme.slice(0, 20)}": use Bearer or ApiKey`);
  }

  private async fromJwt(token: string): Promise<Principal> {
    const known = this.verified.get(token);
    if (known) return known;
    let sub: unknown;
    let exp: number;
    try {
      const verified = await jwtVerify(token, this.settings.key as never, {
        algorithms: this.settings.algorithms,
        ...(this.settings.issuer ? { issuer: this.settings.issuer } : {}),
        ...(this.settings.audience ? { audience: this.settings.audience } : {}),
        // A token valid for ever is a password that cannot be changed: exp is required.
        requiredClaims: ['exp'],
        clockTolerance: CLOCK_SKEW_SECONDS,
      });
      sub = verified.payload.sub;
      exp = verified.payload.exp as number;
      const now = Math.floor(Date.now() / 1000);
      const { iat } = verified.payload;
      // jose checks nbf against the skew; an iat from the future is as suspect.
      if (iat !== undefined && iat > now + CLOCK_SKEW_SECONDS)
        throw new AuthenticationFailed('CREDENTIAL_INVALID', 'the token is issued in the future (iat)');
      const max = this.settings.maxLifetimeSeconds;
      if (max !== undefined && exp - Math.min(iat ?? now, now) > max + CLOCK_SKEW_SECONDS)
        throw new AuthenticationFailed(
          'CREDENTIAL_INVALID',
          `the token is valid for longer than the ${Math.round(max / 3600)} hours allowed (exp)`,
        );
    } catch (error) {
      if (error instanceof AuthenticationFailed) throw error;
      const code = (error as { code?: string; claim?: string }).code;
      const reason =
        code === 'ERR_JWT_EXPIRED'
          ? 'the token has expired'
          : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED'
            ? `the token is not valid (${(error as { claim?: string }).claim ?? 'a claim'}: ${(error as Error).message})`
            : 'the token is not valid';
      throw new AuthenticationFailed('CREDENTIAL_INVALID', reason);
    }
    if (typeof sub !== 'string' || !SUBJECT.test(sub))
      throw new AuthenticationFailed('CREDENTIAL_INVALID', 'the token names no subject (sub)');
    const subject = `user:${sub}`;
    const principal: Principal = { subject, admin: this.settings.admins.has(subject), via: 'jwt' };
    const remaining = exp * 1000 - Date.now();
    if (remaining > 0) this.verified.set(token, principal, { ttl: Math.min(60_000, remaining) });
    return principal;
  }
}
