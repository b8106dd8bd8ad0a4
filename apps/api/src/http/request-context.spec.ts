import { HttpException } from '@nestjs/common';
import type { Request } from 'express';
import { readIdempotency } from './request-context';

/** A request as express would hand it over, with these headers and this body. */
function request(headers: Record<string, string>, body: unknown = { target: 1 }): Request {
  return {
    method: 'POST',
    originalUrl: '/goals/g1/target-adjustments',
    body,
    header: (name: string) => headers[name.toLowerCase()],
  } as unknown as Request;
}

function refusal(fn: () => unknown): { status: number; code: unknown } {
  try {
    fn();
  } catch (error) {
    if (error instanceof HttpException) return { status: error.getStatus(), code: (error.getResponse() as { code?: unknown }).code };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('readIdempotency', () => {
  it('takes a command without a key when keys are optional, and refuses it with 428 when they are required', () => {
    expect(readIdempotency(request({}), false)).toBeUndefined();
    expect(refusal(() => readIdempotency(request({}), true))).toEqual({ status: 428, code: 'IDEMPOTENCY_KEY_REQUIRED' });
  });

  it('hashes what the request asks, whatever the order of its fields, so a retry matches and another body does not', () => {
    const a = readIdempotency(request({ 'idempotency-key': 'k1' }, { target: 1, reason: 'r' }), true);
    const b = readIdempotency(request({ 'idempotency-key': 'k1' }, { reason: 'r', target: 1 }), true);
    const c = readIdempotency(request({ 'idempotency-key': 'k1' }, { reason: 'r', target: 2 }), true);
    expect(a?.key).toBe('k1');
    expect(a?.requestHash).toBe(b?.requestHash);
    expect(a?.requestHash).not.toBe(c?.requestHash);
  });

  it('refuses a malformed key with 400, required or not', () => {
    for (const required of [false, true])
      expect(refusal(() => readIdempotency(request({ 'idempotency-key': 'has space' }), required))).toEqual({
        status: 400,
        code: 'IDEMPOTENCY_KEY_INVALID',
      });
  });
});
