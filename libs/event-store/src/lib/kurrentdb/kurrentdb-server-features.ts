import type { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { InvalidAppend } from '../errors';
import type { EventStoreCapabilities } from '../event-store.port';
import { RESERVED_METADATA_KEYS } from './kurrentdb-event.serialiser';

/** What the connected server can do that matters to the port. */
export interface ServerFeatures {
  /** As the server reports it, e.g. "26.1.0"; "unknown" when it does not say. */
  version: string;
  /** appendRecords (26.1+): one atomic write to any streams, with stream-state checks on any stream, written to or not. */
  appendRecords: boolean;
  /** multiStreamAppend (25.1+): one atomic write to several streams, each with its own expectation, but no check-only stream. */
  multiStreamAppend: boolean;
}

// The methods the client itself looks up in the server's list before it sends appendRecords or
// multiStreamAppend (and throws UnsupportedError when they are missing).
export const APPEND_RECORDS_METHOD = { path: '/kurrentdb.protocol.v2.streams.StreamsService/AppendRecords' };
export const APPEND_SESSION_METHOD = { path: '/kurrentdb.protocol.v2.streams.StreamsService/AppendSession' };

interface ClientFeatures {
  serverVersion: string;
  supports(method: { path: string }): boolean;
}

/**
 * Asks the server what it supports (the gRPC server-features call the client makes and caches
 * itself). The client keeps that list behind a protected getter; this is the one place that reads it.
 * Also the first round trip to the server, so it fails with the transport's own message when the
 * server cannot be reached.
 */
export async function readServerFeatures(client: KurrentDBClient): Promise<ServerFeatures> {
  const features = await (client as unknown as { capabilities: Promise<ClientFeatures> }).capabilities;
  return {
    version: features.serverVersion,
    appendRecords: features.supports(APPEND_RECORDS_METHOD),
    multiStreamAppend: features.supports(APPEND_SESSION_METHOD),
  };
}

/** The port's promise on a server with these features. */
export function capabilitiesFor(features: ServerFeatures): EventStoreCapabilities {
  return Object.freeze({
    conditions: features.appendRecords ? 'atomic' : 'refused',
    multiStreamAppends: features.appendRecords || features.multiStreamAppend ? 'atomic' : 'refused',
    // The server does not say whether an append it accepted was a retry, and recognises ids
    // written with 'any' or 'exists' from a bounded in-memory cache only; see the adapter.
    duplicateFlag: 'per-process',
    idsInOtherStreams: 'not-detected',
    looseRetries: 'recent',
    reservedMetadataKeys: RESERVED_METADATA_KEYS,
    // Streams whose names start with "$" are the server's own (system and metadata streams).
    reservedStreamPrefixes: Object.freeze(['$']),
  } as const);
}

/** Which server call an append goes through. */
export type AppendRoute = 'append' | 'appendRecords' | 'multiStreamAppend';

/**
 * The server call for an append to `streams` streams with `conditions` conditions, or the refusal
 * when this server cannot do it atomically. Conditions need appendRecords: multiStreamAppend cannot
 * express a stream that is checked but not written, and emulating a check by reading first would
 * not be atomic.
 */
export function routeAppend(features: ServerFeatures, streams: number, conditions: number): AppendRoute | InvalidAppend {
  if (conditions > 0) return features.appendRecords ? 'appendRecords' : tooOld('conditions', features.version);
  if (streams > 1) {
    if (features.appendRecords) return 'appendRecords';
    return features.multiStreamAppend ? 'multiStreamAppend' : tooOld('several streams', features.version);
  }
  return 'append';
}

/** The refusal of an append this server cannot take atomically; `version` as the server reported it. */
export function tooOld(what: 'conditions' | 'several streams', version: string): InvalidAppend {
  return new InvalidAppend([
    what === 'conditions'
      ? {
          path: 'options.conditions',
          message: `need KurrentDB 26.1 or later (appendRecords); this server (${version}) cannot check them atomically`,
        }
      : {
          path: 'appends',
          message: `need KurrentDB 25.1 or later (multiStreamAppend) to be written to several streams atomically; this server is ${version}`,
        },
  ]);
}
