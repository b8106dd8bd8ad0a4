import { ConsoleLogger, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { closeOnSignals, eventStoreReachableOrExit, loadConfigOrExit, logLevels } from '@planledger/runtime';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  await eventStoreReachableOrExit(config, 'PlanLedger worker');
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    // One JSON object a line, as the API logs: text from a receiver or a mail server in a message
    // is a string in it, so its newlines and colour codes cannot forge lines.
    logger: new ConsoleLogger({ json: true, colors: false, logLevels: logLevels(config.LOG_LEVEL) }),
  });
  closeOnSignals(app, 'PlanLedger worker', new Logger('Bootstrap'));
  Logger.log('PlanLedger worker started', 'Bootstrap');
}

bootstrap().catch((error: Error) => {
  Logger.error(`PlanLedger worker failed to start: ${error.message}`, 'Bootstrap');
  process.exit(1);
});
