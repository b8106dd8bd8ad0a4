import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { InvalidAppend, type InvalidAppendIssue } from './errors';
import type { AppendCondition, EventMetadata, ExpectedRevision, JsonObject, NewEvent } from './event-store.port';

export const APPEND_LIMITS = {
  streamIdLength: 200,
  typeLength: 100,
  eventsPerAppend: 10_000,
  /** Serialized size of one event's data and metadata together. */
  eventBytes: 1024 * 1024,
  jsonDepth: 64,
  conditionsPerAppend: 50,
} as const;

/** An event ready to be written: ids and defaults filled in, payload proven to be storable JSON. */
export interface PreparedEvent {
  eventId: string;
  type: string;
  schemaVersion: number;
  data: JsonObject;
  metadata: EventMetadata & { correlationId: string; occurredAt: string };
  /** `{"type":…,"schemaVersion":…,"data":…,"metadata":…}` as sent to SQL (ids travel apart). */
  json: string;
}

export interface PreparedAppend {
  streamId: string;
  expected: ExpectedRevision;
  conditions: AppendCondition[];
  events: PreparedEvent[];
  /** The events as one JSON array, for a single SQL parameter. */
  json: string;
  /** Whether the caller supplied any event id: only then can the append be a retry. */
  callerIds: boolean;
}

export interface AppendDefaults {
  now: () => Date;
  newEventId: () => string;
}

export const defaultAppendDefaults: AppendDefaults = { now: () => new Date(), newEventId: () => uuidv7() };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Visible characters only: stream ids end up in URLs, logs and metric labels.
const STREAM_ID = /^[^\s\p{Cc}]+$/u;

const streamIdSchema = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(APPEND_LIMITS.streamIdLength, `must be at most ${APPEND_LIMITS.streamIdLength} characters`)
  .regex(STREAM_ID, 'must not contain white space or control characters');

const expectedSchema = z.union([z.enum(['no_stream', 'exists', 'any']), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)], {
  error: `must be 'no_stream', 'exists', 'any' or a non-negative integer revision`,
});

const conditionsSchema = z
  .array(
    z.object(
      {
        streamId: streamIdSchema,
        revision: z.union([z.literal('no_stream'), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)], {
          error: `must be 'no_stream' or a non-negative integer revision`,
        }),
      },
      { error: 'must be an object with a streamId and a revision' },
    ),
    { error: 'must be an array' },
  )
  .max(APPEND_LIMITS.conditionsPerAppend, `must hold at most ${APPEND_LIMITS.conditionsPerAppend} conditions`)
  .optional();

const envelopeSchema = z.object({
  eventId: z.string().regex(UUID, 'must be a UUID').optional(),
  type: z
    .string({ error: 'must be a string' })
    .regex(/^[A-Za-z][A-Za-z0-9._-]*$/, 'must start with a letter and hold only letters, digits, ".", "_" or "-"')
    .max(APPEND_LIMITS.typeLength, `must be at most ${APPEND_LIMITS.typeLength} characters`),
  schemaVersion: z.number().int().min(1).max(10_000).optional(),
  data: z.unknown(),
  metadata: z
    .object(
      {
        actor: z.string({ error: 'is required' }).min(1, 'must not be empty').max(200),
        correlationId: z.string().min(1).max(200).optional(),
        causationId: z.string().min(1).max(200).optional(),
        projectId: z.string().min(1).max(200).optional(),
        occurredAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
      },
      { error: 'must be an object with at least an actor' },
    )
    .loose(),
});

/** Validates and normalizes an append; throws InvalidAppend naming every problem found. */
export function prepareAppend(
  streamId: unknown,
  events: unknown,
  options: unknown,
  defaults: AppendDefaults = defaultAppendDefaults,
): PreparedAppend {
  const issues: InvalidAppendIssue[] = [];
  const sid = streamIdSchema.safeParse(streamId);
  if (!sid.success) issues.push(...toIssues('streamId', sid.error));
  const expected = expectedSchema.safeParse(
    options !== null && typeof options === 'object' ? (options as { expected?: unknown }).expected : undefined,
  );
  if (!expected.success) issues.push({ path: 'options.expected', message: expected.error.issues[0]?.message ?? 'is invalid' });
  const conditions = conditionsSchema.safeParse(
    options !== null && typeof options === 'object' ? (options as { conditions?: unknown }).conditions : undefined,
  );
  if (!conditions.success) issues.push(...toIssues('options.conditions', conditions.error));
  else {
    const named = new Set<string>();
    conditions.data?.forEach((condition, index) => {
      if (condition.streamId === sid.data)
        issues.push({ path: `options.conditions[${index}].streamId`, message: 'names the stream appended to; use expected for it' });
      else if (named.has(condition.streamId))
        issues.push({ path: `options.conditions[${index}].streamId`, message: `repeats stream ${condition.streamId}` });
      named.add(condition.streamId);
    });
  }

  const prepared: PreparedEvent[] = [];
  let callerIds = false;
  if (!Array.isArray(events)) {
    issues.push({ path: 'events', message: 'must be an array' });
  } else if (events.length === 0) {
    issues.push({ path: 'events', message: 'must hold at least one event' });
  } else if (events.length > APPEND_LIMITS.eventsPerAppend) {
    issues.push({ path: 'events', message: `must hold at most ${APPEND_LIMITS.eventsPerAppend} events` });
  } else {
    const now = defaults.now().toISOString();
    const seen = new Set<string>();
    callerIds = events.some((e: unknown) => e !== null && typeof e === 'object' && (e as { eventId?: unknown }).eventId !== undefined);
    events.forEach((raw: unknown, index) => {
      const at = `events[${index}]`;
      const parsed = envelopeSchema.safeParse(raw);
      if (!parsed.success) {
        issues.push(...toIssues(at, parsed.error));
        return;
      }
      const event = parsed.data as NewEvent & { data: unknown };
      const before = issues.length;
      if (!isPlainObject(event.data)) issues.push({ path: `${at}.data`, message: 'must be a JSON object' });
      else checkJson(event.data, `${at}.data`, issues);
      checkJson(event.metadata, `${at}.metadata`, issues);
      if (issues.length > before) return;

      const eventId = (event.eventId ?? defaults.newEventId()).toLowerCase();
      if (seen.has(eventId)) {
        issues.push({ path: `${at}.eventId`, message: `repeats event id ${eventId} within one append` });
        return;
      }
      seen.add(eventId);
      const metadata = {
        ...event.metadata,
        correlationId: event.metadata.correlationId ?? prepared[0]?.eventId ?? eventId,
        occurredAt: event.metadata.occurredAt ?? now,
      };
      const schemaVersion = event.schemaVersion ?? 1;
      const json = JSON.stringify({ type: event.type, schemaVersion, data: event.data, metadata });
      if (Buffer.byteLength(json) > APPEND_LIMITS.eventBytes) {
        issues.push({ path: at, message: `is larger than ${APPEND_LIMITS.eventBytes} bytes once serialized` });
        return;
      }
      prepared.push({ eventId, type: event.type, schemaVersion, data: event.data as JsonObject, metadata, json });
    });
  }
  if (issues.length > 0) throw new InvalidAppend(issues);
  return {
    streamId: sid.data as string,
    expected: expected.data as ExpectedRevision,
    conditions: conditions.data ?? [],
    events: prepared,
    json: `[${prepared.map((e) => e.json).join(',')}]`,
    callerIds,
  };
}

function toIssues(prefix: string, error: z.ZodError): InvalidAppendIssue[] {
  return error.issues.map((issue) => ({
    path: prefix + issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join(''),
    message: issue.message,
  }));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// Hand-written rather than a zod schema: it runs on every appended payload, and jsonb refuses
// some values JSON.stringify accepts (NUL characters, lone surrogates). The path of a value is
// kept as a stack of segments and only joined into text when there is a problem to report.
function checkJson(value: unknown, root: string, issues: InvalidAppendIssue[]): void {
  const path: (string | number)[] = [];
  const report = (message: string) =>
    issues.push({ path: root + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join(''), message });
  const visit = (node: unknown): void => {
    if (issues.length >= 20) return;
    if (path.length > APPEND_LIMITS.jsonDepth) {
      report(`nests deeper than ${APPEND_LIMITS.jsonDepth} levels`);
      return;
    }
    switch (typeof node) {
      case 'string':
        if (node.includes('\u0000')) report('must not contain the NUL character (\\u0000)');
        else if (!node.isWellFormed()) report('must be well-formed Unicode (lone surrogate)');
        return;
      case 'number':
        if (!Number.isFinite(node)) report(`is ${node}, which JSON cannot represent`);
        return;
      case 'boolean':
        return;
      case 'object':
        if (node === null) return;
        if (Array.isArray(node)) {
          for (let i = 0; i < node.length; i++) {
            path.push(i);
            visit(node[i]);
            path.pop();
          }
          return;
        }
        if (!isPlainObject(node)) {
          report(`is a ${node.constructor?.name ?? 'non-plain'} object, not JSON`);
          return;
        }
        for (const key in node) {
          if (key.includes('\u0000') || !key.isWellFormed()) {
            report('has an invalid key');
            continue;
          }
          const child = node[key];
          if (child === undefined) continue;
          path.push(key);
          visit(child);
          path.pop();
        }
        return;
      default:
        report(`is a ${typeof node}, which JSON cannot represent`);
    }
  };
  visit(value);
}

/** An append to several streams, checked: each part prepared, the conditions apart. */
export interface PreparedAppends {
  appends: PreparedAppend[];
  conditions: AppendCondition[];
  callerIds: boolean;
}

/**
 * Validates an append to several streams: each part as a single append (paths start with
 * `appends[i].`), no stream twice, no event id in two parts, no condition on a stream written, at
 * most as many events in all as one append may hold. Throws InvalidAppend naming every problem.
 */
export function prepareAppends(appends: unknown, options: unknown, defaults: AppendDefaults = defaultAppendDefaults): PreparedAppends {
  if (!Array.isArray(appends)) throw new InvalidAppend([{ path: 'appends', message: 'must be an array' }]);
  if (appends.length === 0) throw new InvalidAppend([{ path: 'appends', message: 'must hold at least one stream append' }]);
  const conditionsGiven = options !== null && typeof options === 'object' ? (options as { conditions?: unknown }).conditions : undefined;
  const issues: InvalidAppendIssue[] = [];
  const prepared: PreparedAppend[] = [];
  const streams = new Map<string, number>();
  const ids = new Map<string, number>();
  appends.forEach((raw: unknown, index) => {
    const part = (raw !== null && typeof raw === 'object' ? raw : {}) as { streamId?: unknown; events?: unknown; expected?: unknown };
    const at = `appends[${index}]`;
    if (typeof part.streamId === 'string') {
      const first = streams.get(part.streamId);
      if (first !== undefined) issues.push({ path: `${at}.streamId`, message: `repeats stream ${part.streamId} (appends[${first}])` });
      else streams.set(part.streamId, index);
    }
    try {
      // The conditions travel with the first part, where a single append checks them.
      const one = prepareAppend(
        part.streamId,
        part.events,
        { expected: part.expected, conditions: index === 0 ? conditionsGiven : undefined },
        defaults,
      );
      if (one.callerIds) {
        one.events.forEach((event, e) => {
          const other = ids.get(event.eventId);
          if (other !== undefined && other !== index)
            issues.push({ path: `${at}.events[${e}].eventId`, message: `repeats an event id of appends[${other}]` });
          ids.set(event.eventId, index);
        });
      }
      prepared.push(one);
    } catch (error) {
      if (!(error instanceof InvalidAppend)) throw error;
      for (const issue of error.issues)
        issues.push({ ...issue, path: issue.path.startsWith('options.') ? issue.path : `${at}.${issue.path}` });
    }
  });
  const conditions = prepared[0]?.conditions ?? [];
  conditions.forEach((condition, i) => {
    const written = streams.get(condition.streamId);
    if (written !== undefined && written !== 0)
      issues.push({
        path: `options.conditions[${i}].streamId`,
        message: `names stream ${condition.streamId}, written by appends[${written}]; use its expected`,
      });
  });
  const total = prepared.reduce((n, a) => n + a.events.length, 0);
  if (total > APPEND_LIMITS.eventsPerAppend)
    issues.push({ path: 'appends', message: `must hold at most ${APPEND_LIMITS.eventsPerAppend} events in all` });
  if (issues.length > 0) throw new InvalidAppend(issues);
  return { appends: prepared, conditions, callerIds: prepared.some((a) => a.callerIds) };
}
