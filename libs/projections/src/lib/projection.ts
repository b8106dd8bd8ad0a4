import type { JsonObject, StoredEvent } from '@planledger/event-store';

/**
 * A read model defined by pure functions: which documents an event touches, and each document
 * after the event. The runner applies it in batches, with its checkpoint in the same transaction.
 */
export interface Projection<Doc extends JsonObject = JsonObject> {
  /** Lower-case letters, digits and "-"; with the version it names the tables' rows. */
  name: string;
  /** Bump it when `evolve` changes: the new version is rebuilt beside the old one. */
  version: number;
  /** The event types it reads; the runner fetches only these. */
  eventTypes: readonly string[];
  /** Keys of the documents the event changes (none: the event is skipped). */
  keysOf(event: StoredEvent): readonly string[];
  /**
   * The document after the event; `undefined` deletes it. No clock, no I/O. It may change `doc`
   * in place and return it: the runner hands it documents it owns (read for this batch, never
   * shared with readers), which lets a batch of many events on one document cost one copy. When it
   * throws (the event goes to the dead letters) it must not have changed `doc`.
   */
  evolve(doc: Doc | undefined, event: StoredEvent, key: string): Doc | undefined;
}

export const projectionId = (projection: Pick<Projection, 'name' | 'version'>) => `${projection.name}@${projection.version}`;
