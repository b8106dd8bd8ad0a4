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

/** The largest parts a position may carry: by default what the SQL store holds (xid8, bigint). */
export interface PositionLimits {
  transactionId: bigint;
  sequence: bigint;
}

const SQL_POSITION_LIMITS: PositionLimits = { transactionId: 2n ** 64n - 1n, sequence: 2n ** 63n - 1n };

/**
 * The parts of a position; InvalidReadOptions for a string the store did not return, or one well
 * formed but beyond `limits` (no event is there, and the database would refuse the number). An
 * adapter whose positions are wider (KurrentDB's two unsigned 64-bit offsets) passes its own.
 */
export function decodePosition(position: Position, limits: PositionLimits = SQL_POSITION_LIMITS): PositionParts {
  if (typeof position !== 'string' || !POSITION_PATTERN.test(position)) {
    throw new InvalidReadOptions(`Invalid position "${String(position)}": expected a position returned by the store`);
  }
  const [tx, seq] = position.split('-');
  const parts = { transactionId: BigInt(tx), sequence: BigInt(seq) };
  if (parts.transactionId > limits.transactionId || parts.sequence > limits.sequence)
    throw new InvalidReadOptions(`Invalid position "${position}": out of range, expected a position returned by the store`);
  return parts;
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
