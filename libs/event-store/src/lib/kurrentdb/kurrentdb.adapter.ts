import { setTimeout as sleep } from 'node:timers/promises';
import {
  AccessDeniedError,
  BACKWARDS,
  END,
  FORWARDS,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  excludeSystemEvents,
  type AllStreamResolvedEvent,
  type KurrentDBClient,
  type Position as ServerPosition,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import { defaultAppendDefaults, type AppendDefaults } from '../append-input';
import { DuplicateEventId, InvalidAppend, WrongExpectedVersion } from '../errors';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventStoreCapabilities,
  EventStoreInfo,
  NewEvent,
  Position,
  ReadAllOptions,
  ReadAllPage,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
} from '../event-store.port';
import { checkReadAllOptions, checkReadStreamOptions } from '../read-options';
import type { RestoredAppend } from '../sql/sql-event-store';
import { createUpcaster, type UpcastFn, type Upcaster } from '../upcasting';
import {
  caseCollisionIssues,
  planAppend,
  planAppends,
  toAppendRecords,
  toMultiStreamAppend,
  type MultiAppendOptions,
  type MultiAppendResult,
  type PlannedAppend,
  type PlannedAppends,
  type StreamAppend,
} from './kurrentdb-append.plan';
import { isTransient, toAppendError, type AppendContext } from './kurrentdb-errors.mapping';
import { fromRecordedEvent, toJsonEvent, type RecordedEventLike } from './kurrentdb-event.serialiser';
import { toStreamState } from './kurrentdb-expectation.mapping';
import { allFilter } from './kurrentdb-filters';
import { fromPosition, samePosition, toPosition } from './kurrentdb-position.codec';
import { capabilitiesFor, routeAppend, type AppendRoute, type ServerFeatures } from './kurrentdb-server-features';
import { resubscribing, untilAborted, type ClientSubscription } from './kurrentdb-subscription';

export interface KurrentDbEventStoreOptions {
  upcasters?: readonly Upcaster[];
  defaults?: AppendDefaults;
  /** How long one attempt of an append may take before it is sent again with the same ids; default 10 s. */
  appendDeadlineMs?: number;
  /** Attempts of an append whose fate is unknown (no answer in time, a node lost); default 3. */
  appendAttempts?: number;
  /** Events read per request when a read must scan (by project, or past other applications' events); default 1000. */
  scanBatchSize?: number;
  /** Pause before the attempt-th resubscription in a row after a subscription dropped. */
  resubscribeDelayMs?: (attempt: number) => number;
  /** Where warnings go (a dropped subscription); default stderr. */
  warn?: (line: string) => void;
}

/** Where one stream stood just before an append: its revision, and its last events (as many as the append has). */
interface Tail {
  revision: number;
  events: StoredEvent[];
}

const MAX_COUNT = BigInt(Number.MAX_SAFE_INTEGER);
// Stream ids KurrentDB keeps for itself ("$…"): no append can create one, so each reads as empty.
const RESERVED_STREAM = /^\$/;

/**
 * The EventStore on KurrentDB, through its official client. Where the server cannot keep the
 * port's exact promise the adapter says so in `capabilities` (see capabilitiesFor), and the
 * contract suite holds it to that:
 *
 * - The server does not say whether an append it accepted was a retry. The adapter looks at the
 *   stream's tail first when the caller brought its own ids, and counts an append as a duplicate
 *   when the server answers with revisions the stream had already reached; identical appends
 *   racing through this object are sent once. Racing through two processes, both may be answered
 *   `duplicate: false` (still written once).
 * - Retries are recognised by the server durably when they carry the revision they were first
 *   made at (or 'no_stream'); with 'any' or 'exists' only while its bounded cache remembers the ids.
 * - An id stored in another stream is not detected.
 * - Conditions need appendRecords (26.1+), several streams multiStreamAppend (25.1+).
 */
export class KurrentDbEventStore implements EventStore {
  readonly capabilities: EventStoreCapabilities;
  private readonly upcast: UpcastFn;
  private readonly defaults: AppendDefaults;
  private readonly closing = new AbortController();
  private readonly appendDeadlineMs: number;
  private readonly appendAttempts: number;
  private readonly scanBatchSize: number;
  private readonly warn: (line: string) => void;
  /** Appends with caller ids being sent now, by what they ask for: an identical one waits for it. */
  private readonly inFlight = new Map<string, Promise<MultiAppendResult>>();

  constructor(
    private readonly client: KurrentDBClient,
    readonly info: EventStoreInfo,
    /** What the server said it supports when the store was opened. */
    readonly features: ServerFeatures,
    private readonly options: KurrentDbEventStoreOptions = {},
  ) {
    this.capabilities = capabilitiesFor(features);
    this.upcast = createUpcaster(options.upcasters);
    this.defaults = options.defaults ?? defaultAppendDefaults;
    this.appendDeadlineMs = options.appendDeadlineMs ?? 10_000;
    this.appendAttempts = options.appendAttempts ?? 3;
    this.scanBatchSize = options.scanBatchSize ?? 1000;
    this.warn = options.warn ?? ((line) => process.stderr.write(`${line}\n`));
  }

  async appendToStream(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    const plan = planAppend(streamId, events, options, this.defaults);
    const written = await this.write(plan, false);
    return written.streams[0];
  }

  /**
   * Appends to several streams in one atomic write: appendRecords on 26.1+, multiStreamAppend on
   * 25.1+ (without conditions); refused with InvalidAppend on an older server. The port's
   * `appendToStreams`, with the same errors as appendToStream.
   */
  async appendToStreams(appends: StreamAppend[], options: MultiAppendOptions = {}): Promise<MultiAppendResult> {
    return this.write(planAppends(appends, options, this.defaults), true);
  }

  /**
   * Restore from an export (see SqlEventStore.restore): appends events stored elsewhere with their
   * ids, schema versions and first recorded times, which reads prefer to the server's own time. On
   * 26.1+ each call is one atomic write; on an older server one append per stream, each at the
   * exact revision it had, so a restore that stopped half-way can be run again.
   */
  async restore(appends: readonly RestoredAppend[]): Promise<void> {
    const plans = appends.map((a) => planAppend(a.streamId, a.events, { expected: a.expected }, this.defaults));
    const streams = new Set(plans.map((p) => p.appends[0].streamId));
    if (this.features.appendRecords && plans.length > 0 && streams.size === plans.length) {
      const plan: PlannedAppends = { appends: plans.map((p) => p.appends[0]), conditions: [], callerIds: true };
      const issues = caseCollisionIssues(plan);
      if (issues.length > 0) throw new InvalidAppend(issues);
      const { records, checks } = toAppendRecords(plan, (a, e) => appends[a].events[e].recordedAt);
      try {
        await this.client.appendRecords(records, checks);
      } catch (error) {
        throw toAppendError(error, contextOf(plan, true));
      }
      return;
    }
    for (const [index, plan] of plans.entries()) {
      const [append] = plan.appends;
      try {
        await this.client.appendToStream(
          append.streamId,
          append.events.map((event, e) => toJsonEvent(event, appends[index].events[e].recordedAt)),
          { streamState: toStreamState(append.expected), deadline: this.appendDeadlineMs },
        );
      } catch (error) {
        throw toAppendError(error, contextOf(plan, false));
      }
    }
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    const { direction, from, to, limit } = checkReadStreamOptions(streamId, options);
    if (RESERVED_STREAM.test(streamId)) return [];
    const forwards = direction === 'forwards';
    const low = forwards ? (from ?? 0) : (to ?? 0);
    const high = forwards ? (to ?? Number.MAX_SAFE_INTEGER) : (from ?? Number.MAX_SAFE_INTEGER);
    if (low > high) return [];
    const span = high === Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : high - low + 1;
    const count = Math.min(limit ?? Number.MAX_SAFE_INTEGER, span);
    const events: StoredEvent[] = [];
    for (const recorded of await this.readRecorded(streamId, {
      fromRevision: forwards ? BigInt(low) : from === undefined ? END : BigInt(from),
      direction: forwards ? FORWARDS : BACKWARDS,
      maxCount: BigInt(count),
    })) {
      const revision = Number(recorded.revision);
      if (revision < low || revision > high) break;
      const event = fromRecordedEvent(recorded);
      if (event) events.push(this.output(event));
    }
    return events;
  }

  async streamRevision(streamId: string): Promise<number | undefined> {
    checkReadStreamOptions(streamId);
    if (RESERVED_STREAM.test(streamId)) return undefined;
    const [last] = await this.readRecorded(streamId, { fromRevision: END, direction: BACKWARDS, maxCount: 1n });
    return last === undefined ? undefined : Number(last.revision);
  }

  async readAll(options?: ReadAllOptions): Promise<ReadAllPage> {
    const checked = checkReadAllOptions(options);
    const after = checked.afterPosition === undefined ? undefined : fromPosition(checked.afterPosition);
    const events = await this.scan(after, checked.limit, checked.types, checked.projectId);
    return { events, position: events.length > 0 ? events[events.length - 1].position : checked.afterPosition };
  }

  async headPosition(): Promise<Position | undefined> {
    // The last event readAll would hand out: past any trailing events that are not PlanLedger's.
    let from: ServerPosition | typeof END = END;
    for (;;) {
      let read = 0;
      let last: ServerPosition | undefined;
      for await (const resolved of this.client.readAll({
        fromPosition: from,
        direction: BACKWARDS,
        maxCount: 100,
        filter: excludeSystemEvents(),
      })) {
        read++;
        const recorded = resolved.event;
        if (!recorded || samePosition(recorded.position, from === END ? undefined : from)) continue;
        last = recorded.position;
        const event = fromRecordedEvent(recorded);
        if (event) return event.position;
      }
      if (read < 100 || last === undefined) return undefined;
      from = last;
    }
  }

  subscribe(options: SubscribeOptions = {}): AsyncIterable<StoredEvent> {
    const { batchSize = 1000, types, projectId } = options;
    const checked = checkReadAllOptions({ after: options.after, limit: batchSize, types, projectId });
    if (checked.afterPosition !== undefined) fromPosition(checked.afterPosition);
    const signal = options.signal ? AbortSignal.any([options.signal, this.closing.signal]) : this.closing.signal;
    const filter = allFilter(checked.types);
    const live = (after: Position | undefined) =>
      untilAborted(
        this.client.subscribeToAll(
          { fromPosition: after === undefined ? START : fromPosition(after), filter },
          { highWaterMark: Math.min(batchSize, 1000) },
        ) as unknown as ClientSubscription<AllStreamResolvedEvent>,
        signal,
      );
    const recordedEvents = resubscribing<RecordedEventLike>({
      open: (after) => recordedOf(live(after)),
      positionOf: (recorded) => toPositionOf(recorded),
      after: checked.afterPosition,
      signal,
      retryable: (error) => !(error instanceof AccessDeniedError),
      delayMs: this.options.resubscribeDelayMs,
      onDrop: (error, attempt) => {
        if (attempt === 1) this.warn(`KurrentDB subscription dropped (${(error as Error).message}); resubscribing`);
      },
    });
    const output = (event: StoredEvent) => this.output(event);
    return {
      async *[Symbol.asyncIterator]() {
        for await (const recorded of recordedEvents) {
          const event = fromRecordedEvent(recorded);
          if (!event || (projectId !== undefined && event.metadata.projectId !== projectId)) continue;
          yield output(event);
        }
      },
    };
  }

  async ping(): Promise<void> {
    const read = (async () => {
      const last = this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 });
      await last.next();
      await last.return?.(undefined);
    })();
    const timeout = sleep(5000, 'timeout', { ref: false });
    if ((await Promise.race([read, timeout])) === 'timeout') throw new Error('KurrentDB did not answer within 5 s');
  }

  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    await this.client.dispose();
  }

  /** Sends a checked append, once for identical appends racing through this object. */
  private async write(plan: PlannedAppends, multi: boolean): Promise<MultiAppendResult> {
    const route = routeAppend(this.features, plan.appends.length, plan.conditions.length);
    if (route instanceof InvalidAppend) throw route;
    if (route !== 'append') {
      const issues = caseCollisionIssues(plan);
      if (issues.length > 0) throw new InvalidAppend(issues);
    }
    if (!plan.callerIds) return this.send(plan, route, multi);
    const key = JSON.stringify([plan.appends.map((a) => [a.streamId, a.expected, a.events.map((e) => e.eventId)]), plan.conditions]);
    const running = this.inFlight.get(key);
    if (running) return { ...(await running), duplicate: true, streams: (await running).streams.map((s) => ({ ...s, duplicate: true })) };
    const sending = this.send(plan, route, multi);
    this.inFlight.set(key, sending);
    try {
      return await sending;
    } finally {
      this.inFlight.delete(key);
    }
  }

  /**
   * One append, sent again with the same ids while its fate is unknown. Before an attempt that
   * may be a retry (the caller's own ids, or a second attempt) the streams' tails are read: ids
   * found there answer the append as a duplicate without sending it; and a reply with revisions
   * no later than the tails' is the server recognising a retry.
   */
  private async send(plan: PlannedAppends, route: AppendRoute, multi: boolean): Promise<MultiAppendResult> {
    const context = contextOf(plan, multi);
    for (let attempt = 1; ; attempt++) {
      // Fresh ids the adapter made cannot be stored yet, unless an earlier attempt stored them.
      const mayBeRetry = plan.callerIds || attempt > 1;
      const tails = mayBeRetry ? await Promise.all(plan.appends.map((a) => this.tail(a))) : undefined;
      if (tails) {
        const known = recognise(plan, await Promise.all(plan.appends.map((a, i) => this.around(a, tails[i].events))));
        // Found after an attempt that got no answer: that attempt wrote them, for this caller.
        if (known) return attempt === 1 ? known : fresh(known);
      }
      let revisions: number[];
      try {
        revisions = await this.sendOnce(plan, route);
      } catch (error) {
        if (isTransient(error) && attempt < this.appendAttempts) continue;
        const mapped = toAppendError(error, context);
        if (mapped instanceof WrongExpectedVersion && mayBeRetry) {
          // A refusal may be the server's answer to ids stored already (part of them, or at another revision).
          const known = recognise(plan, await Promise.all(plan.appends.map((a) => this.storedAt(a))));
          if (known) return attempt === 1 ? known : fresh(known);
          // Refused while expecting 'any' (or 'exists' of a stream that exists): the server found
          // the first ids stored and the rest not, beyond the events read here.
          const append = plan.appends.find((a) => a.streamId === mapped.streamId);
          if (append && (append.expected === 'any' || (append.expected === 'exists' && mapped.actual !== 'no_stream')))
            throw new DuplicateEventId(
              append.streamId,
              'some of the event ids are already stored (the server refused the append as a partial retry)',
            );
        }
        throw mapped;
      }
      const duplicate = attempt === 1 && tails !== undefined && revisions.every((revision, i) => revision <= tails[i].revision);
      const streams = await Promise.all(plan.appends.map((append, i) => this.readBack(append, revisions[i], duplicate)));
      return { streams, duplicate };
    }
  }

  /** Sends the append through the route chosen; answers each stream's last revision, in the order given. */
  private async sendOnce(plan: PlannedAppends, route: AppendRoute): Promise<number[]> {
    switch (route) {
      case 'append': {
        const [append] = plan.appends;
        const result = await this.client.appendToStream(
          append.streamId,
          append.events.map((e) => toJsonEvent(e)),
          { streamState: toStreamState(append.expected), deadline: this.appendDeadlineMs },
        );
        return [Number(result.nextExpectedRevision)];
      }
      case 'appendRecords': {
        const { records, checks } = toAppendRecords(plan);
        const result = await this.client.appendRecords(records, checks);
        return revisionsOf(plan, result.responses);
      }
      case 'multiStreamAppend': {
        const result = await this.client.multiStreamAppend(toMultiStreamAppend(plan));
        return revisionsOf(plan, result.responses);
      }
    }
  }

  /** The stream's revision and its last events, as many as the append holds, read from the leader. */
  private async tail(append: PlannedAppend): Promise<Tail> {
    const recorded = await this.readRecorded(append.streamId, {
      fromRevision: END,
      direction: BACKWARDS,
      maxCount: BigInt(append.events.length),
      requiresLeader: true,
    });
    const events = recorded.flatMap((r) => fromRecordedEvent(r) ?? []).reverse();
    return { revision: recorded.length === 0 ? -1 : Number(recorded[0].revision), events };
  }

  /** The events where an exact expectation says the append belongs (around its tail for 'any' and 'exists'). */
  private async storedAt(append: PlannedAppend): Promise<StoredEvent[]> {
    if (append.expected === 'any' || append.expected === 'exists') return this.around(append, (await this.tail(append)).events);
    return this.range(append.streamId, append.expected === 'no_stream' ? 0 : append.expected + 1, append.events.length);
  }

  /**
   * The events read, or, when they hold some of the append's ids but not all, the revisions where
   * the whole append would be if it was stored: a tail that starts in the middle of an earlier
   * append of these ids shows only its end.
   */
  private async around(append: PlannedAppend, events: StoredEvent[]): Promise<StoredEvent[]> {
    const ids = append.events.map((e) => e.eventId);
    const hits = events.filter((e) => ids.includes(e.eventId));
    if (hits.length === 0 || hits.length === ids.length) return events;
    const start = hits[0].revision - ids.indexOf(hits[0].eventId);
    return start < 0 ? events : this.range(append.streamId, start, ids.length);
  }

  /** `count` events of a stream from revision `from`, read from the leader. */
  private async range(streamId: string, from: number, count: number): Promise<StoredEvent[]> {
    const recorded = await this.readRecorded(streamId, {
      fromRevision: BigInt(from),
      direction: FORWARDS,
      maxCount: BigInt(count),
      requiresLeader: true,
    });
    return recorded.flatMap((r) => fromRecordedEvent(r) ?? []);
  }

  /**
   * The result of an append the server accepted, read back from the leader: the reply carries the
   * last revision only, and no event's log position (its commit position twice).
   */
  private async readBack(append: PlannedAppend, revision: number, duplicate: boolean): Promise<AppendResult> {
    const first = revision - append.events.length + 1;
    const ids = append.events.map((e) => e.eventId);
    const events = await this.range(append.streamId, first, ids.length);
    if (events.length !== ids.length || events.some((e, i) => e.eventId !== ids[i])) {
      throw new Error(
        `KurrentDB accepted the append to ${append.streamId} at revision ${revision}, but revisions ${first}–${revision} hold other events`,
      );
    }
    return { nextRevision: revision, positions: events.map((e) => e.position), duplicate };
  }

  /** Events of one stream as the client reads them; an unknown (or deleted) stream reads as empty. */
  private async readRecorded(
    streamId: string,
    options: {
      fromRevision: bigint | typeof START | typeof END;
      direction: typeof FORWARDS | typeof BACKWARDS;
      maxCount: bigint;
      requiresLeader?: boolean;
    },
  ): Promise<RecordedEventLike[]> {
    const out: RecordedEventLike[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, {
        ...options,
        maxCount: options.maxCount > MAX_COUNT ? MAX_COUNT : options.maxCount,
      })) {
        if ((resolved as ResolvedEvent).event) out.push((resolved as ResolvedEvent).event as RecordedEventLike);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError || error instanceof StreamDeletedError) return out;
      throw error;
    }
    return out;
  }

  /**
   * Up to `limit` PlanLedger events after `after`, in log order. The server filters on type; the
   * project (in the metadata) and whether an event is PlanLedger's at all are checked here, reading
   * on until the page is full or the log ends, so a page is short only at the end of the log.
   */
  private async scan(
    after: ServerPosition | undefined,
    limit: number,
    types: string[] | undefined,
    projectId: string | undefined,
  ): Promise<StoredEvent[]> {
    const filter = allFilter(types);
    const out: StoredEvent[] = [];
    let cursor = after;
    while (out.length < limit) {
      // A read of $all starts at its position, inclusive: one more is read and the first dropped.
      const maxCount = (projectId === undefined ? limit - out.length : Math.max(limit - out.length, this.scanBatchSize)) + (cursor ? 1 : 0);
      let read = 0;
      let last: ServerPosition | undefined;
      for await (const resolved of this.client.readAll({ fromPosition: cursor ?? START, direction: FORWARDS, maxCount, filter })) {
        read++;
        const recorded = resolved.event;
        if (!recorded || samePosition(recorded.position, cursor)) continue;
        last = recorded.position;
        const event = fromRecordedEvent(recorded);
        if (!event || (projectId !== undefined && event.metadata.projectId !== projectId)) continue;
        out.push(this.output(event));
        if (out.length === limit) break;
      }
      if (out.length === limit || read < maxCount || last === undefined) break;
      cursor = last;
    }
    return out;
  }

  private output(event: StoredEvent): StoredEvent {
    const { schemaVersion, data } = this.upcast(event.type, event.schemaVersion, event.data);
    return { ...event, schemaVersion, data };
  }
}

/** What an append asked for, for naming refusals. */
function contextOf(plan: PlannedAppends, multi: boolean): AppendContext {
  return {
    appends: plan.appends.map((a) => ({ streamId: a.streamId, expected: a.expected, eventIds: a.events.map((e) => e.eventId) })),
    conditions: plan.conditions,
    multi,
  };
}

/** Each stream's last revision from a records-API reply, in the order of the plan. */
function revisionsOf(plan: PlannedAppends, responses: { streamName: string; revision: bigint }[]): number[] {
  return plan.appends.map((append) => {
    const response = responses.find((r) => r.streamName === append.streamId);
    if (!response) throw new Error(`KurrentDB's reply names no revision for stream ${append.streamId}`);
    return Number(response.revision);
  });
}

/**
 * An append whose ids are all found, in order, among each stream's events read: the original
 * result, as a duplicate. Some found (in one stream, or in some streams only): DuplicateEventId,
 * as on PostgreSQL. None: undefined, the append is new.
 */
function recognise(plan: PlannedAppends, read: StoredEvent[][]): MultiAppendResult | undefined {
  const found = plan.appends.map((append, i) => {
    const byId = new Map(read[i].map((e) => [e.eventId, e]));
    return append.events.map((e) => byId.get(e.eventId)).filter((e): e is StoredEvent => e !== undefined);
  });
  if (found.every((f) => f.length === 0)) return undefined;
  const whole = (i: number) =>
    found[i].length === plan.appends[i].events.length &&
    found[i].every((e, k) => e.eventId === plan.appends[i].events[k].eventId && (k === 0 || e.revision === found[i][k - 1].revision + 1));
  const partial = plan.appends.findIndex((_, i) => found[i].length > 0 && !whole(i));
  if (partial >= 0) {
    const [stored, all] = [found[partial].length, plan.appends[partial].events.length];
    const detail =
      stored === all ? 'the event ids are stored, but not as one append in this order' : `${stored} of ${all} event ids are already stored`;
    throw new DuplicateEventId(plan.appends[partial].streamId, detail);
  }
  const missing = plan.appends.findIndex((_, i) => found[i].length === 0);
  if (missing >= 0) {
    const stored = plan.appends[found.findIndex((f) => f.length > 0)].streamId;
    throw new DuplicateEventId(stored, `its events are stored already, but those for ${plan.appends[missing].streamId} are not`);
  }
  return {
    streams: found.map((events) => ({
      nextRevision: events[events.length - 1].revision,
      positions: events.map((e) => e.position),
      duplicate: true,
    })),
    duplicate: true,
  };
}

/** A recognised append that this caller's own earlier attempt wrote: not a duplicate to it. */
function fresh(result: MultiAppendResult): MultiAppendResult {
  return { streams: result.streams.map((s) => ({ ...s, duplicate: false })), duplicate: false };
}

async function* recordedOf(resolved: AsyncIterable<AllStreamResolvedEvent>): AsyncGenerator<RecordedEventLike> {
  for await (const item of resolved) if (item.event) yield item.event as RecordedEventLike;
}

function toPositionOf(recorded: RecordedEventLike): Position {
  if (recorded.position === undefined) throw new Error(`KurrentDB returned event ${recorded.id} without its log position`);
  return toPosition(recorded.position);
}
