import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Access, Planning, type RequestMetadata } from '@planledger/application';
import {
  inviteBodySchema,
  issuedLinkSchema,
  meSchema,
  revokeSessionsBodySchema,
  sessionSummarySchema,
  subjectSchema,
} from '@planledger/contracts';
import { ACTIONS, authorize, type Action } from '@planledger/domain';
import type { Response } from 'express';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { Command } from '../http/request-context';
import { CurrentPrincipal, type Principal } from '../security/principal';
import { Accounts } from './accounts.service';
import type { StoredSession } from './session-store';
import { Sessions } from './sessions.service';

class InviteBody extends createZodDto(inviteBodySchema) {}
class IssuedLinkDto extends createZodDto(issuedLinkSchema) {}
class MeDto extends createZodDto(meSchema) {}
class RevokeSessionsBody extends createZodDto(revokeSessionsBodySchema) {}
class SessionListDto extends createZodDto(z.object({ sessions: z.array(sessionSummarySchema) })) {}
class AccountListDto extends createZodDto(
  z.object({
    accounts: z.array(
      z.object({
        accountId: z.string(),
        login: z.string(),
        subject: z.string(),
        name: z.string().nullable(),
        email: z.string().nullable(),
        orgRole: z.string(),
        status: z.enum(['invited', 'active']),
      }),
    ),
  }),
) {}

/** Actions that are not about one project: they are shown by orgRole, not per project. */
const PROJECT_ACTIONS = ACTIONS.filter((a) => !['project.open', 'apiKey.manage', 'account.manage', 'project.list'].includes(a));

function summary(s: StoredSession) {
  return {
    sessionId: s.sessionId,
    subject: s.subject,
    via: s.via,
    createdAt: s.createdAt.toISOString(),
    lastSeenAt: s.lastSeenAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
    userAgent: s.userAgent,
  };
}

/** Who is signed in, and the people side of administration: invitations, resets and sessions. */
@ApiTags('people')
@Controller()
export class PeopleController {
  constructor(
    private readonly accounts: Accounts,
    private readonly sessions: Sessions,
    private readonly access: Access,
    private readonly planning: Planning,
  ) {}

  @Get('me')
  @ApiOperation({
    summary: 'Who is signed in: actor, organisation role, and per project the roles held and the actions they allow',
  })
  @ApiOkResponse({ type: MeDto.Output })
  async me(@CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) response: Response) {
    response.setHeader('Cache-Control', 'no-store');
    const account = await this.accounts.bySubject(principal.subject);
    const { grants } = await this.access.current();
    let projectIds: string[];
    if (principal.admin) {
      projectIds = [];
      for (let after: string | undefined, page; ; after = page.next ?? undefined) {
        page = await this.planning.listProjects(500, after);
        projectIds.push(...page.projects.map((p) => p.projectId));
        if (!page.next) break;
      }
    } else projectIds = [...grants.entries()].filter(([, bySubject]) => bySubject.has(principal.subject)).map(([id]) => id);
    const projects = await Promise.all(
      projectIds.map(async (projectId) => {
        const grant = grants.get(projectId)?.get(principal.subject);
        const { state } = await this.planning.project(projectId);
        const actions = PROJECT_ACTIONS.filter(
          (action: Action) => authorize({ admin: principal.admin, grant }, action, grant?.memberId) === 'allow',
        );
        return {
          projectId,
          name: state.charter?.name ?? projectId,
          roles: grant ? [grant.role] : [],
          actions,
          memberId: grant?.memberId ?? null,
        };
      }),
    );
    return {
      actor: principal.subject,
      name: account?.name ?? principal.name ?? null,
      orgRole: principal.admin ? 'admin' : 'member',
      via: principal.via,
      projects,
    };
  }

  @Post('invitations')
  @ApiOperation({
    summary: 'Invite a person to a local account (admins): the one-time link is in this answer, and mailed when SMTP is set',
  })
  @ApiCreatedResponse({ type: IssuedLinkDto.Output })
  async invite(@Body() body: InviteBody, @Command() meta: RequestMetadata, @Res({ passthrough: true }) response: Response) {
    this.accounts.enabled();
    if (body.role !== undefined || body.memberId !== undefined)
      throw new BadRequestException({
        code: 'ROLE_NEEDS_PROJECT',
        message: 'a project role is given by inviting through /projects/{projectId}/invitations',
      });
    response.setHeader('Cache-Control', 'no-store');
    return this.accounts.invite({ login: body.login, name: body.name, email: body.email, orgRole: body.orgRole }, meta);
  }

  @Post('projects/:projectId/invitations')
  @ApiOperation({ summary: 'Invite a person to the project (managers): the role is granted at once, the link lets them set a password' })
  @ApiCreatedResponse({ type: IssuedLinkDto.Output })
  async inviteToProject(
    @Param('projectId') projectId: string,
    @Body() body: InviteBody,
    @Command() meta: RequestMetadata,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ) {
    this.accounts.enabled();
    if (body.orgRole === 'admin' && !principal.admin)
      throw new ForbiddenException({ code: 'FORBIDDEN', message: 'only an organisation admin may invite an admin' });
    await this.planning.project(projectId);
    response.setHeader('Cache-Control', 'no-store');
    return this.accounts.invite(
      {
        login: body.login,
        name: body.name,
        email: body.email,
        orgRole: body.orgRole,
        project: { projectId, role: body.role ?? 'viewer', ...(body.memberId === undefined ? {} : { memberId: body.memberId }) },
      },
      meta,
    );
  }

  @Get('accounts')
  @ApiOperation({ summary: 'Local accounts (admins), never their passwords' })
  @ApiOkResponse({ type: AccountListDto.Output })
  async list() {
    const { accounts } = await this.accounts.current();
    return {
      accounts: [...accounts.values()].map((a) => ({
        accountId: a.accountId,
        login: a.login,
        subject: `user:${a.login}`,
        name: a.name ?? null,
        email: a.email ?? null,
        orgRole: a.orgRole,
        status: a.status,
      })),
    };
  }

  @Post('accounts/:accountId/password-resets')
  @ApiOperation({ summary: 'Issue a one-time password reset link for an account (admins); mailed when SMTP is set' })
  @ApiCreatedResponse({ type: IssuedLinkDto.Output })
  async reset(@Param('accountId') accountId: string, @Command() meta: RequestMetadata, @Res({ passthrough: true }) response: Response) {
    this.accounts.enabled();
    response.setHeader('Cache-Control', 'no-store');
    return this.accounts.issueReset(accountId, meta);
  }

  @Get('sessions')
  @ApiOperation({ summary: 'A person’s browser sessions (admins)' })
  @ApiQuery({ name: 'subject', required: true, description: 'user:… or service:…' })
  @ApiOkResponse({ type: SessionListDto.Output })
  async list_sessions(@Query('subject') subject: unknown) {
    const checked = subjectSchema.safeParse(subject);
    if (!checked.success)
      throw new BadRequestException({ code: 'SUBJECT_INVALID', message: `subject ${checked.error.issues[0]?.message}` });
    return { sessions: (await this.sessions.sessionsOf(checked.data)).map(summary) };
  }

  @Post('sessions/revocations')
  @HttpCode(200)
  @ApiOperation({ summary: 'End every session of a person at once (admins)' })
  @ApiOkResponse({ type: createZodDto(z.object({ revoked: z.number() })).Output })
  async revokeAll(@Body() body: RevokeSessionsBody, @CurrentPrincipal() principal: Principal) {
    return { revoked: await this.sessions.revokeAllOf(body.subject, principal.subject) };
  }

  @Post('sessions/:sessionId/revocation')
  @HttpCode(200)
  @ApiOperation({ summary: 'End one session at once (admins): its next request is refused' })
  @ApiOkResponse({ type: SessionListDto.Output })
  async revoke(@Param('sessionId') sessionId: string, @CurrentPrincipal() principal: Principal) {
    const revoked = await this.sessions.revoke(sessionId, principal.subject);
    if (!revoked) throw new NotFoundException({ code: 'SESSION_NOT_FOUND', message: `session ${sessionId} does not exist or has ended` });
    return { sessions: [summary(revoked)] };
  }
}
