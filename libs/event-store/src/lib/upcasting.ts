import type { JsonObject } from './event-store.port';

/**
 * A pure function that lifts one event type's payload from `fromVersion` to `fromVersion + 1`.
 * Upcasters chain: an event stored at version 1 passes 1→2, then 2→3, and so on.
 */
export interface Upcaster {
  type: string;
  fromVersion: number;
  upcast(data: JsonObject): JsonObject;
}

export type UpcastFn = (type: string, schemaVersion: number, data: JsonObject) => { schemaVersion: number; data: JsonObject };

/** Builds the read-path hook from a list of upcasters; refuses two upcasters for one step. */
export function createUpcaster(upcasters: readonly Upcaster[] = []): UpcastFn {
  const steps = new Map<string, Upcaster>();
  for (const upcaster of upcasters) {
    if (!Number.isInteger(upcaster.fromVersion) || upcaster.fromVersion < 1) {
      throw new Error(`Upcaster for ${upcaster.type} has an invalid fromVersion ${upcaster.fromVersion}`);
    }
    const key = `${upcaster.type}@${upcaster.fromVersion}`;
    if (steps.has(key)) throw new Error(`Two upcasters registered for ${key}`);
    steps.set(key, upcaster);
  }
  if (steps.size === 0) return (_type, schemaVersion, data) => ({ schemaVersion, data });
  return (type, schemaVersion, data) => {
    let version = schemaVersion;
    let current = data;
    for (let step = steps.get(`${type}@${version}`); step; step = steps.get(`${type}@${version}`)) {
      current = step.upcast(current);
      version += 1;
    }
    return { schemaVersion: version, data: current };
  };
}
