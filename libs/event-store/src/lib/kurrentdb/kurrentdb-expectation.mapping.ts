import { ANY, NO_STREAM, STREAM_EXISTS, type AppendStreamState, type CurrentStreamState } from '@kurrent/kurrentdb-client';
import type { AppendCondition, ExpectedRevision } from '../event-store.port';

// Revisions are 0-based on both sides: our revision n is the server's stream revision n.

/** The server's stream state for what the appender expects of the stream. */
export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      return BigInt(expected);
  }
}

/** The server's stream state a condition on another stream asks for. */
export function toConditionState(revision: AppendCondition['revision']): AppendStreamState {
  return revision === 'no_stream' ? NO_STREAM : BigInt(revision);
}

/** Our expectation for a server stream state (the inverse of toStreamState). */
export function fromStreamState(state: AppendStreamState): ExpectedRevision {
  switch (state) {
    case NO_STREAM:
      return 'no_stream';
    case STREAM_EXISTS:
      return 'exists';
    case ANY:
      return 'any';
    default:
      return Number(state);
  }
}

/**
 * The actual revision a refusal names. The server reports a stream that never existed as
 * "no_stream", and a deleted (-5) or tombstoned (-6) one as a negative number: to PlanLedger, which
 * never deletes, each of these is a stream without events.
 */
export function fromCurrentState(current: CurrentStreamState | undefined): number | 'no_stream' {
  if (current === undefined || current === NO_STREAM || current < 0n) return 'no_stream';
  return Number(current);
}

/** Whether a retry with this expectation is recognised by the server from its index (durably), not from memory. */
export function isExactExpectation(expected: ExpectedRevision): expected is number | 'no_stream' {
  return typeof expected === 'number' || expected === 'no_stream';
}
