import {
  WrongExpectedVersion,
  type AppendCondition,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type MultiAppendOptions,
  type MultiAppendResult,
  type NewEvent,
  type StreamAppend,
  type ReadStreamOptions,
  type StoredEvent,
} from '@planledger/event-store';
import { randomUUID } from 'node:crypto';

/**
 * A store for a dry run: reads see the real store with the dry run's own appends on top, appends
 * stay in memory, and nothing ever reaches the real store. Commands run on it exactly as they run
 * for real, so a dry run checks every row with the rules the commands apply.
 */
export class DryRunEventStore implements EventStore {
  private readonly appended = new Map<string, StoredEvent[]>();
  private sequence = 0;

  constructor(private readonly real: EventStore) {}

  get info() {
    return this.real.info;
  }

  get capabilities() {
    return this.real.capabilities;
  }

  private async revisionOf(streamId: string): Promise<number | undefined> {
    const own = this.appended.get(streamId);
    if (own && own.length > 0) return own[own.length - 1].revision;
    return this.real.streamRevision(streamId);
  }

  private async check(streamId: string, expected: ExpectedRevision): Promise<number | undefined> {
    const current = await this.revisionOf(streamId);
    const holds =
      expected === 'any' ||
      (expected === 'no_stream' ? current === undefined : expected === 'exists' ? current !== undefined : expected === current);
    if (!holds) throw new WrongExpectedVersion(streamId, expected, current ?? 'no_stream');
    return current;
  }

  private async checkConditions(conditions: readonly AppendCondition[]): Promise<void> {
    for (const condition of conditions) {
      const revision = (await this.revisionOf(condition.streamId)) ?? 'no_stream';
      if (revision !== condition.revision) throw new WrongExpectedVersion(condition.streamId, condition.revision, revision);
    }
  }

  private write(streamId: string, current: number | undefined, events: NewEvent[]): AppendResult {
    const own = this.appended.get(streamId) ?? [];
    const recordedAt = new Date().toISOString();
    const stored = events.map((event, index): StoredEvent => {
      this.sequence += 1;
      return {
        eventId: event.eventId ?? randomUUID(),
        type: event.type,
        schemaVersion: event.schemaVersion ?? 1,
        data: event.data,
        metadata: {
          ...event.metadata,
          correlationId: event.metadata.correlationId ?? 'dry-run',
          occurredAt: event.metadata.occurredAt ?? recordedAt,
        },
        streamId,
        revision: (current ?? -1) + index + 1,
        position: `dry-run-${this.sequence}`,
        recordedAt,
      };
    });
    own.push(...stored);
    this.appended.set(streamId, own);
    return { nextRevision: stored[stored.length - 1].revision, positions: stored.map((e) => e.position), duplicate: false };
  }

  async appendToStream(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    const current = await this.check(streamId, options.expected);
    await this.checkConditions(options.conditions ?? []);
    return this.write(streamId, current, events);
  }

  /** All parts checked before any is kept: as atomic as the real store's. */
  async appendToStreams(appends: StreamAppend[], options: MultiAppendOptions = {}): Promise<MultiAppendResult> {
    const revisions: (number | undefined)[] = [];
    for (const part of appends) revisions.push(await this.check(part.streamId, part.expected));
    await this.checkConditions(options.conditions ?? []);
    return { streams: appends.map((part, i) => this.write(part.streamId, revisions[i], part.events)), duplicate: false };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    if (options.direction === 'backwards') throw new Error('a dry run reads streams forwards only');
    const real = await this.real.readStream(
      streamId,
      options.to === undefined ? { from: options.from } : { from: options.from, to: options.to },
    );
    const own = (this.appended.get(streamId) ?? []).filter(
      (e) => e.revision >= (options.from ?? 0) && (options.to === undefined || e.revision <= options.to),
    );
    const all = [...real, ...own];
    return options.limit === undefined ? all : all.slice(0, options.limit);
  }

  streamRevision(streamId: string): Promise<number | undefined> {
    return this.revisionOf(streamId);
  }

  /** The real log only: a dry run's own events have no place in it. */
  readAll(...args: Parameters<EventStore['readAll']>) {
    return this.real.readAll(...args);
  }

  headPosition() {
    return this.real.headPosition();
  }

  subscribe(): AsyncIterable<StoredEvent> {
    throw new Error('a dry run does not subscribe');
  }

  ping() {
    return this.real.ping();
  }

  /** Closing a dry run leaves the real store open. */
  async close(): Promise<void> {
    this.appended.clear();
  }
}
