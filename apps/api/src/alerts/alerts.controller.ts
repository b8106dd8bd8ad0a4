import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Logger,
  ForbiddenException,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Access, Alerts, INBOX_ALERT_TYPES, type InboxCaller, type RequestMetadata } from '@planledger/application';
import type { PlanLedgerConfig } from '@planledger/config';
import {
  acknowledgeAlertBodySchema,
  addAlertSubscriptionBodySchema,
  type AddAlertSubscriptionBody,
  deliveriesQuerySchema,
  inboxQuerySchema,
  alertQuerySchema,
  removeAlertSubscriptionBodySchema,
  retryDeliveryBodySchema,
} from '@planledger/contracts';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';
import { ALERTS, PLANLEDGER_CONFIG } from '@planledger/runtime';
import type { Request, Response } from 'express';
import { createZodDto, ZodValidationPipe } from 'nestjs-zod';
import { z } from 'zod';
import { LastWrites } from '../http/last-writes';
import { Command } from '../http/request-context';
import { openSse } from '../http/sse';
import { StreamSlots } from '../http/stream-slots';
import { commandResponse } from '../planning/command-response';
import { CurrentPrincipal, type AuthenticatedRequest, type Principal } from '../security/principal';

class RemoveAlertSubscriptionBody extends createZodDto(removeAlertSubscriptionBodySchema) {}
class AcknowledgeAlertBody extends createZodDto(acknowledgeAlertBodySchema) {}
class RetryDeliveryBody extends createZodDto(retryDeliveryBodySchema) {}
class DeliveriesQuery extends createZodDto(deliveriesQuerySchema) {}
class InboxQuery extends createZodDto(inboxQuerySchema) {}
class AlertQuery extends createZodDto(alertQuerySchema) {}

const POSITION = /^\d{20}-\d{20}$/;

/** Alert subscriptions per project, the caller's inbox, acknowledgements, and the delivery list with retries. */
@ApiTags('alerts')
@Controller()
export class AlertsController implements OnApplicationShutdown {
  private readonly streams = new Set<AbortController>();
  private readonly logger = new Logger('Alerts');

  constructor(
    @Inject(ALERTS) private readonly alerts: Alerts,
    private readonly access: Access,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PLANLEDGER_CONFIG) private readonly config: PlanLedgerConfig,
    private readonly lastWrites: LastWrites,
    private readonly slots: StreamSlots,
  ) {}

  @Post('projects/:projectId/alert-subscriptions')
  @ApiOperation({
    summary:
      'Send the project’s alerts to a webhook (signed with HMAC-SHA256; the secret is answered once, here), Slack, DingTalk, WeCom or Feishu robot, or e-mail, in English or Chinese, one message per alert or a daily digest',
  })
  @ApiCreatedResponse({ description: 'The subscription, with `secret` for a webhook' })
  @ApiBody({ schema: z.toJSONSchema(addAlertSubscriptionBodySchema, { io: 'input', unrepresentable: 'any' }) as never })
  async subscribe(
    @Param('projectId') projectId: string,
    @Body(new ZodValidationPipe(addAlertSubscriptionBodySchema)) body: AddAlertSubscriptionBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { subscription, secret, result } = await this.alerts.addSubscription(projectId, body, meta);
    return { ...commandResponse(response, subscription.subscriptionId, result), subscription, ...(secret ? { secret } : {}) };
  }

  @Get('projects/:projectId/alert-subscriptions')
  @ApiOperation({ summary: 'The project’s alert subscriptions, with destinations masked (never a secret)' })
  async subscriptions(@Param('projectId') projectId: string) {
    return { projectId, ...(await this.alerts.subscriptions(projectId)) };
  }

  @Post('projects/:projectId/alert-subscriptions/:subscriptionId/removal')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop sending alerts to a subscription (with a reason)' })
  async unsubscribe(
    @Param('projectId') projectId: string,
    @Param('subscriptionId') subscriptionId: string,
    @Body() body: RemoveAlertSubscriptionBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) response: Response,
  ) {
    return commandResponse(response, subscriptionId, await this.alerts.removeSubscription(projectId, subscriptionId, body.reason, meta));
  }

  @Get('projects/:projectId/deliveries')
  @ApiOperation({ summary: 'How sending the project’s alerts went; `status=failed` is the dead-letter list, each one retryable' })
  async deliveries(@Param('projectId') projectId: string, @Query() query: DeliveriesQuery, @Req() request: AuthenticatedRequest) {
    const caughtUp = await this.alerts.reached(await this.lastWrites.minPosition(request, query.minPosition));
    return { projectId, status: query.status, deliveries: await this.alerts.deliveries(projectId, query.status), caughtUp };
  }

  @Post('projects/:projectId/deliveries/:deliveryId/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a failed delivery again (202: the worker takes it up)' })
  async retry(
    @Param('projectId') projectId: string,
    @Param('deliveryId') deliveryId: string,
    @Body() body: RetryDeliveryBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) response: Response,
  ) {
    return commandResponse(response, deliveryId, await this.alerts.requestRetry(projectId, deliveryId, body.note, meta));
  }

  @Get('alerts/:alertId')
  @ApiOperation({ summary: 'One alert with what it is about, its acknowledgement and escalation' })
  async alert(
    @Param('alertId') alertId: string,
    @Query() query: AlertQuery,
    @CurrentPrincipal() principal: Principal,
    @Req() request: AuthenticatedRequest,
  ) {
    const caughtUp = await this.alerts.reached(await this.lastWrites.minPosition(request, query.minPosition));
    const doc = await this.alerts.alert(alertId);
    if (!doc) throw new NotFoundException({ code: 'ALERT_NOT_FOUND', message: `alert ${alertId} does not exist` });
    // The inbox's rule: whoever would not find it in their inbox may not read it here either (the
    // guard let through only callers with a role in its project, so they are told so, as elsewhere).
    if (!(await this.alerts.visibleTo(await this.caller(principal), doc)))
      throw new ForbiddenException({
        code: 'FORBIDDEN',
        message: `${principal.subject} may not read alert ${alertId}: it is not in their inbox (a member reads the alerts about their own goals and tasks)`,
      });
    return { ...(await this.alerts.view(doc)), acknowledged: doc.acknowledged, escalation: doc.escalation, caughtUp };
  }

  @Post('alerts/:alertId/acknowledgement')
  @HttpCode(200)
  @ApiOperation({ summary: 'Acknowledge an alert (note optional): recorded as AlertAcknowledged, and it will not escalate' })
  async acknowledge(
    @Param('alertId') alertId: string,
    @Body() body: AcknowledgeAlertBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) response: Response,
  ) {
    return commandResponse(response, alertId, await this.alerts.acknowledge(alertId, body.note, meta));
  }

  @Get('me/alerts')
  @ApiOperation({
    summary:
      'The caller’s inbox, newest first: alerts of the projects they manage, and about their own goals and tasks, with escalations sent to them',
  })
  async inbox(@Query() query: InboxQuery, @CurrentPrincipal() principal: Principal, @Req() request: AuthenticatedRequest) {
    const caughtUp = await this.alerts.reached(await this.lastWrites.minPosition(request, query.minPosition));
    const alerts = await this.alerts.inbox(await this.caller(principal), {
      limit: query.limit,
      ...(query.acknowledged ? { acknowledged: query.acknowledged === 'true' } : {}),
    });
    return { subject: principal.subject, alerts, caughtUp };
  }

  @Get('me/alerts/stream')
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary:
      'Server-Sent Events: each new alert for the caller as it is raised (event `alert`, id = its position; resume with Last-Event-ID)',
  })
  async inboxStream(@CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    const lastEventId = request.header('last-event-id');
    if (lastEventId !== undefined && !POSITION.test(lastEventId))
      throw new BadRequestException({
        code: 'INVALID_LAST_EVENT_ID',
        message: 'Last-Event-ID must be the id of an alert this stream sent',
      });
    const after = lastEventId ?? (await this.store.headPosition());
    const release = this.slots.take(principal.subject);
    request.on('close', release);
    const sse = await openSse(request, response, this.config.FEED_HEARTBEAT_MS, this.streams);
    try {
      for await (const event of this.store.subscribe({ after, types: [...INBOX_ALERT_TYPES, 'AlertEscalated'], signal: sse.signal })) {
        // Grants are read again for each alert: a revoked role stops the flow.
        const [mine] = await this.alerts.inboxFilter(await this.caller(principal), [event]);
        if (mine) await sse.send(event.position, mine, 'alert');
      }
    } catch (error) {
      if (!sse.signal.aborted) this.logger.error(`alert stream for ${principal.subject} stopped: ${(error as Error).message}`);
    } finally {
      release();
      sse.end();
    }
  }

  onApplicationShutdown(): void {
    for (const stream of this.streams) stream.abort();
  }

  private async caller(principal: Principal): Promise<InboxCaller> {
    const grants = new Map<string, { role: 'manager' | 'member' | 'viewer' | 'analyst'; memberId?: string }>();
    for (const [projectId, byProject] of (await this.access.current()).grants) {
      const grant = byProject.get(principal.subject);
      if (grant) grants.set(projectId, grant);
    }
    return { admin: principal.admin, grants };
  }
}
