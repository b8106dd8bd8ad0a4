import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { PlanLedgerConfig } from '@planledger/config';
import { AlertQueues, PLANLEDGER_CONFIG } from '@planledger/runtime';
import type { NextFunction, Request, Response } from 'express';
import { AuthenticationFailed, Authenticator } from '../security/authenticator';
import { FAILED_BY_ADDRESS, RATE_LIMIT, rateLimitKey } from '../security/rate-limit';

export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * Bull Board under /admin/queues, for organisation admins only: the same bearer tokens and API
 * keys as the API (send the Authorization header, e.g. through a proxy or a browser extension).
 */
export function mountQueueBoard(app: NestExpressApplication): void {
  const queues = app.get(AlertQueues);
  const authenticator = app.get(Authenticator);
  const board = new ExpressAdapter();
  board.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: [new BullMQAdapter(queues.checks), new BullMQAdapter(queues.deliveries)],
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'PlanLedger jobs' } },
  });
  const storage = app.get<ThrottlerStorage>(ThrottlerStorage, { strict: false });
  const config = app.get<PlanLedgerConfig>(PLANLEDGER_CONFIG);
  /** The board is outside the Nest routes, not outside the limits: the same counters as every route. */
  const underLimit = async (request: Request, response: Response, subject: string | undefined): Promise<boolean> => {
    const [name, limit] = subject ? [RATE_LIMIT, config.RATE_LIMIT_PER_MINUTE] : [FAILED_BY_ADDRESS, config.AUTH_FAILURES_PER_MINUTE];
    const key = rateLimitKey(config.QUEUE_PREFIX, name, subject ? `principal:${subject}` : `address:${request.ip ?? 'unknown'}`);
    const record = await storage.increment(key, 60_000, limit, 60_000, name);
    if (!record.isBlocked) return true;
    response.setHeader('Retry-After', String(record.timeToBlockExpire));
    response.status(429).json({ statusCode: 429, code: 'TOO_MANY_REQUESTS', message: 'ThrottlerException: Too Many Requests' });
    return false;
  };
  const adminsOnly = async (request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Cache-Control', 'no-store');
    let principal: Awaited<ReturnType<Authenticator['authenticate']>>;
    try {
      principal = await authenticator.authenticate(request.header('authorization'));
    } catch (error) {
      if (!(error instanceof AuthenticationFailed)) return next(error);
      // A wrong credential counts against the address's failure limit, as on every route.
      if (request.header('authorization') !== undefined && !(await underLimit(request, response, undefined))) return;
      response.status(401).json({ statusCode: 401, code: error.code, message: error.message });
      return;
    }
    try {
      if (!(await underLimit(request, response, principal.subject))) return;
    } catch (error) {
      return next(error);
    }
    if (principal.admin) return next();
    response.status(403).json({
      statusCode: 403,
      code: 'FORBIDDEN',
      message: `${principal.subject} may not open the queue board: it needs an organisation admin`,
    });
  };
  const router = board.getRouter() as { disable?: (setting: string) => void };
  // The board is an Express app of its own: it would announce itself on every answer.
  router.disable?.('x-powered-by');
  app.use(QUEUE_BOARD_PATH, adminsOnly, router as never);
}
