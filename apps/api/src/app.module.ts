import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import type { PlanLedgerConfig } from '@planledger/config';
import { ConfigModule, EventStoreModule, RedisModule, WorkerLoopsModule } from '@planledger/runtime';
import { ZodValidationPipe } from 'nestjs-zod';
import { DemoLoader } from './demo.loader';
import { HealthController } from './health/health.controller';
import { HealthService } from './health/health.service';
import { AlertsApiModule } from './alerts/alerts.module';
import { ProjectLifeModule } from './project-life/project-life.module';
import { MetricsController } from './health/metrics.controller';
import { loggingModule } from './http/logging';
import { ProblemFilter } from './http/problem.filter';
import { PlanningModule } from './planning/planning.module';
import { FeedModule } from './feed/feed.module';
import type { AuthSettings } from './security/auth-settings';
import { SecurityModule } from './security/security.module';

@Module({})
export class AppModule {
  static forRoot(config: PlanLedgerConfig, auth: AuthSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), loggingModule(config), EventStoreModule, RedisModule, SecurityModule.forRoot(auth), PlanningModule, ProjectLifeModule, FeedModule, AlertsApiModule, ...(config.WORKER_IN_PROCESS ? [WorkerLoopsModule.forRoot(config)] : [])],
      controllers: [HealthController, MetricsController],
      providers: [HealthService, DemoLoader, { provide: APP_PIPE, useClass: ZodValidationPipe }, { provide: APP_FILTER, useClass: ProblemFilter }],
    };
  }
}
