import { BadRequestException, type ArgumentsHost } from '@nestjs/common';
import { ConcurrencyConflict, IdempotencyKeyReused, PreconditionFailed } from '@planledger/application';
import { problemSchema } from '@planledger/contracts';
import { DomainRuleViolation } from '@planledger/domain';
import { InvalidAppend } from '@planledger/event-store';
import { ZodValidationException } from 'nestjs-zod';
import { z } from 'zod';
import { ProblemFilter } from './problem.filter';

/** Runs the filter on one error and returns what it would send. */
function answer(error: unknown): { status: number; body: Record<string, unknown> } {
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
  const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  new ProblemFilter().catch(error, host);
  // Whatever the error, the body has the documented Problem shape.
  expect(problemSchema.safeParse(sent.body).success).toBe(true);
  expect(sent.body['statusCode']).toBe(sent.status);
  return sent;
}

describe('ProblemFilter', () => {
  it('answers invalid input with 400, naming every bad field', () => {
    const parsed = z.object({ target: z.number(), kpi: z.object({ unit: z.string() }) }).safeParse({ target: 'x', kpi: {} });
    const { status, body } = answer(new ZodValidationException(parsed.error));
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'target' }, { path: 'kpi.unit' }] });
    expect(body['message']).toMatch(/target: .*; kpi\.unit: /);
  });

  it('answers a refused domain rule with 422 and its code, an unknown id with 404', () => {
    expect(answer(new DomainRuleViolation('TARGET_NOT_POSITIVE', 'the target must be positive'))).toMatchObject({ status: 422, body: { code: 'TARGET_NOT_POSITIVE' } });
    expect(answer(new DomainRuleViolation('GOAL_NOT_FOUND', 'goal g9 does not exist'))).toMatchObject({ status: 404, body: { code: 'GOAL_NOT_FOUND' } });
    expect(answer(new IdempotencyKeyReused('k1'))).toMatchObject({ status: 422, body: { code: 'IDEMPOTENCY_KEY_REUSED' } });
  });

  it('answers a lost race with 409 and a stale If-Match with 412, each with the current revision', () => {
    expect(answer(new ConcurrencyConflict('goal-g1', 7))).toMatchObject({ status: 409, body: { code: 'CONCURRENCY_CONFLICT', currentRevision: 7 } });
    expect(answer(new ConcurrencyConflict('goal-g1', 'no_stream'))).toMatchObject({ status: 409, body: { currentRevision: null } });
    expect(answer(new PreconditionFailed('goal-g1', 3, 5))).toMatchObject({ status: 412, body: { code: 'PRECONDITION_FAILED', currentRevision: 5 } });
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
    expect(answer(Object.assign(new SyntaxError('Unexpected token'), { type: 'entity.parse.failed', status: 400 }))).toMatchObject({ status: 400, body: { code: 'MALFORMED_JSON' } });
    expect(answer(Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413 }))).toMatchObject({ status: 413, body: { code: 'BODY_TOO_LARGE' } });
    expect(answer(Object.assign(new Error('unsupported charset "LATIN1"'), { type: 'charset.unsupported', status: 415, expose: true }))).toMatchObject({
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
