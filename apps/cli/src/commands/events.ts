import { APPEND_SKEW_MS, PlanTimeline, toCloudEvent } from '@planledger/application';
import {
  restorerOf,
  type EventStore,
  type JsonObject,
  type NewEvent,
  type RestoredAppend,
  type StoredEvent,
} from '@planledger/event-store';
import { SingleBar } from 'cli-progress';
import { stringify } from 'csv-stringify';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { UsageError } from './projections';

export const EXPORT_FORMATS = ['ndjson', 'cloudevents', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  after?: string;
  until?: string;
  project?: string;
  format: ExportFormat;
  output?: string;
  /** Progress on stderr; default when stderr is a terminal. */
  progress?: boolean;
}

const PAGE = 5000;
const POSITION = /^\d{20}-\d{20}$/;
const CSV_COLUMNS = [
  'position',
  'recordedAt',
  'streamId',
  'revision',
  'type',
  'schemaVersion',
  'eventId',
  'actor',
  'projectId',
  'correlationId',
  'data',
  'metadata',
];

/**
 * The events in log order from `after`, recorded up to `until`, of one project or all, a page at
 * a time (two pages in memory at most: the next is read while this one is written).
 */
export async function* eventsToExport(
  store: EventStore,
  options: Pick<ExportOptions, 'after' | 'until' | 'project'>,
): AsyncIterable<StoredEvent[]> {
  const until = options.until === undefined ? Number.POSITIVE_INFINITY : Date.parse(options.until);
  const read = (after: string | undefined) => store.readAll({ after, limit: PAGE, projectId: options.project });
  for (let next = read(options.after); ;) {
    const page = await next;
    if (page.events.length === PAGE) next = read(page.position);
    if (until === Number.POSITIVE_INFINITY) yield page.events;
    else {
      const kept: StoredEvent[] = [];
      for (const event of page.events) {
        const recorded = Date.parse(event.recordedAt);
        // Recorded time is the append transaction's start: read on a little past `until` for late commits.
        if (recorded > until + APPEND_SKEW_MS) {
          yield kept;
          return;
        }
        if (recorded <= until) kept.push(event);
      }
      yield kept;
    }
    if (page.events.length < PAGE) return;
  }
}

/** Writes, waiting for the destination to drain: memory stays flat whatever the log's length. */
async function put(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** `planledger events export`: the log, streamed to a file or stdout. */
export async function exportEvents(store: EventStore, options: ExportOptions): Promise<number> {
  if (!EXPORT_FORMATS.includes(options.format)) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
  if (options.after !== undefined && !POSITION.test(options.after))
    throw new UsageError('--after must be a position the feed or an export gave (20 digits, "-", 20 digits)');
  if (options.until !== undefined && Number.isNaN(Date.parse(options.until)))
    throw new UsageError('--until must be an ISO 8601 time, e.g. 2026-11-30T00:00:00Z');
  const out: Writable = options.output ? createWriteStream(options.output) : process.stdout;
  const bar =
    (options.progress ?? process.stderr.isTTY)
      ? new SingleBar({ format: 'exporting {value} events | {rate} ev/s', stream: process.stderr })
      : undefined;
  bar?.start(0, 0, { rate: 0 });
  const started = Date.now();
  let count = 0;
  let csv: ReturnType<typeof stringify> | undefined;
  if (options.format === 'csv') {
    // A cell that starts with = + - @ or a tab would run as a formula in a spreadsheet: it gets a leading '.
    csv = stringify({ header: true, columns: CSV_COLUMNS, escape_formulas: true });
    csv.pipe(out, { end: false });
  }
  // Lines go out a page at a time: one write per line costs more than the serialising.
  for await (const page of eventsToExport(store, options)) {
    if (options.format === 'ndjson' || options.format === 'cloudevents') {
      if (page.length === 0) continue;
      const lines = options.format === 'ndjson' ? page.map((e) => JSON.stringify(e)) : page.map((e) => JSON.stringify(toCloudEvent(e)));
      await put(out, `${lines.join('\n')}\n`);
      count += page.length;
    } else
      for (const event of page) {
        const row = {
          position: event.position,
          recordedAt: event.recordedAt,
          streamId: event.streamId,
          revision: event.revision,
          type: event.type,
          schemaVersion: event.schemaVersion,
          eventId: event.eventId,
          actor: event.metadata.actor,
          projectId: event.metadata.projectId ?? '',
          correlationId: event.metadata.correlationId ?? '',
          data: JSON.stringify(event.data),
          metadata: JSON.stringify(event.metadata),
        };
        if (!(csv as ReturnType<typeof stringify>).write(row)) await once(csv as ReturnType<typeof stringify>, 'drain');
        count++;
      }
    if (bar) bar.update(count, { rate: Math.round(count / Math.max((Date.now() - started) / 1000, 0.001)) });
  }
  if (csv) {
    csv.end();
    await once(csv, 'end');
  }
  bar?.update(count, { rate: Math.round(count / Math.max((Date.now() - started) / 1000, 0.001)) });
  bar?.stop();
  if (out !== process.stdout) {
    out.end();
    await once(out, 'finish');
  }
  process.stderr.write(`exported ${count} events in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return 0;
}

/** `planledger replay --until <time> --project <id>`: the project's plan as the system knew it then. */
export async function replay(store: EventStore, options: { until: string; project: string }): Promise<number> {
  if (Number.isNaN(Date.parse(options.until))) throw new UsageError('--until must be an ISO 8601 time, e.g. 2026-11-30T00:00:00Z');
  const plan = await new PlanTimeline(store).planAsOf(options.project, new Date(options.until).toISOString());
  if (plan.status === 'none') {
    process.stderr.write(`project ${options.project} did not exist at ${options.until}\n`);
    return 1;
  }
  process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
  return 0;
}

/** One line of an ndjson export: an event as the store holds it. */
const exportedEventSchema = z.object({
  eventId: z.uuid(),
  type: z.string().min(1),
  schemaVersion: z.number().int().positive(),
  data: z.record(z.string(), z.unknown()),
  metadata: z.object({ actor: z.string().min(1) }).catchall(z.unknown()),
  streamId: z.string().min(1),
  revision: z.number().int().min(0),
  position: z.string(),
  recordedAt: z.iso.datetime(),
});
type ExportedEvent = z.infer<typeof exportedEventSchema>;

async function* exportedLines(file: string, onBytes?: (bytes: number) => void): AsyncIterable<{ line: number; event: ExportedEvent }> {
  const input = createReadStream(file);
  if (onBytes) input.on('data', (chunk) => onBytes(chunk.length));
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    line++;
    if (text.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new UsageError(`${file}:${line}: not JSON (import reads the ndjson that \`events export --format ndjson\` writes)`);
    }
    const parsed = exportedEventSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(
        `${file}:${line}: ${issue?.path.join('.') || '(line)'} ${issue?.message ?? 'is malformed'} (import reads \`events export --format ndjson\`)`,
      );
    }
    yield { line, event: parsed.data };
  }
}

/**
 * `planledger events import <file>`: restores an ndjson export into an empty PostgreSQL or PGlite
 * store, keeping every event's id, stream revision, schema version, metadata and recorded time,
 * in the file's order. The whole file is checked first; a bad line is named and nothing is written.
 */
export async function importEvents(store: EventStore, file: string, options: { progress?: boolean } = {}): Promise<number> {
  const restore = restorerOf(store);
  if (!restore)
    throw new UsageError(`import restores into PostgreSQL or PGlite; the ${store.info.adapter} store cannot keep recorded times`);
  if ((await store.readAll({ limit: 1 })).events.length > 0)
    throw new UsageError(`the store at ${store.info.location} already holds events; import only fills an empty store`);
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }

  // Pass 1: every line well-formed, every stream's revisions 0, 1, 2… in file order, no id twice.
  const revisions = new Map<string, number>();
  const ids = new Set<string>();
  let total = 0;
  for await (const { line, event } of exportedLines(file)) {
    const expected = (revisions.get(event.streamId) ?? -1) + 1;
    if (event.revision !== expected)
      throw new UsageError(
        `${file}:${line}: ${event.streamId} revision ${event.revision} follows revision ${expected - 1}; the export is incomplete or out of order`,
      );
    if (ids.has(event.eventId)) throw new UsageError(`${file}:${line}: event id ${event.eventId} appears twice`);
    ids.add(event.eventId);
    revisions.set(event.streamId, event.revision);
    total++;
  }
  ids.clear();

  // Pass 2: consecutive events of one stream go back in one append, each with its recorded time.
  const show = options.progress ?? process.stderr.isTTY;
  const bar = show
    ? new SingleBar({
        format: 'importing [{bar}] {percentage}% | {events}/{total_events} events | ETA {eta_formatted}',
        stream: process.stderr,
      })
    : undefined;
  bar?.start(Math.max(size, 1), 0, { events: 0, total_events: total });
  let read = 0;
  let written = 0;
  let group: ExportedEvent[] = [];
  let pending: RestoredAppend[] = [];
  let pendingEvents = 0;
  // The store takes one append per stream per transaction (its ordering guard).
  const pendingStreams = new Set<string>();
  // Appends go back as they were made; many of them share a transaction, or a commit per append
  // would bound the import at the disk's flush rate.
  const commit = async () => {
    if (pending.length === 0) return;
    await restore(pending);
    written += pendingEvents;
    [pending, pendingEvents] = [[], 0];
    pendingStreams.clear();
    bar?.update(read, { events: written });
  };
  const close = async () => {
    if (group.length === 0) return;
    const first = group[0];
    if (pendingStreams.has(first.streamId)) await commit();
    pendingStreams.add(first.streamId);
    pending.push({
      streamId: first.streamId,
      events: group.map((e) => ({
        eventId: e.eventId,
        type: e.type,
        schemaVersion: e.schemaVersion,
        data: e.data as JsonObject,
        metadata: e.metadata as NewEvent['metadata'],
        recordedAt: e.recordedAt,
      })),
      expected: first.revision === 0 ? 'no_stream' : first.revision - 1,
    });
    pendingEvents += group.length;
    group = [];
    if (pendingEvents >= 5000 || pending.length >= 500) await commit();
  };
  const started = Date.now();
  for await (const { event } of exportedLines(file, (bytes) => (read += bytes))) {
    const last = group[group.length - 1];
    if (last && (last.streamId !== event.streamId || group.length >= 10_000)) await close();
    group.push(event);
  }
  await close();
  await commit();
  bar?.update(Math.max(size, 1), { events: written });
  bar?.stop();
  process.stderr.write(`imported ${written} events in ${((Date.now() - started) / 1000).toFixed(1)} s into ${store.info.location}\n`);
  return 0;
}
