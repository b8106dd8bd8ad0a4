import { APPEND_SKEW_MS, PlanTimeline, toCloudEvent } from '@planledger/application';
import type { EventStore, StoredEvent } from '@planledger/event-store';
import { SingleBar } from 'cli-progress';
import { stringify } from 'csv-stringify';
import { createWriteStream } from 'node:fs';
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
const CSV_COLUMNS = ['position', 'recordedAt', 'streamId', 'revision', 'type', 'schemaVersion', 'eventId', 'actor', 'projectId', 'correlationId', 'data', 'metadata'];

/**
 * The events in log order from `after`, recorded up to `until`, of one project or all, one page
 * in memory at a time.
 */
export async function* eventsToExport(store: EventStore, options: Pick<ExportOptions, 'after' | 'until' | 'project'>): AsyncIterable<StoredEvent> {
  const until = options.until === undefined ? Number.POSITIVE_INFINITY : Date.parse(options.until);
  const read = (after: string | undefined) => store.readAll({ after, limit: PAGE, projectId: options.project });
  for (let next = read(options.after); ; ) {
    const page = await next;
    // The next page is read while this one is written: two pages in memory at most.
    if (page.events.length === PAGE) next = read(page.position);
    for (const event of page.events) {
      const recorded = Date.parse(event.recordedAt);
      // Recorded time is the append transaction's start: read on a little past `until` for late commits.
      if (recorded > until + APPEND_SKEW_MS) return;
      if (recorded <= until) yield event;
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
  if (options.after !== undefined && !POSITION.test(options.after)) throw new UsageError('--after must be a position the feed or an export gave (20 digits, "-", 20 digits)');
  if (options.until !== undefined && Number.isNaN(Date.parse(options.until))) throw new UsageError('--until must be an ISO 8601 time, e.g. 2026-11-30T00:00:00Z');
  const out: Writable = options.output ? createWriteStream(options.output) : process.stdout;
  const bar = options.progress ?? process.stderr.isTTY ? new SingleBar({ format: 'exporting {value} events | {rate} ev/s', stream: process.stderr }) : undefined;
  bar?.start(0, 0, { rate: 0 });
  const started = Date.now();
  let count = 0;
  let csv: ReturnType<typeof stringify> | undefined;
  if (options.format === 'csv') {
    csv = stringify({ header: true, columns: CSV_COLUMNS });
    csv.pipe(out, { end: false });
  }
  // Lines go out a thousand at a time: one write per line costs more than the serialising.
  let lines: string[] = [];
  for await (const event of eventsToExport(store, options)) {
    if (options.format === 'ndjson' || options.format === 'cloudevents') {
      lines.push(JSON.stringify(options.format === 'ndjson' ? event : toCloudEvent(event)));
      if (lines.length === 1000) {
        await put(out, `${lines.join('\n')}\n`);
        lines = [];
      }
    } else {
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
    }
    count++;
    if (bar && count % 5000 === 0) bar.update(count, { rate: Math.round(count / Math.max((Date.now() - started) / 1000, 0.001)) });
  }
  if (lines.length > 0) await put(out, `${lines.join('\n')}\n`);
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
