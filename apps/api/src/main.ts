import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json } from 'express';
import { closeOnSignals, loadConfigOrExit, logLevels } from '@planledger/runtime';
import { AppModule } from './app.module';
import { serveOpenApi } from './openapi';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { logger: logLevels(config.LOG_LEVEL), bodyParser: false });
  // Feeds post up to 10,000 actuals at once; every other body stays small.
  app.use(/^\/goals\/[^/]+\/actuals\/batch$/, json({ limit: '8mb' }));
  app.use(json({ limit: '256kb' }));
  if (config.DOCS_ENABLED) serveOpenApi(app);
  await app.listen(config.PORT, config.HOST);
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${config.PORT}`;
  closeOnSignals(app, 'PlanLedger API', new Logger('Bootstrap'));
  Logger.log(`PlanLedger API listening on ${url} (health: ${url}/health${config.DOCS_ENABLED ? `, docs: ${url}/docs` : ''})`, 'Bootstrap');
}

bootstrap().catch((error: Error) => {
  Logger.error(`PlanLedger API failed to start: ${error.message}`, 'Bootstrap');
  process.exit(1);
});
