import { InvalidReadOptions } from './errors';
import type { Position } from './event-store.port';

// A position is "<transaction id>-<global sequence>", each zero-padded to 20 digits so that
// plain string comparison orders positions exactly like the store orders events.
const WIDTH = 20;
const POSITION_PATTERN = /^\d{20}-\d{20}$/;

export interface PositionParts {
  transactionId: bigint;
  sequence: bigint;
}

export function encodePosition(transactionId: bigint | string, sequence: bigint | string): Position {
  return `${String(transactionId).padStart(WIDTH, '0')}-${String(sequence).padStart(WIDTH, '0')}`;
}

export function decodePosition(position: Position): PositionParts {
  if (typeof position !== 'string' || !POSITION_PATTERN.test(position)) {
    throw new InvalidReadOptions(`Invalid position "${String(position)}": expected a position returned by the store`);
  }
  const [tx, seq] = position.split('-');
  return { transactionId: BigInt(tx), sequence: BigInt(seq) };
}

export function isPosition(value: unknown): value is Position {
  return typeof value === 'string' && POSITION_PATTERN.test(value);
}

/** Negative when `a` comes before `b`; `undefined` (the start of the log) comes before everything. */
export function comparePositions(a: Position | undefined, b: Position | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a < b ? -1 : 1;
}
