import fc from 'fast-check';
import { InvalidReadOptions } from '../errors';
import { comparePositions, isPosition } from '../position';
import { fromPosition, samePosition, toPosition } from './kurrentdb-position.codec';

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const serverOrder = (a: { commit: bigint; prepare: bigint }, b: { commit: bigint; prepare: bigint }) =>
  a.commit !== b.commit ? (a.commit < b.commit ? -1 : 1) : a.prepare === b.prepare ? 0 : a.prepare < b.prepare ? -1 : 1;

describe('the KurrentDB position codec', () => {
  it('keeps both the commit and the prepare position, so two events of one commit stay apart', () => {
    const first = toPosition({ commit: 4096n, prepare: 4000n });
    const second = toPosition({ commit: 4096n, prepare: 4096n });
    expect(first).toBe('00000000000000004096-00000000000000004000');
    expect(first).not.toBe(second);
    expect(fromPosition(first)).toEqual({ commit: 4096n, prepare: 4000n });
    expect(comparePositions(first, second)).toBeLessThan(0);
  });

  it('round-trips every pair of 64-bit log offsets through the shared position format', () => {
    fc.assert(
      fc.property(u64, u64, (commit, prepare) => {
        const position = toPosition({ commit, prepare });
        expect(isPosition(position)).toBe(true);
        expect(fromPosition(position)).toEqual({ commit, prepare });
      }),
    );
  });

  it('orders positions exactly as the server orders the log: by commit, then by prepare', () => {
    const pair = fc.record({ commit: u64, prepare: u64 });
    fc.assert(
      fc.property(pair, pair, (a, b) => {
        expect(Math.sign(comparePositions(toPosition(a), toPosition(b)))).toBe(serverOrder(a, b));
      }),
    );
  });

  it('refuses a string that is no position, and a server position out of range', () => {
    expect(() => fromPosition('12-34')).toThrow(InvalidReadOptions);
    expect(() => fromPosition('99999999999999999999-00000000000000000000')).toThrow(/not a KurrentDB log position/);
    expect(() => toPosition({ commit: -1n, prepare: 0n })).toThrow(/invalid log position/);
    expect(() => toPosition({ commit: 1n << 64n, prepare: 0n })).toThrow(/invalid log position/);
  });

  it('tells equal positions apart from different ones', () => {
    expect(samePosition({ commit: 1n, prepare: 1n }, { commit: 1n, prepare: 1n })).toBe(true);
    expect(samePosition({ commit: 1n, prepare: 1n }, { commit: 1n, prepare: 0n })).toBe(false);
    expect(samePosition(undefined, { commit: 1n, prepare: 0n })).toBe(false);
  });
});
