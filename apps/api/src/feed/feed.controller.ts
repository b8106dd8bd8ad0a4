import {
  BadRequestException,
  Controller,
  Get,
  Inject,
  Logger,
  NotFoundException,
  Param,
  Query,
  Req,
  Res,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Access, asyncApiDocument, eventSchema, Feed, Planning, type FeedScope } from '@planledger/application';
import type { PlanLedgerConfig } from '@planledger/config';
import { PLANLEDGER_CONFIG, PLANLEDGER_VERSION } from '@planledger/runtime';
import { feedPageSchema, feedQuerySchema, feedStreamQuerySchema, schemaCatalogue, schemaCatalogueSchema } from '@planledger/contracts';
import { ROLE_PERMISSIONS } from '@planledger/domain';
import { createZodDto } from 'nestjs-zod';
import { openSse } from '../http/sse';
import { StreamSlots } from '../http/stream-slots';
import { CurrentPrincipal, type Principal } from '../security/principal';

class FeedQuery extends createZodDto(feedQuerySchema) {}
class FeedStreamQuery extends createZodDto(feedStreamQuerySchema) {}

const POSITION = /^\d{20}-\d{20}$/;
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
export class FeedController implements OnApplicationShutdown {
  /** Open streams, ended when the API shuts down so it never waits on a client. */
  private readonly streams = new Set<AbortController>();
  private readonly logger = new Logger('Feed');

  constructor(
    private readonly feed: Feed,
    private readonly access: Access,
    private readonly planning: Planning,
    @Inject(PLANLEDGER_CONFIG) private readonly config: PlanLedgerConfig,
    private readonly slots: StreamSlots,
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

  @Get('events/stream')
  @ApiOperation({
    summary:
      'Server-Sent Events: the feed from `after` (or the `Last-Event-ID` header, which wins), catch-up then live, one CloudEvent per message with the position as its id; a comment line every 15 s when idle. Reconnect with Last-Event-ID to resume exactly after the last event received',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The id (position) of the last event received' })
  async stream(
    @Query() query: FeedStreamQuery,
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const lastEventId = request.header('last-event-id');
    if (lastEventId !== undefined && !POSITION.test(lastEventId)) {
      throw new BadRequestException({
        code: 'INVALID_LAST_EVENT_ID',
        message: 'Last-Event-ID must be the id of an event this stream sent',
      });
    }
    const scope = await feedScope(this.access, principal);
    if (query.projectId !== undefined && !scope.all && !scope.projects.has(query.projectId)) throw projectNotFound(query.projectId);

    const release = this.slots.take(principal.subject);
    request.on('close', release);
    const sse = await openSse(request, response, this.config.FEED_HEARTBEAT_MS, this.streams);
    try {
      const events = this.feed.follow(
        { after: lastEventId ?? query.after, types: query.type, projectId: query.projectId },
        () => feedScope(this.access, principal),
        sse.signal,
      );
      for await (const event of events) {
        await sse.send(event.position, event);
        if (sse.signal.aborted) break;
      }
    } catch (error) {
      // The stream's status is sent; the client reconnects with Last-Event-ID and loses nothing.
      if (!sse.signal.aborted) {
        this.logger.error(`event stream for ${principal.subject} stopped: ${(error as Error).message}`);
        response.write(`event: error\ndata: ${JSON.stringify({ message: 'the stream stopped; reconnect to resume' })}\n\n`);
      }
    } finally {
      release();
      sse.end();
    }
  }

  onApplicationShutdown(): void {
    for (const stream of this.streams) stream.abort();
  }

  @Get('projects/:projectId/events')
  @ApiOperation({ summary: 'A page of one project’s events as CloudEvents 1.0, in global order. Resume with `after` = `next`' })
  @ApiOkResponse({ type: FeedPageDto.Output })
  async projectEvents(@Param('projectId') projectId: string, @Query() query: FeedQuery, @CurrentPrincipal() principal: Principal) {
    if (query.projectId !== undefined && query.projectId !== projectId) throw projectNotFound(query.projectId);
    await this.planning.project(projectId);
    // The project's events as the organisation feed shows them: grants and API keys to admins only.
    const scope: FeedScope = principal.admin ? { all: true } : { all: false, projects: new Set([projectId]) };
    return this.feed.page({ after: query.after, limit: query.limit, types: query.type, projectId }, scope);
  }

  @Get('schemas')
  @ApiOperation({ summary: 'Every event type with its current schema version, CloudEvents type and the JSON Schema’s id and location' })
  @ApiOkResponse({ type: SchemaCatalogueDto.Output })
  schemas() {
    return schemaCatalogue();
  }

  @Get('asyncapi.json')
  @ApiOperation({ summary: 'AsyncAPI 3.0 document of the SSE channel: each event type as a CloudEvent message with its data schema' })
  asyncApi() {
    return asyncApiDocument(PLANLEDGER_VERSION);
  }

  @Get('schemas/:type/:version')
  @ApiOperation({ summary: 'The JSON Schema (draft 2020-12) of one event type’s `data` at one version' })
  schema(@Param('type') type: string, @Param('version') version: string) {
    const schema = /^\d{1,4}$/.test(version) ? eventSchema(type, Number(version)) : undefined;
    if (!schema)
      throw new NotFoundException({
        code: 'SCHEMA_NOT_FOUND',
        message: `no schema for ${type} version ${version}; GET /schemas lists them`,
      });
    return schema;
  }
}

function projectNotFound(projectId: string): NotFoundException {
  return new NotFoundException({
    code: 'PROJECT_NOT_FOUND',
    message: `project ${projectId} does not exist, or you have no role in its project that reads its events`,
  });
}
