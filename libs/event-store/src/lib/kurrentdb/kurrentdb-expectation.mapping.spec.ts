import { ANY, NO_STREAM, STREAM_EXISTS } from '@kurrent/kurrentdb-client';
import { fromCurrentState, fromStreamState, isExactExpectation, toConditionState, toStreamState } from './kurrentdb-expectation.mapping';

describe('expectations on KurrentDB', () => {
  it.each([
    ['no_stream', NO_STREAM],
    ['exists', STREAM_EXISTS],
    ['any', ANY],
    [0, 0n],
    [41, 41n],
    [Number.MAX_SAFE_INTEGER, BigInt(Number.MAX_SAFE_INTEGER)],
  ] as const)('sends expected %p as stream state %p, and reads it back', (expected, state) => {
    expect(toStreamState(expected)).toBe(state);
    expect(fromStreamState(state)).toBe(expected);
  });

  it('sends a condition on another stream as a stream-state check', () => {
    expect(toConditionState('no_stream')).toBe(NO_STREAM);
    expect(toConditionState(7)).toBe(7n);
  });

  it.each([
    [NO_STREAM, 'no_stream'],
    [undefined, 'no_stream'],
    [-5n, 'no_stream'],
    [-6n, 'no_stream'],
    [0n, 0],
    [12n, 12],
  ] as const)('reads the actual state %p as %p', (current, actual) => {
    expect(fromCurrentState(current)).toBe(actual);
  });

  it('knows which expectations the server checks retries against its index', () => {
    expect([0, 3, 'no_stream', 'any', 'exists'].map((e) => isExactExpectation(e as never))).toEqual([true, true, true, false, false]);
  });
});
