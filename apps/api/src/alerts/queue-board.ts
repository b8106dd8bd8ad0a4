import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AlertQueues } from '@planledger/runtime';
import type { NextFunction, Request, Response } from 'express';
import { AuthenticationFailed, Authenticator } from '../security/authenticator';

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
  createBullBoard({ queues: [new BullMQAdapter(queues.checks), new BullMQAdapter(queues.deliveries)], serverAdapter: board, options: { uiConfig: { boardTitle: 'PlanLedger jobs' } } });
  const adminsOnly = async (request: Request, response: Response, next: NextFunction) => {
    try {
      const principal = await authenticator.authenticate(request.header('authorization'));
      if (principal.admin) return next();
      response.status(403).json({ statusCode: 403, code: 'FORBIDDEN', message: `${principal.subject} may not open the queue board: it needs an organisation admin` });
    } catch (error) {
      if (!(error instanceof AuthenticationFailed)) return next(error);
      response.status(401).json({ statusCode: 401, code: error.code, message: error.message });
    }
  };
  app.use(QUEUE_BOARD_PATH, adminsOnly, board.getRouter());
}
