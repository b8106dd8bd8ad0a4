import { LAG_COUNT_LIMIT, PROJECTIONS, projectionLag } from '@planledger/application';
import { sqlClientOf, type EventStore } from '@planledger/event-store';
import { countProjectionEvents, projectionId, rebuildProjection, SqlReadModelStore, type Projection } from '@planledger/projections';
import { MultiBar } from 'cli-progress';

async function readModels(store: EventStore): Promise<SqlReadModelStore> {
  const sql = sqlClientOf(store);
  if (!sql)
    throw new UsageError(
      `read models live beside the events in PostgreSQL or PGlite; the ${store.info.adapter} store keeps them only inside the process that runs it`,
    );
  return SqlReadModelStore.open(sql);
}

/** A mistake in how the command was called: exit 2 with the message, no stack. */
export class UsageError extends Error {}

/** The projections a name picks: one by name (with or without its version), or all. */
export function pick(name: string | undefined): Projection<never>[] {
  if (name === undefined) return [...PROJECTIONS];
  const found = PROJECTIONS.filter((p) => p.name === name || projectionId(p) === name);
  if (found.length === 0)
    throw new UsageError(`no projection is called "${name}"; there are: ${PROJECTIONS.map((p) => p.name).join(', ')}`);
  return found;
}

/** `planledger projections status`: each read model's checkpoint, pending events and dead letters. */
export async function status(store: EventStore): Promise<number> {
  const rows = await projectionLag(store, await readModels(store));
  console.table(
    rows.map((r) => ({
      projection: r.name,
      position: r.position ?? '(none)',
      applied: r.applied,
      pending: r.pending >= LAG_COUNT_LIMIT ? `${LAG_COUNT_LIMIT}+` : r.pending,
      'dead letters': r.deadLetters,
    })),
  );
  return 0;
}

/**
 * `planledger projections rebuild [name]`: folds the whole log into a fresh copy of each read model
 * while the current one keeps serving, then swaps it in. Ctrl-C stops it and leaves the live view
 * as it was.
 */
export async function rebuild(store: EventStore, name: string | undefined, options: { batchSize: number }): Promise<number> {
  const models = await readModels(store);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Projections rebuild side by side, each on its own connection: the reading, folding and
  // writing of one overlaps the others'.
  const bars = new MultiBar({
    format: '{name} [{bar}] {percentage}% | {value}/{total} events | {rate} ev/s | ETA {eta_formatted}',
    stream: process.stderr,
    noTTYOutput: true,
    notTTYSchedule: 5000,
    etaBuffer: 50,
    hideCursor: true,
  });
  try {
    const started = Date.now();
    const results = await Promise.all(
      pick(name).map(async (projection) => {
        const total = Math.max(await countProjectionEvents(store, projection), 1);
        const bar = bars.create(total, 0, { name: projectionId(projection).padEnd(18), rate: 0 });
        const result = await rebuildProjection(store, models, projection, {
          batchSize: options.batchSize,
          signal: stop.signal,
          onProgress: (applied) =>
            bar.update(Math.min(applied, total), { rate: Math.round(applied / Math.max((Date.now() - started) / 1000, 0.001)) }),
        });
        bar.update(Math.min(result.applied, total));
        return { ...result, seconds: (Date.now() - started) / 1000 };
      }),
    );
    bars.stop();
    for (const result of results) {
      if (stop.signal.aborted) {
        process.stderr.write(`${result.projection}: stopped after ${result.applied} events; the live view was left as it was\n`);
        continue;
      }
      process.stdout.write(
        `${result.projection}: ${result.applied} events in ${result.seconds.toFixed(1)} s (${Math.round(result.applied / Math.max(result.seconds, 0.001))} ev/s), ` +
          `${result.promoted ? 'swapped in' : 'another rebuild swapped its copy in first'}\n`,
      );
    }
    if (stop.signal.aborted) return 130;
    const seconds = (Date.now() - started) / 1000;
    const applied = results.reduce((sum, r) => sum + r.applied, 0);
    process.stdout.write(`all: ${applied} events in ${seconds.toFixed(1)} s (${Math.round(applied / Math.max(seconds, 0.001))} ev/s)\n`);
    process.stdout.write(`peak memory ${Math.round(process.resourceUsage().maxRSS / 1024)} MB\n`);
    return 0;
  } finally {
    bars.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
