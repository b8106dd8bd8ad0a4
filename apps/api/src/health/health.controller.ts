import { Controller, Get, Req, Res } from '@nestjs/common';
import { Public, PublicIdentified, type AuthenticatedRequest } from '../security/principal';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { healthReportSchema, type HealthReport, type PublicHealthReport } from '@planledger/contracts';
import type { Response } from 'express';
import { createZodDto } from 'nestjs-zod';
import { HealthService } from './health.service';

class HealthReportDto extends createZodDto(healthReportSchema) {}

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @PublicIdentified()
  @ApiOperation({
    summary:
      'Whether the event store and Redis are reachable: up or down for each without a credential; with details (adapter, location, latency, errors, read-model lag, loops) for an organisation admin',
  })
  @ApiOkResponse({ type: HealthReportDto.Output, description: 'The event store is up (Redis may be down: status "degraded")' })
  @ApiServiceUnavailableResponse({ type: HealthReportDto.Output, description: 'The event store is unreachable' })
  async check(
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<HealthReport | PublicHealthReport> {
    const report = await this.health.report();
    response.status(report.status === 'down' ? 503 : 200);
    if (request.principal?.admin) return report;
    // Anyone else learns what an orchestrator needs, and nothing about where things live or why they fail.
    return {
      status: report.status,
      checks: { eventStore: { status: report.checks.eventStore.status }, redis: { status: report.checks.redis.status } },
    };
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers (for an orchestrator: restart it when this fails)' })
  @ApiOkResponse({ description: 'The process is alive; it checks nothing else, so a database outage never restarts it' })
  live(): { status: 'live' } {
    return { status: 'live' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the event store answers and no background loop is stuck (send traffic here only when 200)' })
  @ApiOkResponse({ description: 'Ready to serve' })
  @ApiServiceUnavailableResponse({ description: 'Not ready; `reasons` says why' })
  async ready(@Res({ passthrough: true }) response: Response): Promise<{ status: 'ready' | 'not_ready'; reasons: string[] }> {
    const { ready, reasons } = await this.health.ready();
    response.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not_ready', reasons };
  }
}
