import { BadRequestException, type ArgumentsHost } from '@nestjs/common';
import { ConcurrencyConflict, IdempotencyKeyReused, PreconditionFailed } from '@planledger/application';
import { problemSchema } from '@planledger/contracts';
import { DomainRuleViolation } from '@planledger/domain';
import { EventStoreUnavailable, InvalidAppend } from '@planledger/event-store';
import { ZodValidationException } from 'nestjs-zod';
import { z } from 'zod';
import { ProblemFilter } from './problem.filter';
import { RequestDeadlineExceeded } from './request-deadline';

/** Runs the filter on one error and returns what it would send. */
function answer(error: unknown): { status: number; body: Record<string, unknown>; headers: Record<string, string> } {
  const sent: { status: number; body: Record<string, unknown>; headers: Record<string, string> } = { status: 0, body: {}, headers: {} };
  const response = {
    headersSent: false,
    setHeader(name: string, value: string) {
      sent.headers[name.toLowerCase()] = value;
    },
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: Record<string, unknown>) {
      sent.body = body;
      return this;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  new ProblemFilter().catch(error, host);
  // Whatever the error, the body has the documented Problem shape.
  expect(problemSchema.safeParse(sent.body).success).toBe(true);
  expect(sent.body['statusCode']).toBe(sent.status);
  return sent;
}

function answerFor(error: unknown, request: { body?: unknown; headers: Record<string, string> }) {
  const sent: { status: number; body: Record<string, unknown> } = { status: 0, body: {} };
  const response = {
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: Record<string, unknown>) {
      sent.body = body;
      return this;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => response, getRequest: () => request }) } as unknown as ArgumentsHost;
  new ProblemFilter().catch(error, host);
  expect(problemSchema.safeParse(sent.body).success).toBe(true);
  return sent;
}

describe('ProblemFilter', () => {
  it('answers an unreachable store with 503 and Retry-After, whether the driver error was classified or not', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    for (const error of [new EventStoreUnavailable('timeout exceeded when trying to connect'), refused, shutdown]) {
      expect(answer(error)).toMatchObject({ status: 503, body: { code: 'STORE_UNAVAILABLE' }, headers: { 'retry-after': '2' } });
    }
    // A refused request is never mistaken for an outage: a unique violation stays a 500 bug, not a retry.
    expect(answer(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' })).status).toBe(500);
  });

  it('answers a command past its deadline with 503 and Retry-After, saying it may have been stored', () => {
    const { status, body, headers } = answer(new RequestDeadlineExceeded(10_000));
    expect({ status, code: body['code'], retryAfter: headers['retry-after'] }).toEqual({
      status: 503,
      code: 'REQUEST_DEADLINE_EXCEEDED',
      retryAfter: '2',
    });
    expect(body['message']).toMatch(/within 10000 ms.*same Idempotency-Key/);
  });

  it('says a field is missing, or must be a number, in one sentence style, never in zod’s words', () => {
    const parsed = z
      .object({ reason: z.string(), target: z.number(), kind: z.enum(['a', 'b']) })
      .strict()
      .safeParse({ target: 'x', kind: 'c', extra: 1 });
    const { body } = answer(new ZodValidationException(parsed.error));
    expect(body['message']).toBe(
      'reason: is missing; target: must be a number; kind: must be one of a, b; (body): has fields this request does not take: extra',
    );
    expect(body['message']).not.toMatch(/Invalid input|received/);
  });

  it('answers a body of another content type with 415 naming the one it takes, and a missing body with 400', () => {
    const invalid = new ZodValidationException(z.object({ a: z.string() }).safeParse(undefined).error);
    expect(answerFor(invalid, { headers: { 'content-type': 'text/csv', 'content-length': '20' } })).toMatchObject({
      status: 415,
      body: { code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining('takes application/json') },
    });
    expect(answerFor(invalid, { headers: {} })).toMatchObject({ status: 400, body: { message: '(body): is missing; send a JSON object' } });
  });

  it('answers the parser error Nest passes on as a BadRequestException the same way', () => {
    expect(answer(new BadRequestException('Expected double-quoted property name in JSON at position 12'))).toMatchObject({
      status: 400,
      body: {
        code: 'MALFORMED_JSON',
        message: 'the body is not valid JSON (at character 12): Expected double-quoted property name in JSON at position 12',
      },
    });
  });

  it('answers a client error a middleware raised (the static files refusing an If-Match) with its own status, not 500', () => {
    const refused = Object.assign(new Error('Precondition Failed'), { status: 412, statusCode: 412, expose: true });
    expect(answer(refused)).toMatchObject({ status: 412, body: { code: 'PRECONDITION_FAILED', message: 'Precondition Failed' } });
    const hidden = Object.assign(new Error('db password in here'), { status: 500, expose: false });
    expect(answer(hidden)).toMatchObject({ status: 500, body: { code: 'INTERNAL_ERROR' } });
  });

  it('answers malformed JSON with 400 saying so, with the position', () => {
    const error = Object.assign(new SyntaxError("Expected property name or '}' in JSON at position 1 (line 1 column 2)"), {
      type: 'entity.parse.failed',
      status: 400,
    });
    expect(answer(error)).toMatchObject({
      status: 400,
      body: { code: 'MALFORMED_JSON', message: expect.stringMatching(/^the body is not valid JSON \(at character 1\)/) },
    });
  });

  it('answers invalid input with 400, naming every bad field', () => {
    const parsed = z.object({ target: z.number(), kpi: z.object({ unit: z.string() }) }).safeParse({ target: 'x', kpi: {} });
    const { status, body } = answer(new ZodValidationException(parsed.error));
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'target' }, { path: 'kpi.unit' }] });
    expect(body['message']).toMatch(/target: .*; kpi\.unit: /);
  });

  it('answers a refused domain rule with 422 and its code, an unknown id with 404', () => {
    expect(answer(new DomainRuleViolation('TARGET_NOT_POSITIVE', 'the target must be positive'))).toMatchObject({
      status: 422,
      body: { code: 'TARGET_NOT_POSITIVE' },
    });
    expect(answer(new DomainRuleViolation('GOAL_NOT_FOUND', 'goal g9 does not exist'))).toMatchObject({
      status: 404,
      body: { code: 'GOAL_NOT_FOUND' },
    });
    expect(answer(new IdempotencyKeyReused('k1'))).toMatchObject({ status: 422, body: { code: 'IDEMPOTENCY_KEY_REUSED' } });
  });

  it('answers a lost race with 409 and a stale If-Match with 412, each with the current revision', () => {
    expect(answer(new ConcurrencyConflict('goal-g1', 7))).toMatchObject({
      status: 409,
      body: { code: 'CONCURRENCY_CONFLICT', currentRevision: 7 },
    });
    expect(answer(new ConcurrencyConflict('goal-g1', 'no_stream'))).toMatchObject({ status: 409, body: { currentRevision: null } });
    expect(answer(new PreconditionFailed('goal-g1', 3, 5))).toMatchObject({
      status: 412,
      body: { code: 'PRECONDITION_FAILED', currentRevision: 5 },
    });
  });

  it('answers store input errors with 400 and Nest exceptions with their own status and code', () => {
    expect(answer(new InvalidAppend([{ path: 'events[0].data.s', message: 'must not contain the NUL character' }]))).toMatchObject({
      status: 400,
      body: { code: 'INVALID_APPEND', issues: [{ path: 'events[0].data.s' }] },
    });
    expect(answer(new BadRequestException({ code: 'IF_MATCH_INVALID', message: 'If-Match must be a revision' }))).toMatchObject({
      status: 400,
      body: { code: 'IF_MATCH_INVALID', message: 'If-Match must be a revision' },
    });
  });

  it('answers body parser failures with 400, 413 and 415', () => {
    expect(answer(Object.assign(new SyntaxError('Unexpected token'), { type: 'entity.parse.failed', status: 400 }))).toMatchObject({
      status: 400,
      body: { code: 'MALFORMED_JSON' },
    });
    expect(answer(Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413 }))).toMatchObject({
      status: 413,
      body: { code: 'BODY_TOO_LARGE' },
    });
    expect(
      answer(Object.assign(new Error('unsupported charset "LATIN1"'), { type: 'charset.unsupported', status: 415, expose: true })),
    ).toMatchObject({
      status: 415,
      body: { code: 'CHARSET_UNSUPPORTED', message: 'unsupported charset "LATIN1"' },
    });
  });

  it('answers anything unexpected with 500 and no detail of it', () => {
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { status, body } = answer(new Error('connection to 10.0.0.5 refused with password hunter2'));
    [logged, stdout, stderr].forEach((spy) => spy.mockRestore());
    expect(status).toBe(500);
    expect(JSON.stringify(body)).not.toMatch(/10\.0\.0\.5|hunter2|at .*\.ts/);
    expect(body['code']).toBe('INTERNAL_ERROR');
  });
});
