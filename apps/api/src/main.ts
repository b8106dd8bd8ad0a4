import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json } from 'express';
import helmet from 'helmet';
import { ConfigError } from '@planledger/config';
import { closeOnSignals, eventStoreReachableOrExit, loadConfigOrExit } from '@planledger/runtime';
import { Logger as PinoLogger } from 'nestjs-pino';
import { DEVELOPMENT_SUBJECT, resolveAuthSettings, withDevelopmentNotifyKey, type AuthSettings } from './security/auth-settings';
import { Accounts, publicUrl } from './auth/accounts.service';
import { SIGN_IN_LINK_MINUTES, SignInLinks } from './auth/sign-in-links';
import { AppModule } from './app.module';
import { serveOpenApi } from './openapi';
import { mountQueueBoard } from './alerts/queue-board';
import { dashboardDir, serveDashboard } from './http/dashboard';
import { refuseDeepJson } from './http/json-depth';

async function bootstrap(): Promise<void> {
  const config = withDevelopmentNotifyKey(loadConfigOrExit());
  let auth: AuthSettings;
  try {
    auth = await resolveAuthSettings(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
  await eventStoreReachableOrExit(config, 'PlanLedger API');
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, auth), { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(PinoLogger));
  // Behind a reverse proxy: the client's address (sign-in slowing, rate limits) and scheme come from its headers.
  if (config.TRUST_PROXY !== undefined) app.set('trust proxy', config.TRUST_PROXY);
  // Security headers, a Content-Security-Policy on every answer: scripts from this origin only (the
  // dashboard's bundle and the OpenAPI UI's files; neither has an inline script), inline styles
  // allowed (the component library and the OpenAPI UI set them), no plugins, no framing by others.
  // No upgrade-insecure-requests: an installation on plain http inside a network must keep working.
  app.disable('x-powered-by');
  app.use(helmet({ contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } } }));
  // Without configured origins no CORS middleware runs at all: browsers then refuse cross-origin calls.
  if (config.CORS_ORIGINS.length > 0)
    app.enableCors({ origin: config.CORS_ORIGINS, exposedHeaders: ['ETag', 'X-Correlation-Id', 'Idempotent-Replayed', 'Retry-After'] });
  // Feeds post up to 10,000 actuals at once; every other body stays small.
  app.use(/^\/goals\/[^/]+\/actuals\/batch$/, json({ limit: '8mb' }));
  app.use(json({ limit: '256kb' }));
  app.use(refuseDeepJson);
  if (config.DOCS_ENABLED) serveOpenApi(app);
  mountQueueBoard(app);
  const dashboard = serveDashboard(app);
  const server = app.getHttpServer() as import('node:http').Server;
  // Idle keep-alive connections outlive those of clients and load balancers (60 s is common), so the
  // server is never the one to close a connection a client is about to reuse (ECONNRESET).
  server.keepAliveTimeout = 65_000;
  // A request's headers and body must arrive within HTTP_REQUEST_TIMEOUT_MS (408, then closed);
  // Node checks at an interval, set before listening, so a slow client is cut within a second or so.
  server.requestTimeout = config.HTTP_REQUEST_TIMEOUT_MS;
  server.headersTimeout = Math.min(66_000, config.HTTP_REQUEST_TIMEOUT_MS);
  (server as { connectionsCheckingInterval?: number }).connectionsCheckingInterval = Math.min(1000, config.HTTP_REQUEST_TIMEOUT_MS);
  await app.listen(config.PORT, config.HOST);
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${config.PORT}`;
  closeOnSignals(app, 'PlanLedger API', new Logger('Bootstrap'));
  if (auth.developmentToken) {
    Logger.log('Development token (admin user:dev, 30 days; for local use only) and a sign-in link printed below', 'Bootstrap');
    // Plain lines of their own, not inside a JSON log line: copied by hand, read by a script, or
    // clicked in a terminal (the link signs the browser in as the development admin).
    const link = `${publicUrl(config)}/auth/link/${app.get(SignInLinks).issue(DEVELOPMENT_SUBJECT)}`;
    process.stdout.write(
      `\nDevelopment token (admin user:dev, 30 days; for local use only):\n${auth.developmentToken}\n\n` +
        `  try: curl -H "Authorization: Bearer ${auth.developmentToken}" ${url}/projects\n\n` +
        `Sign in from a browser (once, within ${SIGN_IN_LINK_MINUTES} minutes): ${link}\n\n`,
    );
  }
  if (config.AUTH_BOOTSTRAP_ADMIN) {
    const invited = await app.get(Accounts).bootstrapAdmin(config.AUTH_BOOTSTRAP_ADMIN);
    // A plain line, like the sign-in link: the first admin sets a password through it.
    if (invited)
      process.stdout.write(
        `Invitation for the first admin ${config.AUTH_BOOTSTRAP_ADMIN} (once, until ${invited.expiresAt}): ${invited.link}\n`,
      );
  }
  Logger.log(
    dashboard ? `Dashboard: ${url}/` : `No dashboard at ${dashboardDir()} (build it with npx nx run web:build); the API runs alone`,
    'Bootstrap',
  );
  Logger.log(`PlanLedger API listening on ${url} (health: ${url}/health${config.DOCS_ENABLED ? `, docs: ${url}/docs` : ''})`, 'Bootstrap');
}

bootstrap().catch((error: Error) => {
  Logger.error(`PlanLedger API failed to start: ${error.message}`, 'Bootstrap');
  process.exit(1);
});
