import { setTimeout as sleep } from 'node:timers/promises';
import { prepareAppend, prepareAppends, defaultAppendDefaults, type AppendDefaults, type PreparedAppend } from '../append-input';
import { asUnavailable, DuplicateEventId, WrongExpectedVersion } from '../errors';
import type {
  AppendCondition,
  AppendOptions,
  AppendResult,
  EventStore,
  EventStoreInfo,
  ExpectedRevision,
  JsonObject,
  MultiAppendOptions,
  MultiAppendResult,
  NewEvent,
  Position,
  ReadAllOptions,
  ReadAllPage,
  ReadStreamOptions,
  StoredEvent,
  StreamAppend,
  SubscribeOptions,
} from '../event-store.port';
import { FULL_CAPABILITIES } from '../event-store.port';
import { encodePosition } from '../position';
import { checkReadAllOptions, checkReadStreamOptions } from '../read-options';
import { AppendSignal, DEFAULT_POLL_INTERVAL_MS, followLog } from '../subscription';
import { createUpcaster, type UpcastFn, type Upcaster } from '../upcasting';
import { DEFAULT_GROUP_COMMIT_LIMITS, GroupCommitter, type BatchUnit, type GroupCommitLimits, type UnitAnswer } from './group-commit';
import { asSqlError, type SqlClient, type SqlError } from './sql-client';

export interface SqlEventStoreOptions {
  upcasters?: readonly Upcaster[];
  /** How often an idle subscriber looks for appends made by other processes. */
  pollIntervalMs?: number;
  /** Attempts for transient failures (serialization, deadlock, concurrent retry of the same ids). */
  maxAttempts?: number;
  defaults?: AppendDefaults;
  /**
   * Group commit (default on): appends that arrive while another batch is being committed go
   * together in the next transaction, each checked and answered on its own. `false` writes every
   * append in a transaction of its own; an object bounds the batch.
   */
  groupCommit?: boolean | Partial<GroupCommitLimits>;
}

interface AppendRow {
  revision: string;
  tx: string;
  positions: string[];
  duplicate: boolean;
}

// Named, so each connection parses and plans it once.
const APPEND = {
  name: 'pl_append',
  text: 'SELECT o_revision::text AS revision, o_tx::text AS tx, o_positions::text[] AS positions, o_duplicate AS duplicate FROM pl_append($1, $2, $3::uuid[], $4::jsonb, $5)',
};

// Several appends in one statement, so in one transaction and one round trip (see migration 5).
const APPEND_BATCH = {
  name: 'pl_append_batch',
  text: `SELECT o_unit AS unit, o_part AS part, o_revision::text AS revision, o_tx::text AS tx, o_positions::text[] AS positions,
    o_duplicate AS duplicate, o_error_part AS error_part, o_code AS code, o_message AS message, o_detail AS detail, o_constraint AS constraint
    FROM pl_append_batch($1::integer[], $2::integer[], $3::text[], $4::text[], $5::boolean[], $6::integer[], $7::uuid[], $8::jsonb,
      $9::text[], $10::bigint[])`,
};

interface BatchRow extends AppendRow {
  unit: number;
  part: number | null;
  error_part: number | null;
  code: string | null;
  message: string | null;
  detail: string | null;
  constraint: string | null;
}

const APPEND_IF = {
  name: 'pl_append_if',
  text: 'SELECT o_revision::text AS revision, o_tx::text AS tx, o_positions::text[] AS positions, o_duplicate AS duplicate FROM pl_append_if($6::text[], $7::bigint[], $1, $2, $3::uuid[], $4::jsonb, $5)',
};

interface EventRow {
  gp: string;
  tx: string;
  stream_id: string;
  revision: string;
  event_id: string;
  type: string;
  schema_version: number;
  data: JsonObject;
  metadata: StoredEvent['metadata'];
  recorded_at: Date | string;
}

const EVENT_COLUMNS = `global_position::text AS gp, transaction_id::text AS tx, stream_id, revision::text AS revision,
  event_id::text AS event_id, type, schema_version, data, metadata,
  to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at`;

// Only transactions older than every transaction still open may be read: a later-committing
// older transaction could otherwise land behind a checkpoint that already passed it.
const VISIBLE = `transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;

// SQLSTATEs worth a fresh attempt: serialization failure (our inversion guard), deadlock.
const RETRYABLE = new Set(['40001', '40P01']);

/** The EventStore over any SqlClient: the PostgreSQL and PGlite adapters differ only in their client. */
export class SqlEventStore implements EventStore {
  readonly capabilities = FULL_CAPABILITIES;
  private readonly upcast: UpcastFn;
  private readonly appended = new AppendSignal();
  private readonly closing = new AbortController();
  private readonly pollIntervalMs: number;
  private readonly maxAttempts: number;
  private readonly defaults: AppendDefaults;
  private readonly committer: GroupCommitter | undefined;

  constructor(
    /** The database the events live in; read models written beside them use it too. */
    readonly sql: SqlClient,
    readonly info: EventStoreInfo,
    options: SqlEventStoreOptions = {},
  ) {
    this.upcast = createUpcaster(options.upcasters);
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.maxAttempts = options.maxAttempts ?? 10;
    this.defaults = options.defaults ?? defaultAppendDefaults;
    const groupCommit = options.groupCommit ?? true;
    if (groupCommit !== false) {
      // A second batch on PGlite's one connection would only wait for it, and take appends the first could carry.
      const defaults = { ...DEFAULT_GROUP_COMMIT_LIMITS, ...(info.adapter === 'pglite' ? { maxBatches: 1 } : {}) };
      const limits = { ...defaults, ...(groupCommit === true ? {} : groupCommit) };
      this.committer = new GroupCommitter((units) => this.writeBatch(units), limits);
    }
  }

  async appendToStream(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    const append = prepareAppend(streamId, events, options, this.defaults);
    if (this.committer) {
      const [result] = await this.appendUnit(this.committer, { parts: [append], conditions: append.conditions });
      return result;
    }
    const expected = String(append.expected);
    for (let attempt = 1; ; attempt++) {
      try {
        const params: unknown[] = [append.streamId, expected, append.events.map((e) => e.eventId), append.json, append.callerIds];
        const statement = append.conditions.length === 0 ? APPEND : APPEND_IF;
        if (statement === APPEND_IF) {
          params.push(
            append.conditions.map((c) => c.streamId),
            append.conditions.map((c) => (c.revision === 'no_stream' ? -1 : c.revision)),
          );
        }
        const [row] = await this.sql.query<AppendRow>(statement.text, params, statement.name);
        if (!row.duplicate) this.appended.notify();
        return {
          nextRevision: Number(row.revision),
          positions: row.positions.map((gp) => encodePosition(row.tx, gp)),
          duplicate: row.duplicate,
        };
      } catch (error) {
        const sqlError = asSqlError(error);
        throwRefusal(sqlError, append.streamId, append.expected);
        throwConditionRefusal(sqlError, append.conditions);
        if (isRetryable(sqlError) && attempt < this.maxAttempts) {
          await sleep(Math.random() * 2 * attempt);
          continue;
        }
        throw error;
      }
    }
  }

  async appendToStreams(appends: StreamAppend[], options: MultiAppendOptions = {}): Promise<MultiAppendResult> {
    const plan = prepareAppends(appends, options, this.defaults);
    if (this.committer) {
      const streams = await this.appendUnit(this.committer, { parts: plan.appends, conditions: plan.conditions });
      return { streams, duplicate: streams.every((s) => s.duplicate) };
    }
    // Parts are written in the order given, so the log keeps it; two writers that lock the same
    // streams in opposite orders deadlock, and the loser is retried below (40P01).
    for (let attempt = 1; ; attempt++) {
      let failed: PreparedAppend | undefined;
      try {
        const rows = await this.sql.transaction(async (tx) => {
          const answered: AppendRow[] = [];
          for (const [i, append] of plan.appends.entries()) {
            failed = append;
            const params: unknown[] = [
              append.streamId,
              String(append.expected),
              append.events.map((e) => e.eventId),
              append.json,
              append.callerIds,
            ];
            const statement = i === 0 && plan.conditions.length > 0 ? APPEND_IF : APPEND;
            if (statement === APPEND_IF) {
              params.push(
                plan.conditions.map((c) => c.streamId),
                plan.conditions.map((c) => (c.revision === 'no_stream' ? -1 : c.revision)),
              );
            }
            const [row] = await tx.query<AppendRow>(statement.text, params);
            answered.push(row);
          }
          failed = undefined;
          const duplicates = answered.filter((row) => row.duplicate).length;
          // Some parts stored before and others not: not a clean retry of this write (rolled back).
          if (duplicates > 0 && duplicates < answered.length) {
            const stored = plan.appends.filter((_, i) => answered[i].duplicate).map((a) => a.streamId);
            throw new DuplicateEventId(stored[0], `the parts for ${stored.join(', ')} were stored already, the others not`);
          }
          return answered;
        });
        const duplicate = rows.every((row) => row.duplicate);
        if (!duplicate) this.appended.notify();
        return {
          streams: rows.map((row) => ({
            nextRevision: Number(row.revision),
            positions: row.positions.map((gp) => encodePosition(row.tx, gp)),
            duplicate: row.duplicate,
          })),
          duplicate,
        };
      } catch (error) {
        if (error instanceof DuplicateEventId) throw error;
        const sqlError = asSqlError(error);
        if (failed) throwRefusal(sqlError, failed.streamId, failed.expected);
        throwConditionRefusal(sqlError, plan.conditions);
        if (isRetryable(sqlError) && attempt < this.maxAttempts) {
          await sleep(Math.random() * 2 * attempt);
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * One unit through group commit: answered once its batch committed. A unit refused for a reason
   * worth another attempt (the inversion guard, a deadlock, a concurrent retry of the same ids) goes
   * again in a later batch, so in a new transaction; every other refusal is the port's error.
   */
  private async appendUnit(committer: GroupCommitter, unit: BatchUnit): Promise<AppendResult[]> {
    for (let attempt = 1; ; attempt++) {
      const answer = await committer.submit(unit);
      if ('rows' in answer)
        return answer.rows.map((row) => ({
          nextRevision: Number(row.revision),
          positions: row.positions.map((gp) => encodePosition(row.tx, gp)),
          duplicate: row.duplicate,
        }));
      const { failure } = answer;
      const sqlError: SqlError = {
        code: failure.code,
        message: failure.message,
        detail: failure.detail ?? undefined,
        constraint: failure.constraint ?? undefined,
      };
      // Some parts stored before and others not: not a clean retry of this write (rolled back).
      if (failure.code === 'PLD02') throw new DuplicateEventId(failure.detail ?? unit.parts[0].streamId, failure.message);
      const part = unit.parts[failure.part] ?? unit.parts[0];
      throwRefusal(sqlError, part.streamId, part.expected);
      throwConditionRefusal(sqlError, unit.conditions);
      if (isRetryable(sqlError) && attempt < this.maxAttempts) {
        await sleep(Math.random() * 2 * attempt);
        continue;
      }
      // Any other error of the database, as the driver would have raised it for a lone append.
      throw asUnavailable(Object.assign(new Error(failure.message), sqlError));
    }
  }

  /** Writes one batch in one statement (one transaction) and answers each unit from its rows. */
  private async writeBatch(units: BatchUnit[]): Promise<UnitAnswer[]> {
    const unitParts: number[] = [];
    const unitConds: number[] = [];
    const streams: string[] = [];
    const expected: string[] = [];
    const checkRetry: boolean[] = [];
    const idCounts: number[] = [];
    const ids: string[] = [];
    const events: string[] = [];
    const condStreams: string[] = [];
    const condRevisions: number[] = [];
    for (const unit of units) {
      unitParts.push(unit.parts.length);
      unitConds.push(unit.conditions.length);
      for (const condition of unit.conditions) {
        condStreams.push(condition.streamId);
        condRevisions.push(condition.revision === 'no_stream' ? -1 : condition.revision);
      }
      for (const part of unit.parts) {
        streams.push(part.streamId);
        expected.push(String(part.expected));
        checkRetry.push(part.callerIds);
        idCounts.push(part.events.length);
        for (const event of part.events) ids.push(event.eventId);
        events.push(part.json);
      }
    }
    const rows = await this.sql.query<BatchRow>(
      APPEND_BATCH.text,
      [unitParts, unitConds, streams, expected, checkRetry, idCounts, ids, `[${events.join(',')}]`, condStreams, condRevisions],
      APPEND_BATCH.name,
    );
    const answers: (UnitAnswer | undefined)[] = units.map(() => undefined);
    let wrote = false;
    for (const row of rows) {
      const unit = Number(row.unit);
      if (row.code !== null) {
        answers[unit] = {
          failure: {
            part: Number(row.error_part),
            code: row.code,
            message: row.message ?? row.code,
            detail: row.detail || null,
            constraint: row.constraint || null,
          },
        };
        continue;
      }
      const answer = answers[unit] ?? { rows: [] };
      if ('rows' in answer) answer.rows.push(row);
      answers[unit] = answer;
      if (!row.duplicate) wrote = true;
    }
    if (wrote) this.appended.notify();
    return answers.map((answer, i) => {
      if (answer === undefined || ('rows' in answer && answer.rows.length !== units[i].parts.length))
        throw new Error(`pl_append_batch answered ${answer === undefined ? 'nothing' : 'part'} of append ${i} of the batch`);
      return answer;
    });
  }

  /**
   * Restore from an export: appends events that were stored elsewhere with their ids, schema
   * versions and original recorded times, several appends in one transaction. Only for filling an
   * empty store (`planledger events import` checks); it is not on the port, so no command can
   * backdate an event.
   */
  async restore(appends: readonly RestoredAppend[]): Promise<void> {
    await this.sql.transaction(async (tx) => {
      for (const { streamId, events, expected } of appends) {
        const append = prepareAppend(streamId, events, { expected }, this.defaults);
        try {
          const [row] = await tx.query<AppendRow>(APPEND.text, [
            append.streamId,
            String(append.expected),
            append.events.map((e) => e.eventId),
            append.json,
            append.callerIds,
          ]);
          await tx.query(
            `UPDATE pl_events e SET recorded_at = v.recorded_at
               FROM unnest($2::bigint[], $3::timestamptz[]) AS v (global_position, recorded_at)
              WHERE e.transaction_id = $1::text::xid8 AND e.global_position = v.global_position`,
            [row.tx, row.positions, events.map((e) => e.recordedAt)],
          );
        } catch (error) {
          throwRefusal(asSqlError(error), append.streamId, append.expected);
          throw error;
        }
      }
    });
    this.appended.notify();
  }

  /** How many visible events follow `after` (of `types`), counted in the database, at most `limit`. */
  async count(options: Pick<ReadAllOptions, 'after' | 'types'> & { limit?: number }): Promise<number> {
    const checked = checkReadAllOptions({ after: options.after, types: options.types });
    const params: unknown[] = [checked.after.transactionId.toString(), checked.after.sequence.toString(), options.limit ?? null];
    let filters = '';
    if (checked.types !== undefined) {
      params.push(checked.types);
      filters += ` AND type = ANY ($${params.length}::text[])`;
    }
    const [row] = await this.sql.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM (
         SELECT 1 FROM pl_events
          WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)${filters}
            AND transaction_id < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
          LIMIT $3
       ) AS pending`,
      params,
    );
    return Number(row.n);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    const { direction, from, to, limit } = checkReadStreamOptions(streamId, options);
    const forwards = direction === 'forwards';
    const low = forwards ? (from ?? 0) : (to ?? 0);
    const high = forwards ? (to ?? Number.MAX_SAFE_INTEGER) : (from ?? Number.MAX_SAFE_INTEGER);
    const rows = await this.sql.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM pl_events
        WHERE stream_id = $1 AND revision BETWEEN $2 AND $3
        ORDER BY pl_events.revision ${forwards ? 'ASC' : 'DESC'} LIMIT $4`,
      [streamId, low, high, limit ?? null],
    );
    return rows.map((row) => this.toStoredEvent(row));
  }

  async streamRevision(streamId: string): Promise<number | undefined> {
    checkReadStreamOptions(streamId);
    const rows = await this.sql.query<{ revision: string }>('SELECT revision::text AS revision FROM pl_streams WHERE stream_id = $1', [
      streamId,
    ]);
    return rows.length === 0 ? undefined : Number(rows[0].revision);
  }

  async readAll(options?: ReadAllOptions): Promise<ReadAllPage> {
    const checked = checkReadAllOptions(options);
    const params: unknown[] = [checked.after.transactionId.toString(), checked.after.sequence.toString(), checked.limit];
    let filters = '';
    if (checked.projectId !== undefined) {
      params.push(checked.projectId);
      filters += ` AND project_id = $${params.length}`;
    }
    if (checked.types !== undefined) {
      params.push(checked.types);
      filters += ` AND type = ANY ($${params.length}::text[])`;
    }
    // The page is taken in index order first and cut at the visibility horizon after: rows come in
    // transaction order, so the visible ones are a prefix of it. Put in one WHERE, the horizon makes
    // the planner sort every remaining event for each page, which is quadratic over a long log.
    const rows = await this.sql.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM (
         SELECT * FROM pl_events
          WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)${filters}
          ORDER BY transaction_id, global_position LIMIT $3
       ) AS page
       WHERE transaction_id < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
       ORDER BY transaction_id, global_position`,
      params,
    );
    const events = rows.map((row) => this.toStoredEvent(row));
    return { events, position: events.length > 0 ? events[events.length - 1].position : checked.afterPosition };
  }

  async headPosition(): Promise<Position | undefined> {
    const rows = await this.sql.query<{ tx: string; gp: string }>(
      `SELECT transaction_id::text AS tx, global_position::text AS gp FROM pl_events
        WHERE ${VISIBLE} ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    );
    return rows.length === 0 ? undefined : encodePosition(rows[0].tx, rows[0].gp);
  }

  subscribe(options?: SubscribeOptions): AsyncIterable<StoredEvent> {
    return followLog((o) => this.readAll(o), this.appended, this.pollIntervalMs, this.closing.signal, options);
  }

  async ping(): Promise<void> {
    await this.sql.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    await this.sql.close();
  }

  private toStoredEvent(row: EventRow): StoredEvent {
    const { schemaVersion, data } = this.upcast(row.type, row.schema_version, row.data);
    return {
      eventId: row.event_id,
      type: row.type,
      schemaVersion,
      data,
      metadata: row.metadata,
      streamId: row.stream_id,
      revision: Number(row.revision),
      position: encodePosition(row.tx, row.gp),
      // Formatted by the database as toISOString would, which is cheaper than parsing a Date per row.
      recordedAt: row.recorded_at instanceof Date ? row.recorded_at.toISOString() : row.recorded_at,
    };
  }
}

/**
 * How many events follow `after` (of `types`), at most `limit`: counted in the database on
 * PostgreSQL and PGlite, by reading pages elsewhere. For progress bars and lag, not for paging.
 */
export async function countEvents(
  store: EventStore,
  options: Pick<ReadAllOptions, 'after' | 'types'> & { limit?: number },
): Promise<number> {
  if (store instanceof SqlEventStore) return store.count(options);
  let count = 0;
  const cap = options.limit ?? Number.POSITIVE_INFINITY;
  for (let after = options.after, page; count < cap; after = page.position) {
    page = await store.readAll({ after, types: options.types, limit: 5000 });
    count += page.events.length;
    if (page.events.length < 5000) break;
  }
  return Math.min(count, cap);
}

/** pl_append's refusals as the port's errors: a stream at another revision, an event id stored on another stream. */
function throwRefusal(sqlError: ReturnType<typeof asSqlError>, streamId: string, expected: ExpectedRevision): void {
  if (sqlError?.code === 'PLW01') {
    const actual = Number(sqlError.detail);
    throw new WrongExpectedVersion(streamId, expected, actual < 0 ? 'no_stream' : actual);
  }
  if (sqlError?.code === 'PLD01') throw new DuplicateEventId(streamId, sqlError.message);
}

/** A refused condition (PLC01) as WrongExpectedVersion naming the other stream and the revision asked for. */
function throwConditionRefusal(sqlError: SqlError | undefined, conditions: readonly AppendCondition[]): void {
  if (sqlError?.code !== 'PLC01') return;
  const { streamId, actual } = JSON.parse(sqlError.detail ?? '{}') as { streamId: string; actual: number };
  const condition = conditions.find((c) => c.streamId === streamId);
  throw new WrongExpectedVersion(streamId, condition?.revision ?? 'any', actual < 0 ? 'no_stream' : actual);
}

/**
 * Failures a new transaction can get past: our inversion guard or a deadlock, and a unique
 * violation on event_id, meaning a concurrent attempt with the same ids committed first (the next
 * attempt finds it and answers as a clean retry).
 */
function isRetryable(sqlError: SqlError | undefined): boolean {
  if (sqlError?.code === '23505' && sqlError.constraint === 'pl_events_event_id_key') return true;
  return RETRYABLE.has(sqlError?.code ?? '');
}

/** One append of a restore: consecutive events of one stream, each with when it was first recorded. */
export interface RestoredAppend {
  streamId: string;
  events: (NewEvent & { recordedAt: string })[];
  expected: number | 'no_stream';
}

/** The restore path of a PostgreSQL, PGlite or KurrentDB store (see SqlEventStore.restore); undefined for the in-memory adapter. */
export function restorerOf(store: unknown): SqlEventStore['restore'] | undefined {
  if (store instanceof SqlEventStore) return store.restore.bind(store);
  // The KurrentDB adapter restores too, keeping recorded times in each event's metadata.
  const restore = (store as { restore?: unknown } | null)?.restore;
  return typeof restore === 'function' ? (restore.bind(store) as SqlEventStore['restore']) : undefined;
}

/** The SQL database behind a PostgreSQL or PGlite store, for read models kept beside the events; undefined for other adapters. */
export function sqlClientOf(store: unknown): SqlClient | undefined {
  return store instanceof SqlEventStore ? store.sql : undefined;
}
