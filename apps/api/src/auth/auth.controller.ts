import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpException,
  Inject,
  Logger,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import {
  ApiFoundResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { PlanLedgerConfig } from '@planledger/config';
import {
  acceptInvitationBodySchema,
  passwordSignInBodySchema,
  resetPasswordBodySchema,
  signInMethodsSchema,
  tokenSignInBodySchema,
} from '@planledger/contracts';
import { PLANLEDGER_CONFIG } from '@planledger/runtime';
import type { Request, Response } from 'express';
import { decodeJwt } from 'jose';
import { createZodDto } from 'nestjs-zod';
import { v7 as uuidv7 } from 'uuid';
import { AuthenticationFailed, Authenticator } from '../security/authenticator';
import { Public } from '../security/principal';
import { Accounts, accountSubject } from './accounts.service';
import { readCookie } from './cookies';
import { allowedOrigins, checkCsrf, checkOrigin } from './csrf';
import { OidcClient, OidcSignInRefused, type PendingSignIn } from './oidc.client';
import { Sessions } from './sessions.service';
import { SignInLinks } from './sign-in-links';
import { signInAttempts, SignInThrottle } from './sign-in-throttle';

class PasswordSignInBody extends createZodDto(passwordSignInBodySchema) {}
class TokenSignInBody extends createZodDto(tokenSignInBodySchema) {}
class AcceptInvitationBody extends createZodDto(acceptInvitationBodySchema) {}
class ResetPasswordBody extends createZodDto(resetPasswordBodySchema) {}
class SignInMethodsDto extends createZodDto(signInMethodsSchema) {}

const OIDC_COOKIE = 'planledger_oidc';
const OIDC_PENDING_MS = 10 * 60_000;

/** A path on this site to return to after sign-in: never another site (`//evil`, `/\evil`, `https://…`). */
function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s\p{Cc}]{0,499}$/u.test(value) ? value : '/';
}

function metadata() {
  return { correlationId: uuidv7(), now: new Date().toISOString() };
}

/**
 * Signing in from a browser: every way ends in a server-side session (an HttpOnly cookie) and its
 * CSRF cookie. These routes are public; each checks what it was given itself.
 */
@ApiTags('sign-in')
@Public()
@Controller('auth')
export class AuthController {
  private readonly logger = new Logger('SignIn');
  private readonly origins: string[];

  constructor(
    private readonly sessions: Sessions,
    private readonly accounts: Accounts,
    private readonly authenticator: Authenticator,
    private readonly links: SignInLinks,
    private readonly throttle: SignInThrottle,
    private readonly oidc: OidcClient,
    @Inject(PLANLEDGER_CONFIG) private readonly config: PlanLedgerConfig,
  ) {
    this.origins = allowedOrigins(config);
  }

  @Get('methods')
  @ApiOperation({ summary: 'Which ways of signing in this installation offers (for the sign-in page)' })
  @ApiOkResponse({ type: SignInMethodsDto.Output })
  methods() {
    return { oidc: this.oidc.enabled, local: this.config.AUTH_LOCAL_ACCOUNTS, token: this.config.AUTH_TOKEN_SIGN_IN };
  }

  @Post('password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign in with a local account’s login and password: sets the session and CSRF cookies' })
  @ApiNoContentResponse({ description: 'Signed in: Set-Cookie carries the session (HttpOnly) and planledger_csrf' })
  @ApiUnauthorizedResponse({ description: 'SIGN_IN_FAILED: the login and password do not match an active account' })
  @ApiTooManyRequestsResponse({ description: 'Too many failed attempts for the account or the address: wait Retry-After seconds' })
  async password(@Body() body: PasswordSignInBody, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    this.localAccountsOn();
    checkOrigin(request, this.origins);
    const address = request.ip ?? 'unknown';
    const wait = await this.throttle.retryAfter(body.login, address);
    if (wait !== undefined) {
      signInAttempts.inc({ method: 'password', outcome: 'throttled' });
      this.logger.warn(`password sign-in for ${body.login.slice(0, 100)} from ${address} slowed: retry in ${wait} s`);
      response.setHeader('Retry-After', String(wait));
      throw new HttpException({ code: 'SIGN_IN_SLOWED', message: `too many failed sign-ins: try again in ${wait} seconds` }, 429);
    }
    const account = await this.accounts.verify(body.login, body.password);
    if (!account) {
      await this.throttle.failed(body.login, address);
      signInAttempts.inc({ method: 'password', outcome: 'failure' });
      this.logger.warn(`password sign-in failed for ${body.login.slice(0, 100)} from ${address}`);
      throw new UnauthorizedException({ code: 'SIGN_IN_FAILED', message: 'the login or the password is wrong' });
    }
    await this.throttle.succeeded(body.login, address);
    signInAttempts.inc({ method: 'password', outcome: 'success' });
    await this.sessions.start(request, response, { subject: accountSubject(account.login), via: 'password' });
  }

  @Post('token')
  @HttpCode(204)
  @ApiOperation({ summary: 'Exchange an API key (plk_…) or a bearer token for a browser session; the session ends with the credential' })
  @ApiNoContentResponse({ description: 'Signed in: Set-Cookie carries the session (HttpOnly) and planledger_csrf' })
  @ApiUnauthorizedResponse({ description: 'CREDENTIAL_INVALID: the key or token is unknown, revoked or expired' })
  async token(@Body() body: TokenSignInBody, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    if (!this.config.AUTH_TOKEN_SIGN_IN)
      throw new NotFoundException({
        code: 'TOKEN_SIGN_IN_OFF',
        message: 'signing in with a token is turned off (AUTH_TOKEN_SIGN_IN=false)',
      });
    checkOrigin(request, this.origins);
    const token = body.token.trim();
    const apiKey = token.startsWith('plk_');
    let principal;
    try {
      principal = await this.authenticator.authenticate(`${apiKey ? 'ApiKey' : 'Bearer'} ${token}`);
    } catch (error) {
      if (!(error instanceof AuthenticationFailed)) throw error;
      signInAttempts.inc({ method: 'token', outcome: 'failure' });
      this.logger.warn(`token sign-in failed from ${request.ip ?? 'unknown'}: ${error.message}`);
      throw new UnauthorizedException({ code: 'CREDENTIAL_INVALID', message: error.message });
    }
    let notAfter: Date | undefined;
    let keyId: string | undefined;
    if (apiKey) keyId = /^plk_([^.]+)\./.exec(token)?.[1];
    else {
      const exp = decodeJwt(token).exp;
      if (exp !== undefined) notAfter = new Date(exp * 1000);
    }
    signInAttempts.inc({ method: 'token', outcome: 'success' });
    await this.sessions.start(request, response, {
      subject: principal.subject,
      via: 'token',
      ...(keyId ? { keyId } : {}),
      ...(notAfter ? { notAfter } : {}),
    });
  }

  @Get('link/:token')
  @ApiOperation({ summary: 'A one-time sign-in link (the embedded store prints one at start): sets the session, then 302 to /' })
  @ApiFoundResponse({ description: 'Signed in; redirected to /' })
  @ApiUnauthorizedResponse({ description: 'LINK_INVALID: unknown, used already or expired' })
  async link(@Param('token') token: string, @Req() request: Request, @Res() response: Response) {
    const subject = this.links.consume(token);
    if (!subject) {
      signInAttempts.inc({ method: 'link', outcome: 'failure' });
      throw new UnauthorizedException({ code: 'LINK_INVALID', message: 'this sign-in link is unknown, used already or expired' });
    }
    signInAttempts.inc({ method: 'link', outcome: 'success' });
    await this.sessions.start(request, response, { subject, via: 'link' });
    response.redirect(302, '/');
  }

  @Post('invitations/accept')
  @HttpCode(204)
  @ApiOperation({ summary: 'Accept an invitation: set the password (and name), and be signed in' })
  @ApiNoContentResponse({ description: 'Password set and signed in: Set-Cookie carries the session and planledger_csrf' })
  async accept(@Body() body: AcceptInvitationBody, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    this.localAccountsOn();
    checkOrigin(request, this.origins);
    const account = await this.accounts.acceptInvitation(body.token, body.password, body.name, metadata());
    signInAttempts.inc({ method: 'invitation', outcome: 'success' });
    await this.sessions.start(request, response, { subject: accountSubject(account.login), via: 'invitation' });
  }

  @Post('password-reset')
  @HttpCode(204)
  @ApiOperation({ summary: 'Choose a new password with a reset link; every session of the account ends' })
  @ApiNoContentResponse({ description: 'Password changed; sign in with it' })
  async reset(@Body() body: ResetPasswordBody, @Req() request: Request) {
    this.localAccountsOn();
    checkOrigin(request, this.origins);
    const account = await this.accounts.resetPassword(body.token, body.password, metadata());
    signInAttempts.inc({ method: 'reset', outcome: 'success' });
    await this.sessions.revokeAllOf(accountSubject(account.login), accountSubject(account.login));
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out: the session ends at once and its cookies are cleared (send X-CSRF-Token)' })
  @ApiNoContentResponse({ description: 'Signed out (also when there was no session)' })
  async logout(@Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const session = await this.sessions.resolve(request);
    if (session) checkCsrf(request, session.csrfToken, this.origins);
    await this.sessions.end(request, response);
  }

  @Get('login')
  @ApiOperation({ summary: 'Sign in with the identity provider: 302 to its authorization page (code flow with PKCE)' })
  @ApiQuery({ name: 'returnTo', required: false, description: 'A path of this site to come back to, such as /projects' })
  @ApiFoundResponse({ description: 'Redirected to the identity provider' })
  async login(@Query('returnTo') returnTo: unknown, @Res() response: Response) {
    this.oidcOn();
    let started;
    try {
      started = await this.oidc.start(safeReturnTo(returnTo));
    } catch (error) {
      if (error instanceof OidcSignInRefused) throw new HttpException({ code: 'OIDC_UNAVAILABLE', message: error.message }, 503);
      throw error;
    }
    response.cookie(OIDC_COOKIE, Buffer.from(JSON.stringify(started.pending)).toString('base64url'), {
      httpOnly: true,
      secure: this.sessions.names.secure,
      sameSite: 'lax',
      path: '/auth',
      maxAge: OIDC_PENDING_MS,
    });
    response.setHeader('Cache-Control', 'no-store');
    response.redirect(302, started.url);
  }

  @Get('callback')
  @ApiOperation({
    summary: 'Where the identity provider returns: checks state, nonce, PKCE and the ID token, sets the session, 302 to returnTo',
  })
  @ApiFoundResponse({ description: 'Signed in; redirected to the returnTo of /auth/login' })
  @ApiUnauthorizedResponse({ description: 'OIDC_SIGN_IN_FAILED: the state, code or ID token was refused' })
  async callback(@Req() request: Request, @Res() response: Response) {
    this.oidcOn();
    const pending = this.pending(request);
    response.clearCookie(OIDC_COOKIE, { httpOnly: true, secure: this.sessions.names.secure, sameSite: 'lax', path: '/auth' });
    const refuse = (message: string) => {
      signInAttempts.inc({ method: 'oidc', outcome: 'failure' });
      this.logger.warn(`identity provider sign-in refused: ${message}`);
      return new UnauthorizedException({ code: 'OIDC_SIGN_IN_FAILED', message });
    };
    if (!pending) throw refuse('no sign-in was started in this browser, or it took longer than 10 minutes: start again');
    const callbackUrl = new URL(request.originalUrl, this.oidc.redirectUri);
    let person;
    try {
      person = await this.oidc.finish(callbackUrl, pending);
    } catch (error) {
      if (error instanceof OidcSignInRefused) throw refuse(error.message);
      throw error;
    }
    signInAttempts.inc({ method: 'oidc', outcome: 'success' });
    await this.sessions.start(request, response, { subject: person.subject, via: 'oidc', name: person.name });
    response.redirect(302, pending.returnTo);
  }

  private pending(request: Request): PendingSignIn | undefined {
    const raw = readCookie(request, OIDC_COOKIE);
    if (!raw) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<PendingSignIn>;
      const { state, nonce, verifier, returnTo } = parsed;
      if ([state, nonce, verifier, returnTo].every((v) => typeof v === 'string'))
        return { state, nonce, verifier, returnTo: safeReturnTo(returnTo) } as PendingSignIn;
    } catch {
      // A cookie that is not ours: no sign-in was started.
    }
    return undefined;
  }

  private localAccountsOn(): void {
    if (!this.config.AUTH_LOCAL_ACCOUNTS)
      throw new NotFoundException({ code: 'LOCAL_ACCOUNTS_OFF', message: 'local accounts are turned off (AUTH_LOCAL_ACCOUNTS=false)' });
  }

  private oidcOn(): void {
    if (!this.oidc.enabled)
      throw new NotFoundException({
        code: 'OIDC_OFF',
        message: 'no identity provider is configured (AUTH_OIDC_ISSUER, AUTH_OIDC_CLIENT_ID)',
      });
  }
}
