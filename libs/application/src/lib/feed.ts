import {
  CLOUDEVENT_TYPE_PREFIX,
  EVENT_SCHEMA_VERSIONS,
  eventJsonSchemas,
  isEventType,
  schemaUri,
  type CloudEventJson,
  type EventType,
} from '@planledger/contracts';
import type { EventStore, Position, StoredEvent } from '@planledger/event-store';
import { ACCESS_STREAM, ACCOUNTS_STREAM } from './streams';

/** The CloudEvents type and schema URI of each event type and version, built once. */
const naming = new Map<string, { type: string; dataschema: string }>();

/** One stored event as a CloudEvents 1.0 structured-mode JSON object. */
export function toCloudEvent(event: StoredEvent): CloudEventJson {
  const projectId = typeof event.metadata.projectId === 'string' ? event.metadata.projectId : undefined;
  const key = `${event.type}:${event.schemaVersion}`;
  let names = naming.get(key);
  if (!names)
    naming.set(key, (names = { type: `${CLOUDEVENT_TYPE_PREFIX}${event.type}`, dataschema: schemaUri(event.type, event.schemaVersion) }));
  return {
    specversion: '1.0',
    id: event.eventId,
    source: projectId ? `/projects/${projectId}` : '/organisation',
    type: names.type,
    subject: event.streamId,
    time: event.recordedAt,
    datacontenttype: 'application/json',
    dataschema: names.dataschema,
    data: event.data,
    position: event.position,
    streamrevision: event.revision,
    actor: event.metadata.actor,
    ...(event.metadata.correlationId ? { correlationid: event.metadata.correlationId } : {}),
    ...(projectId ? { projectid: projectId } : {}),
  };
}

/** The JSON Schema (draft 2020-12) of an event type's data at a version, with its `$id`; undefined if unknown. */
export function eventSchema(type: string, version: number): Record<string, unknown> | undefined {
  if (!isEventType(type) || EVENT_SCHEMA_VERSIONS[type] !== version) return undefined;
  return {
    ...(eventJsonSchemas()[type as EventType] as Record<string, unknown>),
    $id: schemaUri(type, version),
    title: `${type} v${version}`,
  };
}

/** Who may see which events: every event, or only those of the projects listed. */
export type FeedScope = { all: true } | { all: false; projects: ReadonlySet<string> };

export function inScope(scope: FeedScope, event: StoredEvent): boolean {
  if (scope.all) return true;
  // Grants, API keys and accounts are the organisation's; only admins read them.
  if (event.streamId === ACCESS_STREAM || event.streamId === ACCOUNTS_STREAM) return false;
  const projectId = event.metadata.projectId;
  return typeof projectId === 'string' && scope.projects.has(projectId);
}

export interface FeedQuery {
  after?: Position;
  limit: number;
  types?: readonly string[];
  projectId?: string;
}

/** A page of the feed: the events in scope, and where to go on from. */
export interface FeedPage {
  events: CloudEventJson[];
  next: Position | null;
  caughtUp: boolean;
}

/** Pages through the log read-only; a page skips what the scope hides but never reads past this much. */
const SCAN_LIMIT = 10_000;
const READ_PAGE = 500;

/** The log as a feed of CloudEvents, in global order, filtered to what the caller may read. */
export class Feed {
  constructor(private readonly store: EventStore) {}

  /**
   * Catch-up then live: every event after `after` in scope, as it is committed, until `signal`
   * aborts. `scope` is asked again at most once a second, so a revoked grant stops the flow.
   */
  async *follow(query: Omit<FeedQuery, 'limit'>, scope: () => Promise<FeedScope>, signal: AbortSignal): AsyncIterable<CloudEventJson> {
    let current = await scope();
    let checked = Date.now();
    for await (const event of this.store.subscribe({
      after: query.after,
      projectId: query.projectId,
      types: query.types ? [...query.types] : undefined,
      signal,
    })) {
      if (Date.now() - checked > 1000) {
        current = await scope();
        checked = Date.now();
      }
      if (inScope(current, event)) yield toCloudEvent(event);
    }
  }

  async page(query: FeedQuery, scope: FeedScope): Promise<FeedPage> {
    const events: CloudEventJson[] = [];
    let after = query.after;
    let scanned = 0;
    // Read in pages of at least READ_PAGE even when few events are wanted: a caller who may read
    // few of the events would otherwise cost one round trip per event skipped.
    const size = Math.max(query.limit, READ_PAGE);
    for (;;) {
      const page = await this.store.readAll({
        after,
        limit: size,
        projectId: query.projectId,
        types: query.types ? [...query.types] : undefined,
      });
      for (const event of page.events) {
        scanned++;
        after = event.position;
        if (inScope(scope, event)) events.push(toCloudEvent(event));
        // Full: resume right after the last event served, so nothing later in this page is lost.
        if (events.length === query.limit) return { events, next: after, caughtUp: false };
      }
      after = page.position;
      const caughtUp = page.events.length < size;
      if (caughtUp || scanned >= SCAN_LIMIT) return { events, next: after ?? null, caughtUp };
    }
  }
}

/**
 * An AsyncAPI 3.0 document for the SSE channel: one message per event type, each a CloudEvent
 * whose `data` is that type's JSON Schema.
 */
export function asyncApiDocument(version: string): Record<string, unknown> {
  const types = Object.keys(EVENT_SCHEMA_VERSIONS) as EventType[];
  const messages = Object.fromEntries(
    types.map((type) => {
      const dataSchema = eventSchema(type, EVENT_SCHEMA_VERSIONS[type]) ?? {};
      return [
        type,
        {
          name: `${CLOUDEVENT_TYPE_PREFIX}${type}`,
          title: type,
          contentType: 'application/cloudevents+json',
          summary: `${type} v${EVENT_SCHEMA_VERSIONS[type]}, sent as the SSE message's data; the message id is its position`,
          payload: {
            type: 'object',
            required: [
              'specversion',
              'id',
              'source',
              'type',
              'subject',
              'time',
              'datacontenttype',
              'dataschema',
              'data',
              'position',
              'streamrevision',
              'actor',
            ],
            properties: {
              specversion: { const: '1.0' },
              id: { type: 'string', format: 'uuid' },
              source: { type: 'string' },
              type: { const: `${CLOUDEVENT_TYPE_PREFIX}${type}` },
              subject: { type: 'string' },
              time: { type: 'string', format: 'date-time' },
              datacontenttype: { const: 'application/json' },
              dataschema: { const: schemaUri(type, EVENT_SCHEMA_VERSIONS[type]) },
              data: dataSchema,
              position: { type: 'string', pattern: '^\\d{20}-\\d{20}$' },
              streamrevision: { type: 'integer', minimum: 0 },
              actor: { type: 'string' },
              correlationid: { type: 'string' },
              projectid: { type: 'string' },
            },
          },
        },
      ];
    }),
  );
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'PlanLedger event feed',
      version,
      description:
        'Every event of the log, in global order, as CloudEvents 1.0 over Server-Sent Events. Reconnect with Last-Event-ID to resume after the last event received.',
    },
    defaultContentType: 'application/cloudevents+json',
    channels: {
      events: {
        address: '/events/stream',
        title: 'The event log, catch-up then live',
        messages: Object.fromEntries(types.map((type) => [type, { $ref: `#/components/messages/${type}` }])),
        bindings: { http: { method: 'GET', bindingVersion: '0.3.0' } },
      },
    },
    operations: {
      receiveEvents: {
        action: 'receive',
        channel: { $ref: '#/channels/events' },
        summary: 'GET /events/stream?after=&type=&projectId= with Accept: text/event-stream and a bearer token or API key',
        messages: types.map((type) => ({ $ref: `#/channels/events/messages/${type}` })),
      },
    },
    components: { messages },
  };
}
