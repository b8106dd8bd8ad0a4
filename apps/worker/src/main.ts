import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { closeOnSignals, loadConfigOrExit, logLevels } from '@planledger/runtime';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: logLevels(config.LOG_LEVEL) });
  closeOnSignals(app, 'PlanLedger worker', new Logger('Bootstrap'));
  Logger.log('PlanLedger worker started', 'Bootstrap');
}

bootstrap().catch((error: Error) => {
  Logger.error(`PlanLedger worker failed to start: ${error.message}`, 'Bootstrap');
  process.exit(1);
});
