import { defaultAppendDefaults, prepareAppend, prepareAppends, type AppendDefaults, type PreparedAppend } from './append-input';
import { DuplicateEventId, WrongExpectedVersion } from './errors';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  MultiAppendOptions,
  MultiAppendResult,
  NewEvent,
  Position,
  ReadAllOptions,
  ReadAllPage,
  ReadStreamOptions,
  StoredEvent,
  StreamAppend,
  SubscribeOptions,
} from './event-store.port';
import { FULL_CAPABILITIES } from './event-store.port';
import { encodePosition } from './position';
import { checkReadAllOptions, checkReadStreamOptions } from './read-options';
import { AppendSignal, DEFAULT_POLL_INTERVAL_MS, followLog } from './subscription';
import { createUpcaster, type UpcastFn, type Upcaster } from './upcasting';

export interface InMemoryEventStoreOptions {
  upcasters?: readonly Upcaster[];
  defaults?: AppendDefaults;
}

/**
 * The EventStore in a process's memory, for unit tests of other libs. Every append is one
 * "transaction", so the global order is simply the append order.
 */
export class InMemoryEventStore implements EventStore {
  readonly info = { adapter: 'in-memory', location: 'memory' } as const;
  readonly capabilities = FULL_CAPABILITIES;
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly byId = new Map<string, StoredEvent>();
  private readonly appended = new AppendSignal();
  private readonly closing = new AbortController();
  private readonly upcast: UpcastFn;
  private readonly defaults: AppendDefaults;
  private transactions = 0;

  constructor(options: InMemoryEventStoreOptions = {}) {
    this.upcast = createUpcaster(options.upcasters);
    this.defaults = options.defaults ?? defaultAppendDefaults;
  }

  async appendToStream(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    const append = prepareAppend(streamId, events, options, this.defaults);
    const retry = this.findRetry(
      append.streamId,
      append.events.map((e) => e.eventId),
    );
    if (retry) return retry;
    this.check(append, append.conditions);
    const [result] = this.write([append]);
    return result;
  }

  async appendToStreams(appends: StreamAppend[], options: MultiAppendOptions = {}): Promise<MultiAppendResult> {
    const plan = prepareAppends(appends, options, this.defaults);
    const retries = plan.appends.map((a) =>
      this.findRetry(
        a.streamId,
        a.events.map((e) => e.eventId),
      ),
    );
    const stored = plan.appends.filter((_, i) => retries[i] !== undefined).map((a) => a.streamId);
    if (stored.length === plan.appends.length) return { streams: retries as AppendResult[], duplicate: true };
    if (stored.length > 0) throw new DuplicateEventId(stored[0], `the parts for ${stored.join(', ')} were stored already, the others not`);
    plan.appends.forEach((a, i) => this.check(a, i === 0 ? plan.conditions : []));
    return { streams: this.write(plan.appends), duplicate: false };
  }

  /** Throws WrongExpectedVersion when the append's expectation or a condition does not hold. */
  private check(append: PreparedAppend, conditions: PreparedAppend['conditions']): void {
    const stream = this.streams.get(append.streamId);
    const current = stream === undefined ? -1 : stream.length - 1;
    const { expected } = append;
    const holds =
      expected === 'any' ||
      (expected === 'no_stream' && stream === undefined) ||
      (expected === 'exists' && stream !== undefined) ||
      (typeof expected === 'number' && stream !== undefined && expected === current);
    if (!holds) throw new WrongExpectedVersion(append.streamId, expected, stream === undefined ? 'no_stream' : current);
    for (const condition of conditions) {
      const other = this.streams.get(condition.streamId);
      const actual = other === undefined ? 'no_stream' : other.length - 1;
      if (actual !== condition.revision) throw new WrongExpectedVersion(condition.streamId, condition.revision, actual);
    }
  }

  /** Writes checked appends as one transaction. */
  private write(appends: PreparedAppend[]): AppendResult[] {
    const tx = ++this.transactions;
    const recordedAt = this.defaults.now().toISOString();
    const results = appends.map((append) => {
      const stream = this.streams.get(append.streamId);
      const current = stream === undefined ? -1 : stream.length - 1;
      // Stored as plain copies so later mutation of the caller's objects cannot rewrite history.
      const stored = append.events.map((event, i): StoredEvent => {
        const copy = JSON.parse(event.json) as Pick<StoredEvent, 'data' | 'metadata'>;
        return {
          eventId: event.eventId,
          type: event.type,
          schemaVersion: event.schemaVersion,
          data: copy.data,
          metadata: copy.metadata,
          streamId: append.streamId,
          revision: current + 1 + i,
          position: encodePosition(BigInt(tx), BigInt(this.log.length + 1 + i)),
          recordedAt,
        };
      });
      const target = stream ?? [];
      target.push(...stored);
      this.streams.set(append.streamId, target);
      for (const event of stored) {
        this.log.push(event);
        this.byId.set(event.eventId, event);
      }
      return { nextRevision: current + stored.length, positions: stored.map((e) => e.position), duplicate: false };
    });
    this.appended.notify();
    return results;
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    const { direction, from, to, limit } = checkReadStreamOptions(streamId, options);
    const events = this.streams.get(streamId) ?? [];
    const forwards = direction === 'forwards';
    const low = forwards ? (from ?? 0) : (to ?? 0);
    const high = forwards ? (to ?? Number.MAX_SAFE_INTEGER) : (from ?? Number.MAX_SAFE_INTEGER);
    const selected = events.filter((e) => e.revision >= low && e.revision <= high);
    if (!forwards) selected.reverse();
    return selected.slice(0, limit).map((e) => this.output(e));
  }

  async streamRevision(streamId: string): Promise<number | undefined> {
    checkReadStreamOptions(streamId);
    const events = this.streams.get(streamId);
    return events === undefined ? undefined : events.length - 1;
  }

  async readAll(options?: ReadAllOptions): Promise<ReadAllPage> {
    const checked = checkReadAllOptions(options);
    const types = checked.types ? new Set(checked.types) : undefined;
    const start = checked.afterPosition === undefined ? 0 : this.indexAfter(checked.afterPosition);
    const events: StoredEvent[] = [];
    for (let i = start; i < this.log.length && events.length < checked.limit; i++) {
      const event = this.log[i];
      if (types && !types.has(event.type)) continue;
      if (checked.projectId !== undefined && event.metadata.projectId !== checked.projectId) continue;
      events.push(this.output(event));
    }
    return { events, position: events.length > 0 ? events[events.length - 1].position : checked.afterPosition };
  }

  async headPosition(): Promise<Position | undefined> {
    return this.log[this.log.length - 1]?.position;
  }

  subscribe(options?: SubscribeOptions): AsyncIterable<StoredEvent> {
    return followLog((o) => this.readAll(o), this.appended, DEFAULT_POLL_INTERVAL_MS, this.closing.signal, options);
  }

  async ping(): Promise<void> {
    return;
  }

  async close(): Promise<void> {
    this.closing.abort();
  }

  private findRetry(streamId: string, ids: string[]): AppendResult | undefined {
    const found = ids.map((id) => this.byId.get(id)).filter((e): e is StoredEvent => e !== undefined);
    if (found.length === 0) return undefined;
    const foreign = found.find((e) => e.streamId !== streamId);
    if (foreign) throw new DuplicateEventId(streamId, `event ids are already stored in stream ${foreign.streamId}`);
    if (found.length !== ids.length) throw new DuplicateEventId(streamId, `${found.length} of ${ids.length} event ids are already stored`);
    found.sort((a, b) => a.revision - b.revision);
    return { nextRevision: found[found.length - 1].revision, positions: found.map((e) => e.position), duplicate: true };
  }

  /** Index of the first event after `position` (positions are ordered like the log). */
  private indexAfter(position: Position): number {
    let low = 0;
    let high = this.log.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.log[mid].position <= position) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private output(event: StoredEvent): StoredEvent {
    const { schemaVersion, data } = this.upcast(event.type, event.schemaVersion, structuredClone(event.data));
    return { ...event, schemaVersion, data, metadata: structuredClone(event.metadata) };
  }
}
