import { countEvents, type EventStore, type JsonObject } from '@planledger/event-store';
import { projectionId, type Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import type { ReadModelStore } from './read-model-store';

export interface RebuildOptions {
  batchSize?: number;
  /** Called after each batch with the events applied so far. */
  onProgress?: (applied: number) => void;
  signal?: AbortSignal;
}

export interface RebuildResult {
  projection: string;
  applied: number;
  /**
   * False when the signal aborted it (the live view was left as it was) or another rebuild
   * running at the same time promoted the copy first.
   */
  promoted: boolean;
}

/** The scratch id a rebuild fills before it takes the live view's place. */
export const rebuildId = (projection: Pick<Projection, 'name' | 'version'>) => `${projectionId(projection)}~rebuild`;

/**
 * Blue/green rebuild: folds the whole log into a scratch copy while the live view keeps serving
 * and its runner keeps applying, then swaps the copy in atomically. The live runner goes on from
 * the copy's checkpoint. A rebuild that is stopped leaves the live view untouched; the next one
 * starts its copy afresh. Two rebuilds at once stay correct: each batch is applied under the
 * copy's lock against its checkpoint, and whichever copy is promoted is a consistent prefix of the
 * log that the live runner completes.
 */
export async function rebuildProjection<Doc extends JsonObject>(
  store: EventStore,
  models: ReadModelStore,
  projection: Projection<Doc>,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const scratch = rebuildId(projection);
  await models.reset(scratch);
  const runner = new ProjectionRunner(store, models, projection, { id: scratch, batchSize: options.batchSize ?? 2000, idleMs: 20 });
  const applied = await runner.catchUp(options.onProgress, options.signal);
  if (options.signal?.aborted) return { projection: projectionId(projection), applied, promoted: false };
  const promoted = await models.promote(scratch, projectionId(projection));
  // The copy stopped a little behind the log: bring the live view up to date now, rather than
  // leave it to a worker that may not be running (with one running, the lock shares the work).
  await new ProjectionRunner(store, models, projection, { batchSize: options.batchSize ?? 2000, idleMs: 20 }).catchUp(
    undefined,
    options.signal,
  );
  return { projection: projectionId(projection), applied, promoted };
}

/** How many events in the log the projection reads: the length of its rebuild, for a progress bar. */
export function countProjectionEvents(store: EventStore, projection: Pick<Projection, 'eventTypes'>): Promise<number> {
  return countEvents(store, { types: [...projection.eventTypes] });
}
