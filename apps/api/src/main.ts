import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json } from 'express';
import helmet from 'helmet';
import { ConfigError } from '@planledger/config';
import { closeOnSignals, loadConfigOrExit } from '@planledger/runtime';
import { Logger as PinoLogger } from 'nestjs-pino';
import { resolveAuthSettings, type AuthSettings } from './security/auth-settings';
import { AppModule } from './app.module';
import { serveOpenApi } from './openapi';
import { mountQueueBoard } from './alerts/queue-board';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  let auth: AuthSettings;
  try {
    auth = await resolveAuthSettings(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, auth), { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(PinoLogger));
  // Security headers; the OpenAPI UI needs inline scripts and styles of its own, nothing else does.
  app.use(helmet({ contentSecurityPolicy: config.DOCS_ENABLED ? false : undefined }));
  // Without configured origins no CORS middleware runs at all: browsers then refuse cross-origin calls.
  if (config.CORS_ORIGINS.length > 0) app.enableCors({ origin: config.CORS_ORIGINS, exposedHeaders: ['ETag', 'X-Correlation-Id'] });
  // Feeds post up to 10,000 actuals at once; every other body stays small.
  app.use(/^\/goals\/[^/]+\/actuals\/batch$/, json({ limit: '8mb' }));
  app.use(json({ limit: '256kb' }));
  if (config.DOCS_ENABLED) serveOpenApi(app);
  mountQueueBoard(app);
  await app.listen(config.PORT, config.HOST);
  // Idle keep-alive connections outlive those of clients and load balancers (60 s is common), so the
  // server is never the one to close a connection a client is about to reuse (ECONNRESET).
  const server = app.getHttpServer() as import('node:http').Server;
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${config.PORT}`;
  closeOnSignals(app, 'PlanLedger API', new Logger('Bootstrap'));
  if (auth.developmentToken) {
    Logger.log(`Development token (admin user:dev, 30 days; for local use only): ${auth.developmentToken}`, 'Bootstrap');
    Logger.log(`  try: curl -H "Authorization: Bearer <token>" ${url}/projects`, 'Bootstrap');
  }
  Logger.log(`PlanLedger API listening on ${url} (health: ${url}/health${config.DOCS_ENABLED ? `, docs: ${url}/docs` : ''})`, 'Bootstrap');
}

bootstrap().catch((error: Error) => {
  Logger.error(`PlanLedger API failed to start: ${error.message}`, 'Bootstrap');
  process.exit(1);
});
