import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PlanLedgerConfig } from '@planledger/config';
import { PLANLEDGER_CONFIG } from '@planledger/runtime';
import type * as OpenId from 'openid-client';
import { publicUrl } from './accounts.service';

/** What the browser carries between /auth/login and /auth/callback (in an HttpOnly cookie of its own). */
export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
}

/** Why a callback was refused, in words for the person and a code for the dashboard. */
export class OidcSignInRefused extends Error {}

/**
 * The relying party: authorization code with PKCE (S256), state and nonce, through `openid-client`,
 * which also checks the ID token (issuer, audience, expiry, signature against the provider's keys).
 */
@Injectable()
export class OidcClient {
  private readonly logger = new Logger('OIDC');
  private configuration: Promise<OpenId.Configuration> | undefined;
  private library: Promise<typeof OpenId> | undefined;

  constructor(@Inject(PLANLEDGER_CONFIG) private readonly config: PlanLedgerConfig) {}

  get enabled(): boolean {
    return this.config.AUTH_OIDC_ISSUER !== undefined && this.config.AUTH_OIDC_CLIENT_ID !== undefined;
  }

  get redirectUri(): string {
    return `${publicUrl(this.config)}/auth/callback`;
  }

  private lib(): Promise<typeof OpenId> {
    // An ES module: loaded when first needed.
    this.library ??= import('openid-client');
    return this.library;
  }

  /** The provider's metadata, discovered once (again after a failure, so a provider down at start is retried). */
  private discovered(): Promise<OpenId.Configuration> {
    this.configuration ??= (async () => {
      const client = await this.lib();
      const issuer = new URL(this.config.AUTH_OIDC_ISSUER ?? '');
      const secret = this.config.AUTH_OIDC_CLIENT_SECRET;
      const configuration = await client.discovery(
        issuer,
        this.config.AUTH_OIDC_CLIENT_ID ?? '',
        secret,
        secret === undefined ? client.None() : client.ClientSecretBasic(secret),
        issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined,
      );
      this.logger.log(`identity provider ${issuer.href} discovered`);
      return configuration;
    })().catch((error: Error) => {
      this.configuration = undefined;
      throw new OidcSignInRefused(`the identity provider cannot be reached: ${error.message}`);
    });
    return this.configuration;
  }

  async start(returnTo: string): Promise<{ url: string; pending: PendingSignIn }> {
    const [client, configuration] = await Promise.all([this.lib(), this.discovered()]);
    const verifier = client.randomPKCECodeVerifier();
    const pending: PendingSignIn = { state: client.randomState(), nonce: client.randomNonce(), verifier, returnTo };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: this.config.AUTH_OIDC_SCOPES,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /** Exchanges the code; answers the subject (`user:<claim>`) and the person's name, or throws OidcSignInRefused. */
  async finish(callbackUrl: URL, pending: PendingSignIn): Promise<{ subject: string; name: string | null; notAfter?: Date }> {
    const [client, configuration] = await Promise.all([this.lib(), this.discovered()]);
    let claims: Record<string, unknown> | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims() as Record<string, unknown> | undefined;
      const wanted = this.config.AUTH_OIDC_SUBJECT_CLAIM;
      // Providers keep profile claims (name, often email) out of the ID token when they issue an
      // access token: ask the userinfo endpoint, which must answer for the same subject. Only a
      // missing subject claim makes its failure fatal; a missing name does not.
      const sub = claims?.['sub'];
      if (typeof sub === 'string' && (claims?.[wanted] === undefined || claims?.['name'] === undefined) && tokens.access_token) {
        const info = await client.fetchUserInfo(configuration, tokens.access_token, sub).catch((error: Error) => {
          if (claims?.[wanted] === undefined) throw error;
          this.logger.warn(`the userinfo endpoint did not answer (${error.message}): signing in without a name`);
          return {};
        });
        claims = { ...info, ...claims };
      }
    } catch (error) {
      const e = error as { code?: string; error?: string; message: string };
      throw new OidcSignInRefused(
        `the identity provider's answer was refused (${e.error ?? e.code ?? 'invalid'}): ${e.message}${claimOf(error)}`,
      );
    }
    const value = claims?.[this.config.AUTH_OIDC_SUBJECT_CLAIM];
    if (typeof value !== 'string' || !/^[^\s\p{Cc}]{1,190}$/u.test(value))
      throw new OidcSignInRefused(`the ID token carries no usable ${this.config.AUTH_OIDC_SUBJECT_CLAIM} claim`);
    const name = typeof claims?.['name'] === 'string' ? (claims['name'] as string) : null;
    return { subject: `user:${value}`, name };
  }
}

/** The claim that failed a check (aud, exp, iss, nonce…), found down the error's causes: it says most about a misconfigured provider. */
function claimOf(error: unknown): string {
  for (let e = error as { cause?: unknown; claim?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++)
    if (typeof e.claim === 'string') return ` (the ${e.claim} claim)`;
  return '';
}
