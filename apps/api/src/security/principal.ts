import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** Who a verified credential says is calling. */
export interface Principal {
  /** `user:<jwt sub>` or `service:<api key name>`: the actor of every event the request writes. */
  subject: string;
  admin: boolean;
  via: 'jwt' | 'api-key' | 'session';
  /** A browser session's public id (via session only). */
  sessionId?: string;
  /** The name the session was signed in under, from the identity provider (via session only). */
  name?: string;
}

export type AuthenticatedRequest = Request & { principal?: Principal };

const PUBLIC = 'planledger:public';
/** A route anyone may call without a credential (health). */
export const Public = () => SetMetadata(PUBLIC, true);
/** A public route that still tells who calls when a credential comes along (an admin sees more of /health); a bad one counts as none. */
export const PublicIdentified = () => SetMetadata(PUBLIC, 'identified');
export const PUBLIC_ROUTE = PUBLIC;

/** The verified caller of the request; the AccessGuard has put it there. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('no principal on an authenticated route: is the AccessGuard installed?');
  return principal;
});
