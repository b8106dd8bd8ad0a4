import type { PlanLedgerConfig } from '@planledger/config';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import type { AuthenticatedRequest } from '../security/principal';
import { CORRELATION_HEADER } from './request-context';

const PINO_LEVELS: Record<PlanLedgerConfig['LOG_LEVEL'], string> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** Where secrets can appear in a request log; pino replaces them before anything is written. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["idempotency-key"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.token',
  '*.key',
];

/**
 * The one-time sign-in link carries its secret in the path and the OIDC callback its code in the
 * query: neither may reach a log line.
 */
export function redactUrlSecrets(url: string): string {
  if (url.startsWith('/auth/link/')) return '/auth/link/[redacted]';
  if (url.startsWith('/auth/callback') || url.startsWith('/invitation') || url.startsWith('/password-reset'))
    return url.replace(/\?.*$/, '?[redacted]');
  return url;
}

/**
 * JSON logs through pino: one line per request with its correlation id and actor, with credentials
 * redacted; Nest's own log lines go through the same logger.
 */
export function loggingModule(config: PlanLedgerConfig) {
  // Request lines are written at info: below that level the per-request middleware would cost
  // without writing anything, so it is not installed.
  const requestLines = ['log', 'debug', 'verbose'].includes(config.LOG_LEVEL);
  return LoggerModule.forRoot({
    forRoutes: requestLines ? undefined : [],
    pinoHttp: {
      level: PINO_LEVELS[config.LOG_LEVEL],
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      autoLogging: { ignore: (request: IncomingMessage) => request.url === '/health' },
      customProps: (request: IncomingMessage) => {
        const principal = (request as unknown as AuthenticatedRequest).principal;
        const correlationId = request.headers[CORRELATION_HEADER];
        return { ...(principal ? { actor: principal.subject } : {}), ...(typeof correlationId === 'string' ? { correlationId } : {}) };
      },
      serializers: {
        // The query string can carry cursors, never secrets; bodies are not logged at all.
        req: (request: { method: string; url: string; headers: Record<string, unknown> }) => ({
          method: request.method,
          url: redactUrlSecrets(request.url),
          headers: request.headers,
        }),
      },
    },
  });
}
