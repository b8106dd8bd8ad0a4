import { parseEvent, type PlanLedgerEvent } from '@planledger/contracts';
import type { CommandMetadata } from '@planledger/domain';
import { setTimeout as sleep } from 'node:timers/promises';
import { WrongExpectedVersion, type EventStore, type Position, type StoredEvent } from '@planledger/event-store';
import { v5 as uuidv5 } from 'uuid';
import { ConcurrencyConflict, IdempotencyKeyReused, PreconditionFailed } from './errors';

/** Namespace of the UUIDv5 ids derived from idempotency keys. */
const IDEMPOTENCY_NAMESPACE = '6f1c3c1e-7a5d-4c39-9f0e-0b6b2f0d9a11';

/** A client's Idempotency-Key with a hash of the request it came with. */
export interface Idempotency {
  key: string;
  requestHash: string;
}

/** A stable id for what a keyed request creates: the same actor, key and purpose give the same id. */
export function idFromIdempotencyKey(actor: string, key: string, purpose: string): string {
  return uuidv5(`${actor}\n${key}\n${purpose}`, IDEMPOTENCY_NAMESPACE);
}

/** What a command's handler needs of an aggregate's decider. */
export interface Decider<State, Event extends PlanLedgerEvent, Command, Context> {
  initialState: State;
  evolve(state: State, event: Event): State;
  /** Applies many events at once, where that is cheaper than evolving one by one. */
  fold?(state: State, events: readonly Event[]): State;
  decide(command: Command, state: State, context: Context): Event[];
}

export interface Loaded<State> {
  state: State;
  /** The stream's events as stored (ids and metadata included). */
  stored: StoredEvent[];
  /** Revision of the stream's last event; undefined when the stream does not exist. */
  revision: number | undefined;
}

export interface CommandResult {
  streamId: string;
  /** The stream's revision after the command (unchanged when it decided nothing). */
  revision: number | undefined;
  /** Global position of the last event written; wait for a projection to reach it to read your write. */
  position: Position | undefined;
  events: PlanLedgerEvent[];
}

export interface HandleOptions {
  /** If-Match: apply only when the stream is at this revision. */
  ifMatch?: number;
  /** Project the events belong to, for every event's metadata. */
  projectId: string;
  metadata: CommandMetadata & { correlationId: string; causationId?: string; idempotency?: Idempotency };
  /** The aggregate as the caller already loaded it: used for the first attempt instead of a second read. */
  loaded?: Loaded<unknown>;
}

/** Folds a stream into its decider's state, parsing each event against its current contract. */
export async function loadAggregate<State, Event extends PlanLedgerEvent>(
  store: EventStore,
  streamId: string,
  decider: Pick<Decider<State, Event, unknown, unknown>, 'initialState' | 'evolve' | 'fold'>,
): Promise<Loaded<State>> {
  const stored = await store.readStream(streamId);
  const events = stored.map((e) => parseEvent(e.type, e.data) as Event);
  const state = decider.fold ? decider.fold(decider.initialState, events) : events.reduce(decider.evolve, decider.initialState);
  return { state, stored, revision: stored.length === 0 ? undefined : stored[stored.length - 1].revision };
}

/** Attempts before a command that keeps losing races is answered with a conflict. */
export const MAX_COMMAND_ATTEMPTS = 10;

/**
 * Load → decide → append with the loaded revision. A concurrent change is retried on fresh state
 * (every rule is checked again against what the other writer did), with a short jittered pause,
 * unless the caller pinned a revision with If-Match: then the answer is PreconditionFailed.
 */
export async function handleCommand<State, Event extends PlanLedgerEvent, Command, Context>(
  store: EventStore,
  streamId: string,
  decider: Decider<State, Event, Command, Context>,
  command: Command,
  loadContext: (state: State) => Promise<Context>,
  options: HandleOptions,
): Promise<CommandResult> {
  for (let attempt = 1; ; attempt++) {
    const { state, stored, revision } =
      attempt === 1 && options.loaded ? (options.loaded as Loaded<State>) : await loadAggregate(store, streamId, decider);
    const { idempotency, actor } = options.metadata;
    if (idempotency) {
      // The command's own events are the idempotency record: found, they are the first answer.
      const earlier = stored.filter((e) => e.metadata['idempotencyKey'] === idempotency.key && e.metadata.actor === actor);
      if (earlier.length > 0) {
        if (earlier[0].metadata['requestHash'] !== idempotency.requestHash) throw new IdempotencyKeyReused(idempotency.key);
        const last = earlier[earlier.length - 1];
        return { streamId, revision: last.revision, position: last.position, events: earlier.map((e) => parseEvent(e.type, e.data)) };
      }
    }
    if (options.ifMatch !== undefined && options.ifMatch !== revision) throw new PreconditionFailed(streamId, options.ifMatch, revision);
    const events = decider.decide(command, state, await loadContext(state));
    if (events.length === 0) return { streamId, revision, position: undefined, events };
    try {
      const result = await store.appendToStream(
        streamId,
        events.map((event, index) => ({
          ...(idempotency ? { eventId: idFromIdempotencyKey(actor, idempotency.key, `${streamId}#${index}`) } : {}),
          type: event.type,
          data: event.data as never,
          metadata: {
            actor: options.metadata.actor,
            correlationId: options.metadata.correlationId,
            ...(options.metadata.causationId ? { causationId: options.metadata.causationId } : {}),
            projectId: options.projectId,
            occurredAt: options.metadata.now,
            ...(idempotency ? { idempotencyKey: idempotency.key, requestHash: idempotency.requestHash } : {}),
          },
        })),
        { expected: revision ?? 'no_stream' },
      );
      return { streamId, revision: result.nextRevision, position: result.positions[result.positions.length - 1], events };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersion)) throw error;
      if (options.ifMatch !== undefined) throw new PreconditionFailed(streamId, options.ifMatch, error.actual === 'no_stream' ? undefined : error.actual);
      if (attempt >= MAX_COMMAND_ATTEMPTS) throw new ConcurrencyConflict(streamId, error.actual);
      await sleep(Math.random() * 5 * attempt);
    }
  }
}
