import {
  BadRequestException,
  ForbiddenException,
  Injectable,
  Logger,
  Inject,
  NotFoundException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { Access, Planning, type Alerts } from '@planledger/application';
import { ALERTS } from '@planledger/runtime';
import { idSchema } from '@planledger/contracts';
import { authorize, type Grant } from '@planledger/domain';
import { AuthenticationFailed, Authenticator } from './authenticator';
import { Accounts } from '../auth/accounts.service';
import { readCookie } from '../auth/cookies';
import { allowedOrigins, changesState, checkCsrf } from '../auth/csrf';
import { Sessions } from '../auth/sessions.service';
import { AUTH_SETTINGS, type AuthSettings } from './auth-settings';
import { PLANLEDGER_CONFIG } from '@planledger/runtime';
import type { PlanLedgerConfig } from '@planledger/config';
import { PUBLIC_ROUTE, type AuthenticatedRequest, type Principal } from './principal';
import type { Response } from 'express';
import { ROUTE_POLICIES, type RoutePolicy } from './route-policies';

/** The header the development builds took the actor from; a request that still sends one must name itself. */
export const LEGACY_ACTOR_HEADER = 'x-planledger-actor';

/**
 * The one place access is decided, for every route: authenticate the credential, find the route's
 * policy, find the project the request is about, and ask the domain's permission table. A route
 * without a policy is refused, so nothing ships unguarded.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger('AccessGuard');

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly access: Access,
    private readonly planning: Planning,
    private readonly modules: ModuleRef,
    private readonly sessions: Sessions,
    private readonly accounts: Accounts,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(PLANLEDGER_CONFIG) private readonly config: PlanLedgerConfig,
  ) {}

  /** An alert's project, and the member it is about (who may acknowledge it besides the managers). */
  private async alertOwnership(alertId: string): Promise<{ projectId: string; memberId?: string } | undefined> {
    const alerts = this.modules.get<AlertsLike>(ALERTS, { strict: false });
    const doc = await alerts.alert(alertId);
    if (!doc) return undefined;
    const memberId = await alerts.concernedMember(doc);
    return { projectId: doc.projectId, ...(memberId ? { memberId } : {}) };
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const open = this.reflector.getAllAndOverride<boolean | 'identified'>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]);
    if (open === 'identified') {
      const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
      if (request.header('authorization') !== undefined || readCookie(request, this.sessions.names.session) !== undefined)
        request.principal = await this.authenticate(request).catch(() => undefined);
      return true;
    }
    if (open) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.authenticate(request);
    const claimed = request.header(LEGACY_ACTOR_HEADER);
    if (claimed !== undefined && claimed !== principal.subject) {
      throw new ForbiddenException({
        code: 'ACTOR_MISMATCH',
        message: `the credential acts as ${principal.subject}; ${LEGACY_ACTOR_HEADER} may not claim another actor`,
      });
    }
    request.principal = principal;
    // An answer for one credential is nobody else's: no browser or proxy keeps a copy.
    context.switchToHttp().getResponse<Response>().setHeader('Cache-Control', 'no-store');
    // Every id in the path has the shape ids are given, before anything looks it up.
    for (const [name, value] of Object.entries((request.params ?? {}) as Record<string, string>)) {
      const checked = idSchema.safeParse(value);
      if (!checked.success)
        throw new BadRequestException({ code: 'INVALID_ID', message: `${name} ${checked.error.issues[0]?.message ?? 'is malformed'}` });
    }

    const route = `${request.method} ${(request.route as { path?: string } | undefined)?.path ?? request.path}`;
    const policy = ROUTE_POLICIES[route];
    if (!policy) {
      this.logger.error(`no access policy for ${route}: refused (add it to ROUTE_POLICIES)`);
      throw new ForbiddenException({ code: 'NO_POLICY', message: 'this route has no access policy' });
    }
    await this.check(principal, policy, request.params as Record<string, string>);
    return true;
  }

  private async authenticate(request: AuthenticatedRequest): Promise<Principal> {
    const authorization = request.header('authorization');
    if (authorization === undefined && readCookie(request, this.sessions.names.session) !== undefined) return this.fromSession(request);
    try {
      return await this.authenticator.authenticate(authorization);
    } catch (error) {
      if (error instanceof AuthenticationFailed) throw new UnauthorizedException({ code: error.code, message: error.message });
      throw error;
    }
  }

  /**
   * A browser session: live on the server, its API key (if it was exchanged for one) not revoked,
   * and, for a change, the CSRF proof. A bearer credential needs none of this.
   */
  private async fromSession(request: AuthenticatedRequest): Promise<Principal> {
    const session = await this.sessions.resolve(request);
    if (!session)
      throw new UnauthorizedException({
        code: 'SESSION_INVALID',
        message: 'the session has ended (signed out, revoked or expired): sign in again',
      });
    if (session.keyId !== null) {
      const key = (await this.access.current()).apiKeys.get(session.keyId);
      if (!key || key.revoked || (key.expiresAt !== undefined && Date.parse(key.expiresAt) <= Date.now()))
        throw new UnauthorizedException({
          code: 'SESSION_INVALID',
          message: 'the API key this session was made with is revoked or expired',
        });
    }
    if (changesState(request)) checkCsrf(request, session.csrfToken, allowedOrigins(this.config));
    const account = await this.accounts.bySubject(session.subject);
    return {
      subject: session.subject,
      admin: this.settings.admins.has(session.subject) || account?.orgRole === 'admin',
      via: 'session',
      sessionId: session.sessionId,
      ...(session.name ? { name: session.name } : {}),
    };
  }

  private async check(principal: Principal, policy: RoutePolicy, params: Record<string, string>): Promise<void> {
    const { target, action } = policy;
    if (target.kind === 'organisation') {
      // Listing and the feed filter by grants themselves; other organisation actions are for admins.
      if (policy.filteredByGrants || authorize({ admin: principal.admin }, action) === 'allow') return;
      throw new ForbiddenException({
        code: 'FORBIDDEN',
        message: `${principal.subject} may not ${action}: it needs an organisation admin`,
      });
    }
    const id = params[target.param];
    let projectId = id;
    let ownerMemberId: string | undefined;
    if (target.kind !== 'project') {
      const owned = target.kind === 'alert' ? await this.alertOwnership(id) : await this.planning.ownership(target.kind, id);
      // An admin learns from the handler that it does not exist; anyone else learns nothing either way.
      if (!owned) {
        if (principal.admin) return;
        throw notFound(target.kind, id);
      }
      projectId = owned.projectId;
      ownerMemberId = owned.memberId;
    }
    const grant: Grant | undefined = (await this.access.current()).grants.get(projectId)?.get(principal.subject);
    const verdict = authorize({ admin: principal.admin, grant }, action, ownerMemberId);
    if (verdict === 'allow') return;
    if (verdict === 'not_found') throw notFound(target.kind, id);
    throw new ForbiddenException({
      code: 'FORBIDDEN',
      message:
        grant?.role === 'member' && ownerMemberId !== grant.memberId
          ? `a member may ${action} only on their own ${target.kind}s`
          : `the ${grant?.role} role may not ${action}`,
    });
  }
}

/** What the guard needs of the Alerts service, resolved when first needed (the alerts module is global). */
type AlertsLike = Pick<Alerts, 'alert' | 'concernedMember'>;

function notFound(kind: string, id: string): NotFoundException {
  const code = `${kind.toUpperCase()}_NOT_FOUND`;
  return new NotFoundException({ code, message: `${kind} ${id} does not exist, or you have no role in its project` });
}
