import type { JSONEventData, Position as ServerPosition } from '@kurrent/kurrentdb-client';
import type { PreparedEvent } from '../append-input';
import type { InvalidAppendIssue } from '../errors';
import type { JsonObject, JsonValue, StoredEvent } from '../event-store.port';
import { toPosition } from './kurrentdb-position.codec';

/**
 * Every PlanLedger event carries, beside its own metadata, one key of ours: its schema version, and
 * on restore the time it was first recorded. An event without it was not written by PlanLedger (a
 * system event, another application's) and is not handed out.
 */
export const ENVELOPE_KEY = 'planledger';

/** Keys the server adds to the metadata of records appended through the records API (KurrentDB 25.1+). */
const SERVER_RECORD_KEYS = ['$schema.name', '$schema.format', '$schema.id'];

/** Metadata keys an append may not use: they would be lost or misread on the way back. */
export const RESERVED_METADATA_KEYS: readonly string[] = Object.freeze([ENVELOPE_KEY, ...SERVER_RECORD_KEYS]);

interface Envelope {
  schemaVersion: number;
  /** When the event was first recorded, for events restored from an export; the server's time otherwise. */
  recordedAt?: string;
  /** Records API only: the metadata keys whose values were JSON-encoded into strings. */
  jsonKeys?: string[];
}

/** An event as the client reads it (readStream, readAll and subscriptions alike). */
export interface RecordedEventLike {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  isJson: boolean;
  data: unknown;
  metadata?: unknown;
  created: Date;
  position?: ServerPosition;
}

/** InvalidAppend issues for metadata keys this adapter keeps for itself. */
export function reservedMetadataIssues(events: readonly PreparedEvent[], path = 'events'): InvalidAppendIssue[] {
  const issues: InvalidAppendIssue[] = [];
  events.forEach((event, index) => {
    for (const key of RESERVED_METADATA_KEYS) {
      if (Object.hasOwn(event.metadata, key))
        issues.push({ path: `${path}[${index}].metadata.${key}`, message: 'is reserved by the KurrentDB event store' });
    }
  });
  return issues;
}

/** The event for the classic append (metadata as a JSON object). */
export function toJsonEvent(event: PreparedEvent, recordedAt?: string): JSONEventData {
  const envelope: Envelope = { schemaVersion: event.schemaVersion, ...(recordedAt === undefined ? {} : { recordedAt }) };
  return {
    id: event.eventId,
    contentType: 'application/json',
    type: event.type,
    data: event.data,
    metadata: { ...definedEntries(event.metadata), [ENVELOPE_KEY]: envelope as unknown as JsonValue },
  };
}

/**
 * The event for the records API (appendRecords, multiStreamAppend), whose metadata holds strings
 * only: string values go as they are, any other value JSON-encoded and named in the envelope, so
 * reading gives back exactly what was appended.
 */
export function toRecordEvent(event: PreparedEvent, recordedAt?: string): JSONEventData {
  const metadata: Record<string, string> = {};
  const jsonKeys: string[] = [];
  for (const [key, value] of Object.entries(definedEntries(event.metadata))) {
    if (typeof value === 'string') metadata[key] = value;
    else {
      metadata[key] = JSON.stringify(value);
      jsonKeys.push(key);
    }
  }
  const envelope: Envelope = {
    schemaVersion: event.schemaVersion,
    ...(recordedAt === undefined ? {} : { recordedAt }),
    ...(jsonKeys.length === 0 ? {} : { jsonKeys }),
  };
  metadata[ENVELOPE_KEY] = JSON.stringify(envelope);
  return { id: event.eventId, contentType: 'application/json', type: event.type, data: event.data, metadata };
}

/**
 * The stored event (before upcasting) for one read from the server, or undefined when it is not a
 * PlanLedger event: not JSON, no envelope, or data that is not an object.
 */
export function fromRecordedEvent(recorded: RecordedEventLike): StoredEvent | undefined {
  if (!recorded.isJson || !isPlainObject(recorded.data) || !isPlainObject(recorded.metadata)) return undefined;
  const envelope = readEnvelope(recorded.metadata[ENVELOPE_KEY]);
  if (envelope === undefined) return undefined;
  if (recorded.position === undefined) {
    throw new Error(`KurrentDB returned event ${recorded.id} without its log position; PlanLedger needs KurrentDB 22.10 or later`);
  }
  const metadata: Record<string, unknown> = {};
  const jsonKeys = new Set(envelope.jsonKeys ?? []);
  for (const [key, value] of Object.entries(recorded.metadata)) {
    if (RESERVED_METADATA_KEYS.includes(key)) continue;
    metadata[key] = jsonKeys.has(key) && typeof value === 'string' ? parseJson(value) : value;
  }
  return {
    eventId: recorded.id.toLowerCase(),
    type: recorded.type,
    schemaVersion: envelope.schemaVersion,
    data: recorded.data as JsonObject,
    metadata: metadata as StoredEvent['metadata'],
    streamId: recorded.streamId,
    revision: Number(recorded.revision),
    position: toPosition(recorded.position),
    recordedAt: envelope.recordedAt ?? recorded.created.toISOString(),
  };
}

function readEnvelope(raw: unknown): Envelope | undefined {
  const value = typeof raw === 'string' ? parseJson(raw) : raw;
  if (!isPlainObject(value)) return undefined;
  const schemaVersion = Number(value['schemaVersion']);
  if (!Number.isSafeInteger(schemaVersion) || schemaVersion < 1) return undefined;
  const recordedAt = typeof value['recordedAt'] === 'string' ? value['recordedAt'] : undefined;
  const jsonKeys = Array.isArray(value['jsonKeys']) ? value['jsonKeys'].filter((k): k is string => typeof k === 'string') : undefined;
  return { schemaVersion, recordedAt, jsonKeys };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function definedEntries(object: Record<string, unknown>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) out[key] = value as JsonValue;
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array);
}
