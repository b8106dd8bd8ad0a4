import { Readable } from 'node:stream';
import {
  ANY,
  AppendConsistencyViolationError,
  DeadlineExceededError,
  END,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  type AppendRecordInput,
  type AppendStreamRequest,
  type AppendStreamState,
  type ConsistencyCheck,
  type EventData,
  type Filter,
  type KurrentDBClient,
  type Position,
} from '@kurrent/kurrentdb-client';
import { APPEND_RECORDS_METHOD, APPEND_SESSION_METHOD } from '../kurrentdb-server-features';
import type { RecordedEventLike } from '../kurrentdb-event.serialiser';

/**
 * A KurrentDB server in memory, for running the adapter (and the contract suite through it) where
 * no server can be had. It follows the server's documented semantics as read in its source
 * (IndexWriter.CheckCommit, StorageWriterService, the gRPC and v2 append services): 0-based
 * revisions; (commit, prepare) positions, the events of one write sharing their commit position;
 * $all reads that include their start and subscriptions that start after it; replies that carry the
 * last revision only and the commit position twice; retries recognised from the index at an exact
 * revision and from a bounded cache of recent ids otherwise; a partial retry refused as a wrong
 * expected version; appendRecords checks on any stream; the server's own and other applications'
 * events in $all. It is a model of those documents, not KurrentDB: the contract suite against a
 * real server (KURRENTDB_URL) is what proves the adapter.
 */
export class SimulatedKurrentDb {
  private readonly log: RecordedEventLike[] = [];
  private readonly streams = new Map<string, RecordedEventLike[]>();
  /** The server's bounded cache of recently written ids (weak idempotency). */
  private readonly recentIds = new Map<string, { streamId: string; revision: bigint }>();
  private readonly subscribers = new Set<(event: RecordedEventLike) => void>();
  private readonly liveSubscriptions = new Set<Readable>();
  private offset = 1000n;
  private writes = 0;
  /** Writes the server will take but not answer (a reply lost on the way): the client's deadline passes. */
  unansweredWrites = 0;
  /** While set, nothing reaches the server: every call fails as the client fails when no node answers. */
  unreachable = false;

  constructor(
    readonly version: '26.1.0' | '25.1.2' | '24.10.6' = '26.1.0',
    private readonly recentIdCapacity = 10_000,
  ) {}

  /** A client connected to this server. */
  client(): KurrentDBClient {
    const methods = new Set([
      ...(this.version === '26.1.0' ? [APPEND_RECORDS_METHOD.path] : []),
      ...(this.version !== '24.10.6' ? [APPEND_SESSION_METHOD.path] : []),
    ]);
    const client = {
      capabilities: Promise.resolve({ serverVersion: this.version, supports: (m: { path: string }) => methods.has(m.path) }),
      appendToStream: (stream: string, events: EventData[], options: { streamState?: AppendStreamState } = {}) =>
        this.tick(() => this.appendToStream(stream, events, options.streamState ?? ANY)),
      appendRecords: (records: AppendRecordInput[], checks: ConsistencyCheck[] = []) =>
        this.tick(() => this.appendRecords(records, checks)),
      multiStreamAppend: (requests: AppendStreamRequest[]) =>
        this.tick(() =>
          this.appendRecords(
            requests.flatMap((r) => r.events.map((record) => ({ streamName: r.streamName, record }))),
            [],
            requests,
          ),
        ),
      readStream: (stream: string, options: { fromRevision?: bigint | typeof START | typeof END; direction?: string; maxCount?: bigint }) =>
        this.readStream(stream, options),
      readAll: (options: {
        fromPosition?: Position | typeof START | typeof END;
        direction?: string;
        maxCount?: number | bigint;
        filter?: Filter;
      }) => this.readAll(options),
      subscribeToAll: (options: { fromPosition?: Position | typeof START; filter?: Filter }) => this.subscribeToAll(options),
      dispose: async () => undefined,
    };
    return client as unknown as KurrentDBClient;
  }

  /** Ends every live subscription with an error, as a server restart or a lost connection would. */
  dropSubscriptions(): void {
    for (const subscription of this.liveSubscriptions) subscription.destroy(new UnavailableError());
  }

  /** Writes an event the way the server writes its own, or another application does. */
  writeOther(streamId: string, type: string, data: unknown, metadata?: unknown): void {
    this.commit([{ streamId, event: { id: crypto.randomUUID(), type, data, metadata } }]);
  }

  private async tick<T>(write: () => T): Promise<T> {
    // Answers come back on a later turn, so concurrent appends interleave as they do over gRPC;
    // the server itself writes one at a time.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.unreachable) throw new UnavailableError();
    const result = write();
    if (this.unansweredWrites > 0) {
      this.unansweredWrites--;
      throw new DeadlineExceededError();
    }
    return result;
  }

  private appendToStream(streamId: string, events: EventData[], expected: AppendStreamState) {
    const decision = this.check(
      streamId,
      expected,
      events.map((e) => e.id),
    );
    if (decision.kind === 'refused')
      throw new WrongExpectedVersionError(undefined, { streamName: streamId, expected, current: decision.current });
    if (decision.kind === 'idempotent') return { success: true, nextExpectedRevision: decision.last, position: undefined };
    const written = this.commit(events.map((event) => ({ streamId, event })));
    return {
      success: true,
      nextExpectedRevision: decision.current === NO_STREAM ? BigInt(events.length - 1) : decision.current + BigInt(events.length),
      position: written,
    };
  }

  private appendRecords(records: AppendRecordInput[], checks: ConsistencyCheck[], requests?: AppendStreamRequest[]) {
    for (const { record } of records) {
      const metadata = record.metadata as Record<string, unknown> | undefined;
      if (metadata && Object.values(metadata).some((v) => typeof v !== 'string')) throw new Error('metadata must hold strings only');
    }
    // As the server: streams keyed ignoring case, checks first, then the streams written without one.
    const states: { stream: string; expected: AppendStreamState }[] = [];
    const index = new Map<string, number>();
    for (const check of checks) {
      if (!index.has(check.streamName.toLowerCase())) index.set(check.streamName.toLowerCase(), states.length);
      states.push({ stream: check.streamName, expected: check.expectedState });
    }
    for (const request of requests ?? []) {
      index.set(request.streamName.toLowerCase(), states.length);
      states.push({ stream: request.streamName, expected: request.expectedState });
    }
    for (const { streamName } of records) {
      if (!index.has(streamName.toLowerCase())) {
        index.set(streamName.toLowerCase(), states.length);
        states.push({ stream: streamName, expected: ANY });
      }
    }
    const decisions = states.map((state, i) => {
      const ids = records.filter((r) => index.get(r.streamName.toLowerCase()) === i).map((r) => r.record.id);
      return { ...state, written: ids.length > 0, decision: this.check(state.stream, state.expected, ids) };
    });
    const writtenStreams = decisions.filter((d) => d.written);
    if (writtenStreams.every((d) => d.decision.kind === 'idempotent')) {
      return {
        position: 0n,
        responses: writtenStreams.map((d) => ({ streamName: d.stream, revision: (d.decision as { last: bigint }).last })),
      };
    }
    const failed = decisions.filter((d) => d.decision.kind !== 'ok');
    if (failed.length > 0) {
      if (requests) {
        const first = failed[0];
        throw new WrongExpectedVersionError(undefined, {
          streamName: first.stream,
          expected: first.expected,
          current: currentOf(first.decision),
        });
      }
      throw new AppendConsistencyViolationError(
        undefined as never,
        {
          violationsList: failed.map((d) => ({
            checkIndex: decisions.indexOf(d),
            streamState: {
              stream: d.stream,
              expectedState: String(stateNumber(d.expected)),
              actualState: String(stateNumber(currentOf(d.decision))),
            },
          })),
        } as never,
      );
    }
    const written = this.commit(records.map((r) => ({ streamId: r.streamName, event: withRecordProperties(r.record) })));
    return {
      position: written.commit,
      responses: writtenStreams.map((d) => ({
        streamName: d.stream,
        revision: (this.streams.get(d.stream)?.at(-1) as RecordedEventLike).revision,
      })),
    };
  }

  /** IndexWriter.CheckCommit, for one stream of a write. */
  private check(
    streamId: string,
    expected: AppendStreamState,
    ids: string[],
  ):
    | { kind: 'ok'; current: bigint | typeof NO_STREAM }
    | { kind: 'idempotent'; last: bigint }
    | { kind: 'refused'; current: bigint | typeof NO_STREAM } {
    const stream = this.streams.get(streamId);
    const current = stream === undefined ? NO_STREAM : (stream.at(-1) as RecordedEventLike).revision;
    const cur = current === NO_STREAM ? -1n : current;
    if (expected === STREAM_EXISTS && stream === undefined) return { kind: 'refused', current };
    if (ids.length === 0) {
      const holds = expected === ANY || expected === STREAM_EXISTS || (expected === NO_STREAM ? stream === undefined : expected === cur);
      return holds ? { kind: 'ok', current } : { kind: 'refused', current };
    }
    if (expected === ANY || expected === STREAM_EXISTS) {
      const known = ids.map((id) => this.recentIds.get(id.toLowerCase()));
      if (known[0] === undefined || known[0].streamId !== streamId) return { kind: 'ok', current };
      if (known.some((k) => k === undefined || k.streamId !== streamId)) return { kind: 'refused', current };
      return { kind: 'idempotent', last: (known.at(-1) as { revision: bigint }).revision };
    }
    const want = expected === NO_STREAM ? -1n : expected;
    if (want < cur) {
      for (let i = 0; i < ids.length; i++) {
        const at = stream?.[Number(want) + 1 + i];
        if (at === undefined || at.id !== ids[i].toLowerCase()) return { kind: 'refused', current };
      }
      return { kind: 'idempotent', last: want + BigInt(ids.length) };
    }
    return want === cur ? { kind: 'ok', current } : { kind: 'refused', current };
  }

  /** Writes events as one transaction: they share its commit position; each has its own prepare position. */
  private commit(events: { streamId: string; event: { id: string; type: string; data: unknown; metadata?: unknown } }[]): Position {
    this.writes++;
    const commit = this.offset;
    const created = new Date();
    const recorded = events.map(({ streamId, event }) => {
      const stream = this.streams.get(streamId) ?? [];
      this.streams.set(streamId, stream);
      const copy: RecordedEventLike = {
        streamId,
        id: event.id.toLowerCase(),
        revision: BigInt(stream.length),
        type: event.type,
        isJson: true,
        data: JSON.parse(JSON.stringify(event.data ?? {})),
        metadata: event.metadata === undefined ? undefined : JSON.parse(JSON.stringify(event.metadata)),
        created,
        position: { commit, prepare: this.offset },
      };
      this.offset += BigInt(100 + JSON.stringify(event.data ?? {}).length);
      stream.push(copy);
      this.log.push(copy);
      this.recentIds.set(copy.id, { streamId, revision: copy.revision });
      if (this.recentIds.size > this.recentIdCapacity) this.recentIds.delete(this.recentIds.keys().next().value as string);
      return copy;
    });
    for (const event of recorded) for (const notify of this.subscribers) notify(event);
    // The server's own events, and another application's, land in $all between PlanLedger's.
    if (!events[0].streamId.startsWith('$') && this.writes % 7 === 0)
      this.writeOther('$stats-127.0.0.1:2113', '$statsCollected', { cpu: 1 });
    if (!events[0].streamId.startsWith('shop-') && this.writes % 11 === 0)
      this.writeOther('shop-1', 'OrderPlaced', { total: 12 }, { user: 'x' });
    return { commit, prepare: commit };
  }

  private async *readStream(
    streamId: string,
    options: { fromRevision?: bigint | typeof START | typeof END; direction?: string; maxCount?: bigint },
  ) {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.unreachable) throw new UnavailableError();
    const stream = this.streams.get(streamId);
    if (!stream) throw new StreamNotFoundError(undefined, streamId);
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? END : START);
    let events = backwards ? [...stream].reverse() : [...stream];
    if (typeof from === 'bigint') events = events.filter((e) => (backwards ? e.revision <= from : e.revision >= from));
    for (const event of events.slice(0, Number(options.maxCount ?? BigInt(Number.MAX_SAFE_INTEGER)))) yield { event };
  }

  private async *readAll(options: {
    fromPosition?: Position | typeof START | typeof END;
    direction?: string;
    maxCount?: number | bigint;
    filter?: Filter;
  }) {
    await new Promise((resolve) => setImmediate(resolve));
    const backwards = options.direction === 'backwards';
    const from = options.fromPosition ?? (backwards ? END : START);
    let events = backwards ? [...this.log].reverse() : [...this.log];
    // A read starts at its position, inclusive.
    if (typeof from === 'object') events = events.filter((e) => (backwards ? compare(e, from) <= 0 : compare(e, from) >= 0));
    events = events.filter((e) => matches(options.filter, e));
    for (const event of events.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER))) yield { event };
  }

  private subscribeToAll(options: { fromPosition?: Position | typeof START; filter?: Filter }) {
    const stream = new Readable({ objectMode: true, read: () => undefined });
    const from = options.fromPosition ?? START;
    // A subscription starts after its position: catch-up from the log, then live events.
    for (const event of this.log)
      if ((from === START || compare(event, from) > 0) && matches(options.filter, event)) stream.push({ event });
    const notify = (event: RecordedEventLike) => {
      if (matches(options.filter, event)) stream.push({ event });
    };
    this.subscribers.add(notify);
    this.liveSubscriptions.add(stream);
    const end = () => {
      this.subscribers.delete(notify);
      this.liveSubscriptions.delete(stream);
    };
    stream.once('close', end);
    return Object.assign(stream, {
      unsubscribe: async () => {
        end();
        stream.push(null);
      },
    });
  }
}

/** The server reads a record's properties back as metadata, with its schema keys added. */
function withRecordProperties(record: EventData) {
  return { ...record, metadata: { ...(record.metadata as Record<string, string>), '$schema.name': record.type, '$schema.format': 'Json' } };
}

function currentOf(decision: { kind: string; current?: bigint | typeof NO_STREAM; last?: bigint }): bigint | typeof NO_STREAM {
  return decision.current ?? (decision.last as bigint);
}

function stateNumber(state: AppendStreamState | bigint): bigint {
  if (state === NO_STREAM) return -1n;
  if (state === ANY) return -2n;
  if (state === STREAM_EXISTS) return -4n;
  return state as bigint;
}

function compare(event: RecordedEventLike, position: Position): number {
  const p = event.position as Position;
  if (p.commit !== position.commit) return p.commit < position.commit ? -1 : 1;
  return p.prepare === position.prepare ? 0 : p.prepare < position.prepare ? -1 : 1;
}

function matches(filter: Filter | undefined, event: RecordedEventLike): boolean {
  if (!filter) return true;
  const subject = filter.filterOn === 'eventType' ? event.type : event.streamId;
  if ('regex' in filter) return new RegExp(filter.regex).test(subject);
  return filter.prefixes.some((p) => subject.startsWith(p));
}
