import { Inject, Injectable, SetMetadata, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { PlanLedgerConfig } from '@planledger/config';
import { PLANLEDGER_CONFIG } from '@planledger/runtime';
import type { Request } from 'express';
import { TimeoutError, catchError, throwError, timeout, type Observable } from 'rxjs';

/** A command not answered within REQUEST_DEADLINE_MS: 503, and it may or may not have been written. */
export class RequestDeadlineExceeded extends Error {
  readonly code = 'REQUEST_DEADLINE_EXCEEDED';
  constructor(deadlineMs: number) {
    super(
      `The command was not done within ${deadlineMs} ms (the store is slow or unreachable); it may or may not have been stored: send it again with the same Idempotency-Key`,
    );
  }
}

const COMMAND_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const UNBOUNDED = 'planledger:no-request-deadline';

/**
 * A command whose work is long by design (an import asked to wait for its end): not cut at
 * REQUEST_DEADLINE_MS, which would answer 503 while the work goes on and is written.
 */
export const NoRequestDeadline = () => SetMetadata(UNBOUNDED, true);

/**
 * The request deadline of every command: past REQUEST_DEADLINE_MS the client gets 503 with
 * Retry-After rather than a connection held open while the pool queues. Reads and streams are
 * not cut (an event stream lives long by design).
 */
@Injectable()
export class RequestDeadline implements NestInterceptor {
  constructor(
    @Inject(PLANLEDGER_CONFIG) private readonly config: PlanLedgerConfig,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    if (!COMMAND_METHODS.has(request.method)) return next.handle();
    if (this.reflector.get<boolean>(UNBOUNDED, context.getHandler())) return next.handle();
    const deadlineMs = this.config.REQUEST_DEADLINE_MS;
    return next.handle().pipe(
      timeout({ first: deadlineMs }),
      catchError((error: unknown) => throwError(() => (error instanceof TimeoutError ? new RequestDeadlineExceeded(deadlineMs) : error))),
    );
  }
}
