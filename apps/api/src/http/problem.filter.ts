import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { ConcurrencyConflict, IdempotencyKeyReused, OutboundRefused, PreconditionFailed } from '@planledger/application';
import { DomainRuleViolation } from '@planledger/domain';
import { InvalidAppend, InvalidReadOptions, isUnavailable } from '@planledger/event-store';
import { RequestDeadlineExceeded } from './request-deadline';
import type { Request, Response } from 'express';
import { ZodValidationException } from 'nestjs-zod';
import { ZodError } from 'zod';

interface Problem {
  statusCode: number;
  code: string;
  message: string;
  issues?: { path: string; message: string }[];
  currentRevision?: number | null;
  /** Seconds, sent as Retry-After. */
  retryAfter?: number;
}

/** Seconds a client is told to wait before trying again while the store is unavailable. */
export const RETRY_AFTER_SECONDS = 2;
/** While the store stays unavailable, one log line per this window says how many requests were answered 503. */
const BURST_LOG_EVERY_MS = 10_000;

/**
 * The one place that turns errors into HTTP answers: every refusal names its problem with a
 * stable code; nothing unexpected leaks a stack trace.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');
  private burst: { startedAt: number; loggedAt: number; count: number } | undefined;

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    if (response.headersSent) return;
    const request = typeof http.getRequest === 'function' ? http.getRequest<Request>() : undefined;
    const { retryAfter, ...problem } = this.toProblem(error, request);
    if (retryAfter !== undefined) response.setHeader('Retry-After', String(retryAfter));
    response.status(problem.statusCode).json(problem);
  }

  /**
   * The store unavailable: 503 with Retry-After at once, logged once when it starts and then once
   * per window with the count, so an outage does not flood the log.
   */
  private unavailable(error: unknown): Problem {
    const now = Date.now();
    const reason = error instanceof Error ? error.message : String(error);
    if (!this.burst || now - this.burst.loggedAt > 3 * BURST_LOG_EVERY_MS) {
      this.burst = { startedAt: now, loggedAt: now, count: 1 };
      this.logger.warn(`${reason}; answering 503 with Retry-After: ${RETRY_AFTER_SECONDS} until it is back`);
    } else {
      this.burst.count += 1;
      if (now - this.burst.loggedAt >= BURST_LOG_EVERY_MS) {
        this.logger.warn(
          `Still unavailable: ${this.burst.count} requests answered 503 in ${Math.round((now - this.burst.startedAt) / 1000)} s (${reason})`,
        );
        this.burst.loggedAt = now;
      }
    }
    return {
      statusCode: 503,
      code: 'STORE_UNAVAILABLE',
      message: 'The event store cannot be reached right now; try again (with the same Idempotency-Key) after Retry-After seconds',
      retryAfter: RETRY_AFTER_SECONDS,
    };
  }

  private toProblem(error: unknown, request?: Request): Problem {
    if (isUnavailable(error)) return this.unavailable(error);
    if (error instanceof RequestDeadlineExceeded) {
      return { statusCode: 503, code: error.code, message: error.message, retryAfter: RETRY_AFTER_SECONDS };
    }
    if (error instanceof ZodValidationException) {
      // A body the JSON parser did not read (another content type) is not "invalid input": say what it takes.
      const zodError = error.getZodError();
      // Only when the body itself is what failed (a query string can fail on a request without a body).
      const wholeBody = zodError instanceof ZodError && zodError.issues.some((i) => i.path.length === 0 && i.code === 'invalid_type');
      const unread =
        wholeBody && !['GET', 'HEAD', 'DELETE'].includes(String(request?.method ?? 'POST').toUpperCase())
          ? bodyNotRead(request)
          : undefined;
      if (unread) return unread;
      const issues =
        zodError instanceof ZodError
          ? zodError.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: sentence(i) }))
          : [{ path: '(body)', message: 'is invalid' }];
      return { statusCode: 400, code: 'VALIDATION_FAILED', message: issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues };
    }
    if (error instanceof DomainRuleViolation) {
      return { statusCode: error.code.endsWith('_NOT_FOUND') ? 404 : 422, code: error.code, message: error.message };
    }
    if (error instanceof OutboundRefused) return { statusCode: 400, code: error.code, message: `url: ${error.message}` };
    if (error instanceof IdempotencyKeyReused) return { statusCode: 422, code: error.code, message: error.message };
    if (error instanceof PreconditionFailed) {
      return { statusCode: 412, code: 'PRECONDITION_FAILED', message: error.message, currentRevision: error.actual ?? null };
    }
    if (error instanceof ConcurrencyConflict) {
      return {
        statusCode: 409,
        code: 'CONCURRENCY_CONFLICT',
        message: error.message,
        currentRevision: error.actual === 'no_stream' ? null : error.actual,
      };
    }
    if (error instanceof InvalidAppend) {
      return { statusCode: 400, code: error.code, message: error.message, issues: error.issues };
    }
    if (error instanceof InvalidReadOptions) return { statusCode: 400, code: error.code, message: error.message };
    // Nest hands the JSON parser's SyntaxError on as a 400 HttpException: say it in words.
    if (error instanceof HttpException && error.getStatus() === 400 && isJsonSyntax(error.message)) return malformedJson(error.message);
    if (error instanceof HttpException) {
      const body = error.getResponse();
      const fromBody = typeof body === 'object' && body !== null ? (body as { code?: string; message?: unknown }) : {};
      const message =
        typeof fromBody.message === 'string'
          ? fromBody.message
          : Array.isArray(fromBody.message)
            ? fromBody.message.join('; ')
            : error.message;
      return { statusCode: error.getStatus(), code: fromBody.code ?? HttpStatus[error.getStatus()] ?? 'HTTP_ERROR', message };
    }
    // Errors of the JSON body parser: malformed JSON, a body over the size limit.
    const parserError = error as { type?: string; status?: number; expose?: boolean; message?: string };
    if (parserError?.type === 'entity.parse.failed') return malformedJson(parserError.message ?? '');
    if (parserError?.type === 'entity.too.large')
      return { statusCode: 413, code: 'BODY_TOO_LARGE', message: 'the request body is larger than the limit' };
    // Other refusals of the body reader (an unsupported charset or encoding, a truncated body) are
    // client errors that say what is wrong, and are marked safe to show.
    if (
      typeof parserError?.type === 'string' &&
      parserError.expose === true &&
      typeof parserError.status === 'number' &&
      parserError.status >= 400 &&
      parserError.status < 500
    ) {
      return {
        statusCode: parserError.status,
        code: parserError.type.replace(/\W+/g, '_').toUpperCase(),
        message: parserError.message ?? 'the request body cannot be read',
      };
    }
    // A client error a middleware raised the http-errors way (the static files' 412 for an If-Match
    // the file does not meet, 416 for a range beyond it): its own status, not a 500.
    if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500 && parserError.expose === true) {
      return {
        statusCode: parserError.status,
        code: HttpStatus[parserError.status] ?? 'HTTP_ERROR',
        message: parserError.message ?? 'the request cannot be answered',
      };
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return { statusCode: 500, code: 'INTERNAL_ERROR', message: 'Something went wrong on our side; it has been logged' };
  }
}

/** JSON is what every command and query body is; the API reads no other content type. */
const ACCEPTED_BODY = 'application/json';

function bodyNotRead(request: Request | undefined): Problem | undefined {
  if (!request || request.body !== undefined) return undefined;
  const type = String(request.headers['content-type'] ?? '')
    .split(';')[0]
    .trim();
  const length = Number(request.headers['content-length'] ?? 0);
  if (type && !/^application\/(.+\+)?json$/i.test(type))
    return {
      statusCode: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: `the body is ${type}; this endpoint takes ${ACCEPTED_BODY} (send Content-Type: ${ACCEPTED_BODY})`,
    };
  if (!type && (length > 0 || request.headers['transfer-encoding']))
    return {
      statusCode: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: `the body has no Content-Type; this endpoint takes ${ACCEPTED_BODY} (send Content-Type: ${ACCEPTED_BODY})`,
    };
  return {
    statusCode: 400,
    code: 'VALIDATION_FAILED',
    message: `(body): is missing; send a JSON object`,
    issues: [{ path: '(body)', message: 'is missing; send a JSON object' }],
  };
}

const KINDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  int: 'a whole number',
  date: 'a date',
};

/**
 * One sentence style for every bad field on every route: "reason: is missing", "target: must be a
 * number". Messages a schema wrote itself pass through; zod's own wording ("Invalid input: …") does not.
 */
function sentence(issue: ZodError['issues'][number]): string {
  const raw = issue.message;
  if (issue.code === 'invalid_type') {
    const input = (issue as { input?: unknown }).input;
    if (input === undefined && /received undefined|Required/i.test(raw)) return 'is missing';
    if (/^Invalid input/.test(raw)) return `must be ${KINDS[String(issue.expected)] ?? String(issue.expected)}`;
    return raw;
  }
  if (issue.code === 'unrecognized_keys') return `has fields this request does not take: ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_value' && /^Invalid (option|input)/.test(raw))
    return `must be one of ${(issue.values as unknown[]).map(String).join(', ')}`;
  if (/^(Invalid|Too (small|big)|Expected)/.test(raw)) return raw.charAt(0).toLowerCase() + raw.slice(1);
  return raw;
}

const isJsonSyntax = (message: string) => /in JSON at position \d+|Unexpected end of JSON input|is not valid JSON/.test(message);

/** Malformed JSON: "the body is not valid JSON (at character 12): Expected double-quoted property name …". */
function malformedJson(parserMessage: string): Problem {
  const at = /position (\d+)/.exec(parserMessage)?.[1];
  const detail = parserMessage.replace(/^[^:]*SyntaxError:\s*/, '').trim();
  return {
    statusCode: 400,
    code: 'MALFORMED_JSON',
    message: `the body is not valid JSON${at === undefined ? '' : ` (at character ${at})`}${detail ? `: ${detail}` : ''}`,
  };
}
