import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
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
import { RequestDeadline } from './http/request-deadline';
import { LastWritesModule, RememberLastWrite } from './http/last-writes';
import { requireIdempotencyKeys } from './http/request-context';
import { PlanningModule } from './planning/planning.module';
import { FeedModule } from './feed/feed.module';
import { ImportsModule } from './imports/imports.module';
import { DashboardModule } from './dashboard/dashboard.module';
import type { AuthSettings } from './security/auth-settings';
import { SecurityModule } from './security/security.module';
import { AuthModule } from './auth/auth.module';

@Module({})
export class AppModule {
  static forRoot(config: PlanLedgerConfig, auth: AuthSettings): DynamicModule {
    requireIdempotencyKeys(config.IDEMPOTENCY_KEY_REQUIRED);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        loggingModule(config),
        EventStoreModule,
        RedisModule,
        LastWritesModule,
        SecurityModule.forRoot(auth),
        AuthModule,
        PlanningModule,
        ProjectLifeModule,
        FeedModule,
        AlertsApiModule,
        ImportsModule,
        DashboardModule,
        ...(config.WORKER_IN_PROCESS ? [WorkerLoopsModule.forRoot(config)] : []),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        HealthService,
        DemoLoader,
        { provide: APP_PIPE, useClass: ZodValidationPipe },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_INTERCEPTOR, useClass: RequestDeadline },
        { provide: APP_INTERCEPTOR, useClass: RememberLastWrite },
      ],
    };
  }
}
