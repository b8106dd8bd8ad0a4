import type { CommandRecord } from './load';

/** Reads the experiment's database straight from the server (never through the proxy). */
export type Query = <T extends Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

export interface Reconciliation {
  /** Acknowledged commands whose events are not in the log. */
  lost: string[];
  /** Commands whose events are in the log more than once (in two transactions of one stream, or one event type twice). */
  doubled: string[];
  /** Refused commands (4xx) that wrote something anyway. */
  refusedButWritten: string[];
  /** Streams whose revisions do not run 0, 1, 2 … up to the stream's recorded revision. */
  gaps: string[];
  /** Meetings whose minutes are stored without every one of their action items' tasks, sent with a key and without. */
  halfWritten: { keyed: string[]; unkeyed: string[] };
  /** Ambiguous answers (5xx, reset, timeout): how many were in fact written, with a key and without. */
  ambiguous: { keyed: number; keyedWritten: number; unkeyed: number; unkeyedWritten: number };
  events: number;
}

interface EventRow extends Record<string, unknown> {
  correlation: string;
  stream_id: string;
  revision: string;
  type: string;
  tx: string;
}

/**
 * Holds every recorded request against the events table: each acknowledged command is there once,
 * each refused one not at all, each ambiguous one at most once; no stream has a gap; no meeting is
 * stored without its action items. A command's events are found by the correlation id it was sent
 * with (the same on each of its retries).
 */
export async function reconcile(records: CommandRecord[], query: Query): Promise<Reconciliation> {
  const rows = await query<EventRow>(
    `SELECT metadata->>'correlationId' AS correlation, stream_id, revision::text AS revision, type, transaction_id::text AS tx
       FROM pl_events WHERE metadata->>'correlationId' LIKE 'load-%'`,
  );
  const byCommand = new Map<string, EventRow[]>();
  for (const row of rows) byCommand.set(row.correlation, [...(byCommand.get(row.correlation) ?? []), row]);

  const lost: string[] = [];
  const doubled: string[] = [];
  const refusedButWritten: string[] = [];
  const ambiguous = { keyed: 0, keyedWritten: 0, unkeyed: 0, unkeyedWritten: 0 };
  for (const record of records) {
    const events = byCommand.get(record.correlationId) ?? [];
    const name = `#${record.n} ${record.kind} ${record.key ? 'keyed' : 'unkeyed'}`;
    if (isDoubled(events)) doubled.push(`${name}: ${events.map((e) => `${e.stream_id}@${e.revision} ${e.type} tx ${e.tx}`).join(', ')}`);
    if (record.outcome === 'acknowledged') {
      const answer = record.answer;
      if (
        answer &&
        answer.revision !== null &&
        !events.some((e) => e.stream_id === answer.streamId && Number(e.revision) === answer.revision)
      )
        lost.push(`${name}: answered ${answer.streamId}@${answer.revision}, not in the log`);
    } else if (record.outcome === 'refused') {
      if (events.length > 0)
        refusedButWritten.push(`${name}: ${record.attempts.at(-1)?.status} but wrote ${events.map((e) => e.type).join(', ')}`);
    } else if (record.key) {
      ambiguous.keyed++;
      if (events.length > 0) ambiguous.keyedWritten++;
    } else {
      ambiguous.unkeyed++;
      if (events.length > 0) ambiguous.unkeyedWritten++;
    }
  }

  const gaps = (
    await query<{ stream_id: string; n: string; lo: string; hi: string; recorded: string | null }>(
      `SELECT e.stream_id, count(*)::text AS n, min(e.revision)::text AS lo, max(e.revision)::text AS hi, s.revision::text AS recorded
         FROM pl_events e LEFT JOIN pl_streams s USING (stream_id)
        GROUP BY e.stream_id, s.revision
       HAVING count(*) <> max(e.revision) + 1 OR min(e.revision) <> 0 OR s.revision IS DISTINCT FROM max(e.revision)`,
    )
  ).map((g) => `${g.stream_id}: ${g.n} events, revisions ${g.lo}..${g.hi}, stream at ${g.recorded}`);

  const keyedMeetings = new Set(records.filter((r) => r.kind === 'meeting' && r.key).map((r) => String(r.body['meetingId'])));
  const halfWritten: Reconciliation['halfWritten'] = { keyed: [], unkeyed: [] };
  for (const h of await query<{ meeting: string; missing: string }>(
    `SELECT m.data->>'meetingId' AS meeting, string_agg(item->>'taskId', ', ') AS missing
         FROM pl_events m CROSS JOIN LATERAL jsonb_array_elements(m.data->'actionItems') AS item
        WHERE m.type = 'MeetingMinutesRecorded'
          AND NOT EXISTS (SELECT 1 FROM pl_events t WHERE t.stream_id = 'task-' || (item->>'taskId') AND t.type = 'TaskPlanned')
        GROUP BY m.data->>'meetingId'`,
  ))
    halfWritten[keyedMeetings.has(h.meeting) ? 'keyed' : 'unkeyed'].push(`${h.meeting}: no task for ${h.missing}`);

  return { lost, doubled, refusedButWritten, gaps, halfWritten, ambiguous, events: rows.length };
}

/** One command applied once writes each of its streams in one transaction, and no event type twice in a stream. */
function isDoubled(events: EventRow[]): boolean {
  const perStream = new Map<string, { txs: Set<string>; types: string[] }>();
  for (const e of events) {
    const entry = perStream.get(e.stream_id) ?? { txs: new Set(), types: [] };
    entry.txs.add(e.tx);
    entry.types.push(e.type);
    perStream.set(e.stream_id, entry);
  }
  return [...perStream.values()].some((s) => s.txs.size > 1 || new Set(s.types).size !== s.types.length);
}
