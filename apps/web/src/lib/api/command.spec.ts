import { ApiError } from './client';
import { commandHeaders, keyFor, leavesItOpen } from './command';

const counter = () => {
  let n = 0;
  return () => `key-${++n}`;
};

describe('the Idempotency-Key of a person’s action', () => {
  it('is fresh for the first attempt and sent beside the If-Match of what the person saw', () => {
    const attempt = keyFor(undefined, '{"value":3}', counter());
    expect(attempt).toEqual({ key: 'key-1', fingerprint: '{"value":3}', settled: false });
    expect(commandHeaders(attempt, '"7"')).toEqual({ 'Idempotency-Key': 'key-1', 'If-Match': '"7"' });
    expect(commandHeaders(attempt, undefined)).toEqual({ 'Idempotency-Key': 'key-1' });
  });

  it('is the same when the same action is sent again before any answer settled it (a retry)', () => {
    const fresh = counter();
    const first = keyFor(undefined, '{"value":3}', fresh);
    expect(keyFor(first, '{"value":3}', fresh).key).toBe('key-1');
  });

  it('is fresh once the action was answered, so recording the same figure twice is two actions', () => {
    const fresh = counter();
    const first = { ...keyFor(undefined, '{"value":3}', fresh), settled: true };
    expect(keyFor(first, '{"value":3}', fresh).key).toBe('key-2');
  });

  it('is fresh when the person changed what they ask, or redoes it on the current version', () => {
    const fresh = counter();
    const first = keyFor(undefined, '{"etag":"\\"7\\"","value":3}', fresh);
    expect(keyFor(first, '{"etag":"\\"7\\"","value":4}', fresh).key).toBe('key-2');
    expect(keyFor(first, '{"etag":"\\"8\\"","value":3}', fresh).key).toBe('key-3');
  });
});

describe('which failures leave an action open to a retry with the same key', () => {
  it('keeps it open when no answer came or the server failed', () => {
    expect(leavesItOpen(new TypeError('Failed to fetch'))).toBe(true);
    expect(leavesItOpen(new ApiError(503, 'UNAVAILABLE', 'try later', {}))).toBe(true);
    expect(leavesItOpen(new ApiError(500, 'INTERNAL', 'boom', {}))).toBe(true);
  });

  it('settles it on a refusal, which wrote nothing', () => {
    expect(leavesItOpen(new ApiError(400, 'VALIDATION_FAILED', 'reason: must give a reason', {}))).toBe(false);
    expect(leavesItOpen(new ApiError(412, 'PRECONDITION_FAILED', 'changed', {}))).toBe(false);
    expect(leavesItOpen(new ApiError(422, 'TARGET_NOT_POSITIVE', 'no', {}))).toBe(false);
  });
});

describe('field messages from a refusal', () => {
  it('reads the API’s paths, one string each, as the fields they name', () => {
    const refusal = new ApiError(400, 'VALIDATION_FAILED', 'deadline: must be a date; reason: must give a reason', {
      issues: [
        { path: 'deadline', message: 'must be a date like 2026-10-01' },
        { path: 'reason', message: 'must give a reason (it is blank)' },
      ],
    });
    expect(refusal.fieldErrors).toEqual({ deadline: 'must be a date like 2026-10-01', reason: 'must give a reason (it is blank)' });
  });
});
