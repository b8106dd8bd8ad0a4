import { z } from 'zod';
import { EVENT_SCHEMAS, EVENT_SCHEMA_VERSIONS, type EventType } from '../events';
import { idSchema } from '../shared/primitives';

/** CloudEvents `type` of a PlanLedger event: reverse-DNS prefix, then the event's own name. */
export const CLOUDEVENT_TYPE_PREFIX = 'io.planledger.';
/** Names an event type's schema version; the catalogue serves it at /schemas/{type}/{version}. */
export const schemaUri = (type: string, version: number) => `urn:planledger:schema:${type}:${version}`;

const positionSchema = z.string().regex(/^\d{20}-\d{20}$/, 'must be a position the feed returned (`next`, or an event’s `position`)');
const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];

/** GET /events, GET /projects/{id}/events */
export const feedQuerySchema = z
  .object({
    after: positionSchema
      .optional()
      .describe('Start after this position (the `next` of the previous page); from the beginning when absent'),
    limit: z.coerce
      .number({ error: 'must be a number' })
      .int()
      .min(1, 'must be from 1 to 1000')
      .max(1000, 'must be from 1 to 1000')
      .default(100),
    type: z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t.length > 0),
      )
      .pipe(
        z
          .array(z.enum(EVENT_TYPES, { error: `each must be an event type: ${EVENT_TYPES.join(', ')}` }))
          .min(1, 'must name at least one event type'),
      )
      .optional()
      .describe('Only these event types, comma-separated (e.g. ActualRecorded,GoalTargetAdjusted)'),
    projectId: idSchema.optional().describe('Only events of this project'),
  })
  .strict();

/** GET /events/stream */
export const feedStreamQuerySchema = feedQuerySchema.omit({ limit: true }).strict();

/** One event in CloudEvents 1.0 structured JSON, with PlanLedger's extension attributes. */
export const cloudEventSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().describe('The event id (a UUID), unique in the log'),
  source: z.string().describe('/projects/{projectId} for a project’s events, /organisation for the rest'),
  type: z.string().describe(`${CLOUDEVENT_TYPE_PREFIX}{EventType}`),
  subject: z.string().describe('The stream the event belongs to, e.g. goal-demo-revenue'),
  time: z.string().describe('When the store recorded it (RFC 3339)'),
  datacontenttype: z.literal('application/json'),
  dataschema: z.string().describe('urn:planledger:schema:{EventType}:{version}, served at /schemas/{EventType}/{version}'),
  data: z.record(z.string(), z.unknown()),
  position: z.string().describe('Extension: the position in the global log; resume after it'),
  streamrevision: z.number().int().describe('Extension: the 0-based revision inside its stream'),
  actor: z.string().describe('Extension: who caused it'),
  correlationid: z.string().optional().describe('Extension: the request that caused it'),
  projectid: z.string().optional().describe('Extension: the project it belongs to'),
});
export type CloudEventJson = z.infer<typeof cloudEventSchema>;

export const feedPageSchema = z.object({
  events: z.array(cloudEventSchema),
  next: z.string().nullable().describe('Pass as `after` for the next page (null: the log is empty)'),
  caughtUp: z.boolean().describe('True when this page reached the end of the log as it stood'),
});

export const schemaCatalogueSchema = z.object({
  schemas: z.array(z.object({ type: z.string(), version: z.number().int(), cloudEventType: z.string(), id: z.string(), href: z.string() })),
});

/** Every event type at its current version, as the feed serves them (older versions are upcast). */
export function schemaCatalogue(): z.infer<typeof schemaCatalogueSchema> {
  return {
    schemas: EVENT_TYPES.map((type) => ({
      type,
      version: EVENT_SCHEMA_VERSIONS[type],
      cloudEventType: `${CLOUDEVENT_TYPE_PREFIX}${type}`,
      id: schemaUri(type, EVENT_SCHEMA_VERSIONS[type]),
      href: `/schemas/${type}/${EVENT_SCHEMA_VERSIONS[type]}`,
    })),
  };
}
