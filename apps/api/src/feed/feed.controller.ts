import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, eventSchema, Feed, Planning, type FeedScope } from '@planledger/application';
import { feedPageSchema, feedQuerySchema, schemaCatalogue, schemaCatalogueSchema } from '@planledger/contracts';
import { ROLE_PERMISSIONS } from '@planledger/domain';
import { createZodDto } from 'nestjs-zod';
import { CurrentPrincipal, type Principal } from '../security/principal';

class FeedQuery extends createZodDto(feedQuerySchema) {}
class FeedPageDto extends createZodDto(feedPageSchema) {}
class SchemaCatalogueDto extends createZodDto(schemaCatalogueSchema) {}

/** Projects whose events the caller may read: all for an admin, else those where a role has feed.read. */
export async function feedScope(access: Access, principal: Principal): Promise<FeedScope> {
  if (principal.admin) return { all: true };
  const projects = new Set<string>();
  for (const [projectId, grants] of (await access.current()).grants) {
    const grant = grants.get(principal.subject);
    if (grant && ROLE_PERMISSIONS[grant.role].has('feed.read')) projects.add(projectId);
  }
  return { all: false, projects };
}

/** The log as CloudEvents 1.0, in global order, filtered to the projects the caller may read. */
@ApiTags('feed')
@Controller()
export class FeedController {
  constructor(
    private readonly feed: Feed,
    private readonly access: Access,
    private readonly planning: Planning,
  ) {}

  @Get('events')
  @ApiOperation({
    summary:
      'A page of the event log as CloudEvents 1.0 (structured JSON), in global order, upcast to the current schema versions: every event for an admin, the events of the projects where the caller is a manager or analyst for anyone else. Resume with `after` = `next`',
  })
  @ApiOkResponse({ type: FeedPageDto.Output })
  async events(@Query() query: FeedQuery, @CurrentPrincipal() principal: Principal) {
    const scope = await feedScope(this.access, principal);
    if (query.projectId !== undefined && !scope.all && !scope.projects.has(query.projectId)) throw projectNotFound(query.projectId);
    return this.feed.page({ after: query.after, limit: query.limit, types: query.type, projectId: query.projectId }, scope);
  }

  @Get('projects/:projectId/events')
  @ApiOperation({ summary: 'A page of one project’s events as CloudEvents 1.0, in global order. Resume with `after` = `next`' })
  @ApiOkResponse({ type: FeedPageDto.Output })
  async projectEvents(@Param('projectId') projectId: string, @Query() query: FeedQuery) {
    if (query.projectId !== undefined && query.projectId !== projectId) throw projectNotFound(query.projectId);
    await this.planning.project(projectId);
    return this.feed.page({ after: query.after, limit: query.limit, types: query.type, projectId }, { all: true });
  }

  @Get('schemas')
  @ApiOperation({ summary: 'Every event type with its current schema version, CloudEvents type and the JSON Schema’s id and location' })
  @ApiOkResponse({ type: SchemaCatalogueDto.Output })
  schemas() {
    return schemaCatalogue();
  }

  @Get('schemas/:type/:version')
  @ApiOperation({ summary: 'The JSON Schema (draft 2020-12) of one event type’s `data` at one version' })
  schema(@Param('type') type: string, @Param('version') version: string) {
    const schema = /^\d{1,4}$/.test(version) ? eventSchema(type, Number(version)) : undefined;
    if (!schema) throw new NotFoundException({ code: 'SCHEMA_NOT_FOUND', message: `no schema for ${type} version ${version}; GET /schemas lists them` });
    return schema;
  }
}

function projectNotFound(projectId: string): NotFoundException {
  return new NotFoundException({ code: 'PROJECT_NOT_FOUND', message: `project ${projectId} does not exist, or you have no role in its project that reads its events` });
}
