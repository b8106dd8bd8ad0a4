import { InvalidReadOptions } from './errors';
import type { Position, ReadAllOptions, ReadStreamOptions } from './event-store.port';
import { decodePosition, type PositionParts } from './position';

export const MAX_READ_LIMIT = 10_000;
export const DEFAULT_READ_LIMIT = 1000;

// The rule appends enforce: a stream or project id no append accepts names nothing, and never reaches SQL.
const STREAM_ID = /^[^\s\p{Cc}]{1,200}$/u;

export interface CheckedReadAll {
  after: PositionParts;
  afterPosition: Position | undefined;
  limit: number;
  types?: string[];
  projectId?: string;
}

export function checkReadAllOptions(options: ReadAllOptions = {}): CheckedReadAll {
  const { after, limit = DEFAULT_READ_LIMIT, types, projectId } = options;
  checkLimit(limit, MAX_READ_LIMIT);
  if (types !== undefined && (!Array.isArray(types) || types.some((t) => typeof t !== 'string') || types.length > 200)) {
    throw new InvalidReadOptions('types must be an array of at most 200 event type names');
  }
  if (projectId !== undefined && (typeof projectId !== 'string' || !STREAM_ID.test(projectId))) {
    throw new InvalidReadOptions('projectId must be 1–200 characters without white space or control characters');
  }
  return {
    after: after === undefined ? { transactionId: 0n, sequence: 0n } : decodePosition(after),
    afterPosition: after,
    limit,
    types: types && types.length > 0 ? types : undefined,
    projectId,
  };
}

export interface CheckedReadStream {
  direction: 'forwards' | 'backwards';
  from?: number;
  to?: number;
  limit?: number;
}

export function checkReadStreamOptions(streamId: unknown, options: ReadStreamOptions = {}): CheckedReadStream {
  if (typeof streamId !== 'string' || !STREAM_ID.test(streamId)) {
    throw new InvalidReadOptions('streamId must be 1–200 characters without white space or control characters');
  }
  const { direction = 'forwards', from, to, limit } = options;
  if (direction !== 'forwards' && direction !== 'backwards') {
    throw new InvalidReadOptions(`direction must be 'forwards' or 'backwards', not ${String(direction)}`);
  }
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw new InvalidReadOptions(`${name} must be a non-negative integer revision`);
    }
  }
  if (limit !== undefined) checkLimit(limit, Number.MAX_SAFE_INTEGER);
  return { direction, from, to, limit };
}

function checkLimit(limit: unknown, max: number): void {
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1 || limit > max) {
    throw new InvalidReadOptions(`limit must be an integer from 1 to ${max}`);
  }
}
