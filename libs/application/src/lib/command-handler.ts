import { parseEvent, type PlanLedgerEvent } from '@planledger/contracts';
import type { CommandMetadata } from '@planledger/domain';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  WrongExpectedVersion,
  type AppendCondition,
  type EventStore,
  type NewEvent,
  type Position,
  type StoredEvent,
  type StreamAppend,
} from '@planledger/event-store';
import { v5 as uuidv5 } from 'uuid';
import { AggregateCache, type Snapshot } from './aggregate-cache';
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

export interface Loaded<State> extends Snapshot<State> {
  /** The stream's events as stored (ids and metadata included). */
  stored: StoredEvent[];
}

export interface CommandResult {
  streamId: string;
  /** The stream's revision after the command (unchanged when it decided nothing). */
  revision: number | undefined;
  /** Global position of the last event written; wait for a projection to reach it to read your write. */
  position: Position | undefined;
  events: PlanLedgerEvent[];
  /** The answer to a retry of a command stored before (its Idempotency-Key found): nothing new was written. */
  replayed?: boolean;
}

/**
 * Where a change came from when not from a request of its own: a spreadsheet import names its file
 * and the importer's name, so the history reads "imported from targets-Q1.xlsx by Li Na".
 */
export type ChangeOrigin = { kind: 'import'; fileName: string; actorName: string | null };

export interface HandleOptions {
  /** If-Match: apply only when the stream is at this revision. */
  ifMatch?: number;
  /** Project the events belong to, for every event's metadata (none for organisation-wide events). */
  projectId?: string;
  metadata: CommandMetadata & { correlationId: string; causationId?: string; idempotency?: Idempotency; origin?: ChangeOrigin };
  /** The command creates the stream under an id just generated: the first attempt skips reading it. */
  creates?: boolean;
}

/** How a command reads the other aggregates its rules depend on. */
export interface ContextReader {
  /** The aggregate's state; the revision read is sent with the append as a condition. */
  read<State, Event extends PlanLedgerEvent>(
    streamId: string,
    decider: Pick<Decider<State, Event, unknown, unknown>, 'initialState' | 'evolve' | 'fold'>,
  ): Promise<State>;
}

/** What folding a stream needs of its decider. */
export type Folding<State, Event extends PlanLedgerEvent> = Pick<
  Decider<State, Event, unknown, unknown>,
  'initialState' | 'evolve' | 'fold'
>;

/** The state after the events, by the decider's `fold` where it has one. */
export function fold<State, Event extends PlanLedgerEvent>(decider: Folding<State, Event>, state: State, events: readonly Event[]): State {
  return decider.fold ? decider.fold(state, events) : events.reduce(decider.evolve, state);
}

/** Folds a stream into its decider's state, parsing each event against its current contract. */
export async function loadAggregate<State, Event extends PlanLedgerEvent>(
  store: EventStore,
  streamId: string,
  decider: Folding<State, Event>,
): Promise<Loaded<State>> {
  const stored = await store.readStream(streamId);
  const events = stored.map((e) => parseEvent(e.type, e.data) as Event);
  return {
    state: fold(decider, decider.initialState, events),
    stored,
    revision: stored.length === 0 ? undefined : stored[stored.length - 1].revision,
  };
}

/** One stream's part of a command that writes several streams at once (see CommandHandler.handleTogether). */
export interface CommandPart {
  streamId: string;
  folding: Folding<unknown, PlanLedgerEvent>;
  /** The command creates this stream under an id just generated: the first attempt skips reading it. */
  creates?: boolean;
  decide(state: unknown, context: ContextReader): Promise<PlanLedgerEvent[]>;
}

/** A part of a multi-stream command: the decider and command of one stream, with how its context is read. */
export function commandPart<State, Event extends PlanLedgerEvent, Command, Context>(
  streamId: string,
  decider: Decider<State, Event, Command, Context>,
  command: Command,
  loadContext: (state: State, context: ContextReader) => Promise<Context>,
  options: { creates?: boolean; unless?: (refusal: unknown, state: State) => boolean } = {},
): CommandPart {
  return {
    streamId,
    folding: decider as unknown as Folding<unknown, PlanLedgerEvent>,
    creates: options.creates,
    decide: async (state, context) => {
      try {
        return decider.decide(command, state as State, await loadContext(state as State, context));
      } catch (refusal) {
        // A refusal the caller takes as "nothing to do here" (the task of an action item planned already).
        if (options.unless?.(refusal, state as State)) return [];
        throw refusal;
      }
    },
  };
}

/** Attempts before a command that keeps losing races is answered with a conflict. */
export const MAX_COMMAND_ATTEMPTS = 10;

/**
 * Load → decide → append, over an aggregate cache.
 *
 * The aggregate and the context its rules read come from the cache when it holds them; the
 * append carries the aggregate's cached revision as its expected revision and every context
 * stream's revision as a condition, so a command on warm state is one round trip, and a stale
 * entry is caught by the store: the command is decided again on fresh state. A refusal decided on
 * cached state is confirmed on fresh state before it is reported. A concurrent change is retried
 * (every rule checked again against what the other writer did), with a short jittered pause,
 * unless the caller pinned a revision with If-Match: then the answer is PreconditionFailed.
 */
export class CommandHandler {
  constructor(
    private readonly store: EventStore,
    readonly cache: AggregateCache = new AggregateCache(),
  ) {}

  /** The stream's state from the store, remembered for later commands. */
  async load<State, Event extends PlanLedgerEvent>(streamId: string, decider: Folding<State, Event>): Promise<Loaded<State>> {
    const loaded = await loadAggregate(this.store, streamId, decider);
    this.cache.remember(streamId, { state: loaded.state, revision: loaded.revision });
    return loaded;
  }

  /**
   * The stream's state as the store has it now: the cached state with the events appended since
   * (by any process) folded on, or the whole stream when the cache does not hold it. Cheaper than
   * a reload for a long stream that is cached.
   */
  async fresh<State, Event extends PlanLedgerEvent>(streamId: string, decider: Folding<State, Event>): Promise<Snapshot<State>> {
    const hit = this.cache.get<State>(streamId);
    if (!hit || hit.revision === undefined) return this.load(streamId, decider);
    const newer = await this.store.readStream(streamId, { from: hit.revision + 1 });
    if (newer.length === 0) return hit;
    const snapshot = {
      state: fold(
        decider,
        hit.state,
        newer.map((e) => parseEvent(e.type, e.data) as Event),
      ),
      revision: newer[newer.length - 1].revision,
    };
    this.cache.remember(streamId, snapshot);
    return snapshot;
  }

  /** The stream's state from the cache, or from the store when the cache does not hold it. */
  async current<State, Event extends PlanLedgerEvent>(streamId: string, decider: Folding<State, Event>): Promise<Snapshot<State>> {
    return this.cache.get<State>(streamId) ?? (await this.load(streamId, decider));
  }

  async handle<State, Event extends PlanLedgerEvent, Command, Context>(
    streamId: string,
    decider: Decider<State, Event, Command, Context>,
    command: Command,
    loadContext: (state: State, context: ContextReader) => Promise<Context>,
    options: HandleOptions,
  ): Promise<CommandResult> {
    const { idempotency, actor } = options.metadata;
    let fresh = false;
    for (let attempt = 1; ; attempt++) {
      let current: Snapshot<State>;
      let cached = false;
      if (idempotency) {
        // The command's own events are the idempotency record: found, they are the first answer.
        const loaded = await this.load(streamId, decider);
        const replay = replayed(streamId, loaded.stored, idempotency, actor);
        if (replay) return replay;
        current = loaded;
      } else if (options.creates && attempt === 1) {
        current = { state: decider.initialState, revision: undefined };
        cached = true;
      } else {
        const hit = fresh ? undefined : this.cache.get<State>(streamId);
        cached = hit !== undefined;
        current = hit ?? (await this.load(streamId, decider));
      }
      if (options.ifMatch !== undefined && options.ifMatch !== current.revision) {
        // A cached revision may lag behind the store: only the store's revision refuses.
        if (cached) current = await this.load(streamId, decider);
        if (options.ifMatch !== current.revision) throw new PreconditionFailed(streamId, options.ifMatch, current.revision);
      }

      const conditions: AppendCondition[] = [];
      const reader: ContextReader = {
        read: async (contextStream, contextDecider) => {
          const hit = fresh ? undefined : this.cache.get<never>(contextStream);
          cached ||= hit !== undefined;
          const snapshot = hit ?? (await this.load(contextStream, contextDecider));
          conditions.push({ streamId: contextStream, revision: snapshot.revision ?? 'no_stream' });
          return snapshot.state;
        },
      };
      let events: Event[];
      try {
        events = decider.decide(command, current.state, await loadContext(current.state, reader));
      } catch (refusal) {
        if (!cached) throw refusal;
        // Decided on cached state, which another process may have changed: decide again on the store's.
        fresh = true;
        continue;
      }
      if (events.length === 0) return { streamId, revision: current.revision, position: undefined, events };

      try {
        const result = await this.store.appendToStream(
          streamId,
          events.map((event, index) => this.toNewEvent(streamId, event, index, options)),
          {
            expected: current.revision ?? 'no_stream',
            conditions,
          },
        );
        if (result.duplicate) this.cache.forget(streamId);
        else this.cache.remember(streamId, { state: fold(decider, current.state, events), revision: result.nextRevision });
        return {
          streamId,
          revision: result.nextRevision,
          position: result.positions[result.positions.length - 1],
          events,
          ...(result.duplicate ? { replayed: true } : {}),
        };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersion)) throw error;
        this.cache.forget(error.streamId);
        const ownStream = error.streamId === streamId;
        if (ownStream && options.ifMatch !== undefined)
          throw new PreconditionFailed(streamId, options.ifMatch, error.actual === 'no_stream' ? undefined : error.actual);
        if (attempt >= MAX_COMMAND_ATTEMPTS) throw new ConcurrencyConflict(error.streamId, error.actual);
        // Lost a race for the stream itself: pause a little so the writers spread out. A moved
        // context stream only needs reading again.
        if (ownStream) await sleep(Math.random() * 5 * attempt);
      }
    }
  }

  /**
   * A command that writes several streams (meeting minutes and the tasks of their action items):
   * each part decided on its stream's state as `handle` would, then every part's events appended
   * in one atomic write, each with its expected revision and every context read as a condition,
   * so the command is stored whole or not at all. Lost races are decided again; a keyed retry of a
   * command stored whole answers with the first results. Results come in the order of the parts.
   */
  async handleTogether(parts: CommandPart[], options: Omit<HandleOptions, 'ifMatch' | 'creates'>): Promise<CommandResult[]> {
    const { idempotency, actor } = options.metadata;
    let fresh = false;
    for (let attempt = 1; ; attempt++) {
      const states: Snapshot<unknown>[] = [];
      let cached = false;
      if (idempotency) {
        const loaded = await Promise.all(parts.map((part) => this.load(part.streamId, part.folding)));
        const replays = loaded.map((l, i) => replayed(parts[i].streamId, l.stored, idempotency, actor));
        // Stored whole (one atomic write), so the first part's replay answers for all of them.
        if (replays[0])
          return replays.map((r, i) => r ?? { streamId: parts[i].streamId, revision: loaded[i].revision, position: undefined, events: [] });
        states.push(...loaded);
      } else {
        for (const part of parts) {
          if (part.creates && attempt === 1) {
            states.push({ state: part.folding.initialState, revision: undefined });
            cached = true;
            continue;
          }
          const hit = fresh ? undefined : this.cache.get<unknown>(part.streamId);
          cached ||= hit !== undefined;
          states.push(hit ?? (await this.load(part.streamId, part.folding)));
        }
      }

      const conditions = new Map<string, AppendCondition>();
      const reader: ContextReader = {
        read: async (contextStream, contextDecider) => {
          const hit = fresh ? undefined : this.cache.get<never>(contextStream);
          cached ||= hit !== undefined;
          const snapshot = hit ?? (await this.load(contextStream, contextDecider));
          if (!conditions.has(contextStream))
            conditions.set(contextStream, { streamId: contextStream, revision: snapshot.revision ?? 'no_stream' });
          return snapshot.state;
        },
      };
      const decided: PlanLedgerEvent[][] = [];
      try {
        for (const [i, part] of parts.entries()) decided.push(await part.decide(states[i].state, reader));
      } catch (refusal) {
        if (!cached) throw refusal;
        fresh = true;
        continue;
      }
      const writing = parts.map((part, i) => ({ part, i })).filter(({ i }) => decided[i].length > 0);
      if (writing.length === 0)
        return parts.map((part, i) => ({ streamId: part.streamId, revision: states[i].revision, position: undefined, events: [] }));
      // A stream written by a part is checked by its expected revision, not as a condition.
      for (const { part } of writing) conditions.delete(part.streamId);
      const appends: StreamAppend[] = writing.map(({ part, i }) => ({
        streamId: part.streamId,
        events: decided[i].map((event, index) => this.toNewEvent(part.streamId, event, index, options)),
        expected: states[i].revision ?? 'no_stream',
      }));
      try {
        const result = await this.store.appendToStreams(appends, { conditions: [...conditions.values()] });
        const results: CommandResult[] = parts.map((part, i) => ({
          streamId: part.streamId,
          revision: states[i].revision,
          position: undefined,
          events: [],
        }));
        writing.forEach(({ part, i }, n) => {
          const written = result.streams[n];
          if (result.duplicate) this.cache.forget(part.streamId);
          else
            this.cache.remember(part.streamId, { state: fold(part.folding, states[i].state, decided[i]), revision: written.nextRevision });
          results[i] = {
            streamId: part.streamId,
            revision: written.nextRevision,
            position: written.positions[written.positions.length - 1],
            events: decided[i],
            ...(result.duplicate ? { replayed: true } : {}),
          };
        });
        return results;
      } catch (error) {
        if (!(error instanceof WrongExpectedVersion)) throw error;
        this.cache.forget(error.streamId);
        if (attempt >= MAX_COMMAND_ATTEMPTS) throw new ConcurrencyConflict(error.streamId, error.actual);
        if (writing.some(({ part }) => part.streamId === error.streamId)) await sleep(Math.random() * 5 * attempt);
      }
    }
  }

  private toNewEvent(streamId: string, event: PlanLedgerEvent, index: number, options: HandleOptions): NewEvent {
    const { idempotency, actor, correlationId, causationId, now, origin } = options.metadata;
    return {
      ...(idempotency ? { eventId: idFromIdempotencyKey(actor, idempotency.key, `${streamId}#${index}`) } : {}),
      type: event.type,
      data: event.data as never,
      metadata: {
        actor,
        correlationId,
        ...(causationId ? { causationId } : {}),
        ...(origin ? { origin } : {}),
        ...(options.projectId === undefined ? {} : { projectId: options.projectId }),
        occurredAt: now,
        ...(idempotency ? { idempotencyKey: idempotency.key, requestHash: idempotency.requestHash } : {}),
      },
    };
  }
}

/** The first result of a keyed request whose events are stored already; refuses the key with another request. */
function replayed(streamId: string, stored: StoredEvent[], idempotency: Idempotency, actor: string): CommandResult | undefined {
  const earlier = stored.filter((e) => e.metadata['idempotencyKey'] === idempotency.key && e.metadata.actor === actor);
  if (earlier.length === 0) return undefined;
  if (earlier[0].metadata['requestHash'] !== idempotency.requestHash) throw new IdempotencyKeyReused(idempotency.key);
  const last = earlier[earlier.length - 1];
  return {
    streamId,
    revision: last.revision,
    position: last.position,
    events: earlier.map((e) => parseEvent(e.type, e.data)),
    replayed: true,
  };
}
