import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { ConcurrencyConflict, IdempotencyKeyReused, PreconditionFailed } from '@planledger/application';
import { DomainRuleViolation } from '@planledger/domain';
import { InvalidAppend, InvalidReadOptions } from '@planledger/event-store';
import type { Response } from 'express';
import { ZodValidationException } from 'nestjs-zod';
import { ZodError } from 'zod';

interface Problem {
  statusCode: number;
  code: string;
  message: string;
  issues?: { path: string; message: string }[];
  currentRevision?: number | null;
}

/**
 * The one place that turns errors into HTTP answers: every refusal names its problem with a
 * stable code; nothing unexpected leaks a stack trace.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const problem = this.toProblem(error);
    response.status(problem.statusCode).json(problem);
  }

  private toProblem(error: unknown): Problem {
    if (error instanceof ZodValidationException) {
      const zodError = error.getZodError();
      const issues =
        zodError instanceof ZodError
          ? zodError.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }))
          : [{ path: '(body)', message: 'is invalid' }];
      return { statusCode: 400, code: 'VALIDATION_FAILED', message: issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues };
    }
    if (error instanceof DomainRuleViolation) {
      return { statusCode: error.code.endsWith('_NOT_FOUND') ? 404 : 422, code: error.code, message: error.message };
    }
    if (error instanceof IdempotencyKeyReused) return { statusCode: 422, code: error.code, message: error.message };
    if (error instanceof PreconditionFailed) {
      return { statusCode: 412, code: 'PRECONDITION_FAILED', message: error.message, currentRevision: error.actual ?? null };
    }
    if (error instanceof ConcurrencyConflict) {
      return { statusCode: 409, code: 'CONCURRENCY_CONFLICT', message: error.message, currentRevision: error.actual === 'no_stream' ? null : error.actual };
    }
    if (error instanceof InvalidAppend) {
      return { statusCode: 400, code: error.code, message: error.message, issues: error.issues };
    }
    if (error instanceof InvalidReadOptions) return { statusCode: 400, code: error.code, message: error.message };
    if (error instanceof HttpException) {
      const body = error.getResponse();
      const fromBody = typeof body === 'object' && body !== null ? (body as { code?: string; message?: unknown }) : {};
      const message = typeof fromBody.message === 'string' ? fromBody.message : Array.isArray(fromBody.message) ? fromBody.message.join('; ') : error.message;
      return { statusCode: error.getStatus(), code: fromBody.code ?? HttpStatus[error.getStatus()] ?? 'HTTP_ERROR', message };
    }
    // Errors of the JSON body parser: malformed JSON, a body over the size limit.
    const parserError = error as { type?: string; status?: number; expose?: boolean; message?: string };
    if (parserError?.type === 'entity.parse.failed') return { statusCode: 400, code: 'MALFORMED_JSON', message: 'the request body is not valid JSON' };
    if (parserError?.type === 'entity.too.large') return { statusCode: 413, code: 'BODY_TOO_LARGE', message: 'the request body is larger than the limit' };
    // Other refusals of the body reader (an unsupported charset or encoding, a truncated body) are
    // client errors that say what is wrong, and are marked safe to show.
    if (typeof parserError?.type === 'string' && parserError.expose === true && typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      return { statusCode: parserError.status, code: parserError.type.replace(/\W+/g, '_').toUpperCase(), message: parserError.message ?? 'the request body cannot be read' };
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return { statusCode: 500, code: 'INTERNAL_ERROR', message: 'Something went wrong on our side; it has been logged' };
  }
}
