import type { Position as ServerPosition } from '@kurrent/kurrentdb-client';
import { InvalidReadOptions } from '../errors';
import type { Position } from '../event-store.port';
import { decodePosition, encodePosition } from '../position';

// KurrentDB orders $all by the pair (commit, prepare). Both are 64-bit unsigned log offsets, so each
// fits the shared 20-digit position format: "<commit>-<prepare>", zero-padded, orders as a string
// exactly as the server orders the log, and passes the position checks of the API and CLI unchanged.
// Both halves are kept: a checkpoint that kept only the commit position loses events (KurrentDB issue 4970).
const MAX_U64 = (1n << 64n) - 1n;

/** The port's opaque position for a server position. */
export function toPosition(position: ServerPosition): Position {
  const { commit, prepare } = position;
  if (commit < 0n || prepare < 0n || commit > MAX_U64 || prepare > MAX_U64) {
    throw new Error(`KurrentDB returned an invalid log position (commit ${commit}, prepare ${prepare})`);
  }
  return encodePosition(commit, prepare);
}

/** The server position behind one of ours; InvalidReadOptions for a string no KurrentDB store returned. */
export function fromPosition(position: Position): ServerPosition {
  // Format only here: both halves may use all 64 bits, beyond the SQL store's bigint sequence.
  const unbounded = { transactionId: 10n ** 20n, sequence: 10n ** 20n };
  const { transactionId: commit, sequence: prepare } = decodePosition(position, unbounded);
  if (commit > MAX_U64 || prepare > MAX_U64) {
    throw new InvalidReadOptions(`Invalid position "${position}": not a KurrentDB log position`);
  }
  return { commit, prepare };
}

export function samePosition(a: ServerPosition | undefined, b: ServerPosition | undefined): boolean {
  return a !== undefined && b !== undefined && a.commit === b.commit && a.prepare === b.prepare;
}
