/**
 * The EventStore port: the one way PlanLedger writes and reads its append-only log.
 *
 * Adapters (PostgreSQL, PGlite, in-memory) implement it with the same observable behaviour,
 * proven by the contract suite in `testing/event-store.contract.ts`.
 */

/** A JSON value as it can be stored in a `jsonb` column. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * Opaque, totally ordered checkpoint in the global log. Compare two positions with
 * `comparePositions`; never parse one outside this library.
 */
export type Position = string & { readonly __brand?: 'Position' };

/** What the appender believes about the stream before its append. */
export type ExpectedRevision = 'no_stream' | 'exists' | 'any' | number;

export interface EventMetadata {
  /** Who caused the event: a user id, a service account or `system:<job>`. */
  actor: string;
  /** Groups every event caused by one request; defaults to the first event's id. */
  correlationId?: string;
  /** The event or command id that caused this one. */
  causationId?: string;
  /** Every event that belongs to a project carries its id, so a project's history is one query. */
  projectId?: string;
  /** When the fact happened in the caller's world (ISO 8601); defaults to the append time. */
  occurredAt?: string;
  [key: string]: JsonValue | undefined;
}

export interface NewEvent {
  /** UUIDv7; generated when absent. Send the same id again to make a retried append a no-op. */
  eventId?: string;
  type: string;
  /** Positive integer; 1 when absent. */
  schemaVersion?: number;
  data: JsonObject;
  metadata: EventMetadata;
}

export interface StoredEvent<TData extends JsonObject = JsonObject> {
  eventId: string;
  type: string;
  schemaVersion: number;
  data: TData;
  metadata: EventMetadata & { correlationId: string; occurredAt: string };
  streamId: string;
  /** 0-based position of the event inside its stream. */
  revision: number;
  /** Position in the global log. */
  position: Position;
  /** When the store learnt the event (ISO 8601). */
  recordedAt: string;
}

/** Another stream a decision was made on, and the revision it was read at. */
export interface AppendCondition {
  streamId: string;
  /** The revision the decision saw; `'no_stream'` when the stream did not exist. */
  revision: number | 'no_stream';
}

export interface AppendOptions {
  expected: ExpectedRevision;
  /**
   * Other streams that must still be at the revisions given, or the append is refused with a
   * WrongExpectedVersion naming the first one that moved. Lets a command decided on cached
   * context (a project, its team) write in one round trip. The check does not lock those streams:
   * an append to one of them may commit between the check and this append's commit, which is
   * safe as long as no decision on those streams reads the stream appended here.
   * A clean retry (every event id stored already) is answered without checking them.
   */
  conditions?: AppendCondition[];
}

export interface AppendResult {
  /** Revision of the stream's last event after the append. */
  nextRevision: number;
  /** Global position of each appended event, in the order given. */
  positions: Position[];
  /** True when every event id was already stored: nothing was written, the original result is returned. */
  duplicate: boolean;
}

export interface ReadStreamOptions {
  /** First revision to read (inclusive); 0 forwards, the last revision backwards. */
  from?: number;
  /** Last revision to read (inclusive). */
  to?: number;
  direction?: 'forwards' | 'backwards';
  limit?: number;
}

export interface ReadAllOptions {
  /** Read events strictly after this position; from the start when absent. */
  after?: Position;
  /** Page size; default 1000, at most 10,000. */
  limit?: number;
  types?: string[];
  projectId?: string;
}

export interface ReadAllPage {
  events: StoredEvent[];
  /**
   * The position to pass as `after` for the next page: the last event's position, or the
   * requested `after` when the page is empty.
   */
  position: Position | undefined;
}

export interface SubscribeOptions extends Omit<ReadAllOptions, 'limit'> {
  /** Events fetched per read while catching up; default 1000. */
  batchSize?: number;
  /** Ends the iteration when aborted. */
  signal?: AbortSignal;
}

export interface EventStoreInfo {
  adapter: 'postgres' | 'pglite' | 'in-memory';
  /** Where the store lives, with any password removed. */
  location: string;
}

export interface EventStore {
  readonly info: EventStoreInfo;
  /**
   * Appends events to one stream atomically.
   * @throws WrongExpectedVersion when `expected` does not hold; nothing is written.
   * @throws InvalidAppend when the input is malformed; nothing is written.
   * @throws DuplicateEventId when some (not all) ids are stored already, or stored in another stream.
   */
  appendToStream(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /** Reads one stream; an unknown stream reads as empty. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** The current revision of a stream, or `undefined` when it does not exist. */
  streamRevision(streamId: string): Promise<number | undefined>;
  /**
   * One page of the global log in commit-safe order: an event is handed out only when no
   * transaction that could still commit before it is open, so a checkpoint never skips one.
   */
  readAll(options?: ReadAllOptions): Promise<ReadAllPage>;
  /** Position of the last event readable by `readAll` now, or `undefined` for an empty log. */
  headPosition(): Promise<Position | undefined>;
  /**
   * Catches up from `after`, then follows new appends until `signal` aborts, the loop breaks or
   * the store closes.
   * @throws InvalidReadOptions at once (not at the first iteration) for malformed options.
   */
  subscribe(options?: SubscribeOptions): AsyncIterable<StoredEvent>;
  /** Round-trips to the backing store; throws when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** DI token for the EventStore port. */
export const EVENT_STORE = Symbol.for('planledger.EventStore');
