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

/** One stream's part of an atomic append to several streams. */
export interface StreamAppend {
  streamId: string;
  events: NewEvent[];
  expected: ExpectedRevision;
}

export interface MultiAppendOptions {
  /** As AppendOptions.conditions: other streams (none of those written) that must still be at these revisions. */
  conditions?: AppendCondition[];
}

export interface MultiAppendResult {
  /** One result per stream append, in the order given. */
  streams: AppendResult[];
  /** True when every event id of every part was stored already (a clean retry): nothing was written. */
  duplicate: boolean;
}

export interface EventStoreInfo {
  adapter: 'postgres' | 'pglite' | 'in-memory' | 'kurrentdb';
  /** Where the store lives, with any password removed. */
  location: string;
}

/**
 * Where an adapter promises less than PostgreSQL and PGlite. Each field names one promise of this
 * port; its first value is the full promise (FULL_CAPABILITIES), the others say how it is weaker.
 * The contract suite reads it and holds the adapter to the promise it declares.
 */
export interface EventStoreCapabilities {
  /**
   * `conditions` on an append: 'atomic' checks them atomically with the write; 'refused' refuses
   * any append that carries them with InvalidAppend (naming options.conditions), writing nothing.
   */
  readonly conditions: 'atomic' | 'refused';
  /** Atomic appends to several streams at once: 'atomic', or 'refused' with InvalidAppend, writing nothing. */
  readonly multiStreamAppends: 'atomic' | 'refused';
  /**
   * The `duplicate` flag when identical appends race. 'exact': exactly one of them is answered
   * false. 'per-process': exact among appends made through one store object; identical appends
   * racing through two (two processes) are still written once, but more than one may be answered false.
   */
  readonly duplicateFlag: 'exact' | 'per-process';
  /**
   * An event id already stored in another stream: 'refused' with DuplicateEventId, or
   * 'not-detected' (the append is written and the id then names an event in each stream).
   */
  readonly idsInOtherStreams: 'refused' | 'not-detected';
  /**
   * A retry with expected 'any' or 'exists': recognised 'always', or only while the store still
   * remembers the ids ('recent'; KurrentDB keeps them in a bounded cache). A retry carrying the
   * revision it was first made at (or 'no_stream') is recognised always, on every adapter.
   */
  readonly looseRetries: 'always' | 'recent';
  /** Metadata keys the adapter keeps for itself; an append using one is refused with InvalidAppend. */
  readonly reservedMetadataKeys: readonly string[];
  /** Stream id prefixes the backing store keeps for itself; an append to such a stream is refused with InvalidAppend. */
  readonly reservedStreamPrefixes: readonly string[];
}

/** The promise PostgreSQL, PGlite and the in-memory adapter keep: nothing weaker. */
export const FULL_CAPABILITIES: EventStoreCapabilities = Object.freeze({
  conditions: 'atomic',
  multiStreamAppends: 'atomic',
  duplicateFlag: 'exact',
  idsInOtherStreams: 'refused',
  looseRetries: 'always',
  reservedMetadataKeys: Object.freeze([]),
  reservedStreamPrefixes: Object.freeze([]),
});

export interface EventStore {
  readonly info: EventStoreInfo;
  /** Where this adapter promises less than the SQL adapters; see EventStoreCapabilities. */
  readonly capabilities: EventStoreCapabilities;
  /**
   * Appends events to one stream atomically.
   * @throws WrongExpectedVersion when `expected` does not hold; nothing is written.
   * @throws InvalidAppend when the input is malformed; nothing is written.
   * @throws DuplicateEventId when some (not all) ids are stored already, or stored in another stream.
   */
  appendToStream(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /**
   * Appends to several streams in one atomic write: every part with its own expected revision,
   * all written or none. A retry of the whole (every id of every part stored) writes nothing and
   * answers `duplicate: true` with the original results.
   * @throws WrongExpectedVersion naming the first stream (or condition) that does not hold; nothing is written.
   * @throws InvalidAppend when a part is malformed (paths start with `appends[i].`), a stream is
   *   named twice, or an id is repeated across parts; or, on an adapter whose capabilities say
   *   `multiStreamAppends: 'refused'`, always. Nothing is written.
   * @throws DuplicateEventId when some ids, but not all, are stored already.
   */
  appendToStreams(appends: StreamAppend[], options?: MultiAppendOptions): Promise<MultiAppendResult>;
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
