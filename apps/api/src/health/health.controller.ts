import { Controller, Get, Res } from '@nestjs/common';
import { Public } from '../security/principal';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { healthReportSchema, type HealthReport } from '@planledger/contracts';
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
  @ApiOperation({ summary: 'Whether the event store and Redis are reachable, with details' })
  @ApiOkResponse({ type: HealthReportDto.Output, description: 'The event store is up (Redis may be down: status "degraded")' })
  @ApiServiceUnavailableResponse({ type: HealthReportDto.Output, description: 'The event store is unreachable' })
  async check(@Res({ passthrough: true }) response: Response): Promise<HealthReport> {
    const report = await this.health.report();
    response.status(report.status === 'down' ? 503 : 200);
    return report;
  }
}
