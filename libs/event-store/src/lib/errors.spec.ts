import { runInNewContext } from 'node:vm';
import { asUnavailable, DuplicateEventId, EventStoreUnavailable, isUnavailable } from './errors';

describe('isUnavailable', () => {
  it('knows a broken socket made in another realm (Node core under a test sandbox) as unavailable', () => {
    const foreign = runInNewContext(`Object.assign(new Error('write EPIPE'), { code: 'EPIPE', errno: -32, syscall: 'write' })`) as object;
    expect(foreign instanceof Error).toBe(false);
    expect(isUnavailable(foreign)).toBe(true);
    const mapped = asUnavailable(foreign);
    expect(mapped).toBeInstanceOf(EventStoreUnavailable);
    expect((mapped as EventStoreUnavailable).reason).toBe('EPIPE: write EPIPE');
  });

  it('tells a refusal, a plain programming error and a non-error apart from an outage', () => {
    expect(isUnavailable(new DuplicateEventId('s', 'dup'))).toBe(false);
    expect(isUnavailable(new TypeError('x is not a function'))).toBe(false);
    expect(isUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isUnavailable('ECONNRESET')).toBe(false);
    expect(isUnavailable(null)).toBe(false);
  });
});
