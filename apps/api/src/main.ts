import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { closeOnSignals, loadConfigOrExit, logLevels } from '@planledger/runtime';
import { AppModule } from './app.module';
import { serveOpenApi } from './openapi';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await NestFactory.create(AppModule.forRoot(config), { logger: logLevels(config.LOG_LEVEL) });
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
