import { migrate, type JsonObject, type Migration, type Position, type SqlClient, type StoredEvent } from '@planledger/event-store';
import type { BatchTransaction, DeadLetter, ReadModelStore } from './read-model-store';

/** The read side's tables, beside the events; versions from 1001 so they never meet the store's own. */
export const READ_MODEL_MIGRATIONS: readonly Migration[] = [
  {
    version: 1001,
    name: 'read models, checkpoints and dead letters',
    sql: /* sql */ `
CREATE TABLE pl_projection_checkpoints (
  projection text PRIMARY KEY,
  position   text,
  applied    bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE pl_read_models (
  projection text NOT NULL,
  key        text NOT NULL,
  doc        jsonb NOT NULL,
  PRIMARY KEY (projection, key)
);
CREATE TABLE pl_dead_letters (
  projection  text NOT NULL,
  event_id    uuid NOT NULL,
  position    text NOT NULL,
  type        text NOT NULL,
  error       text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (projection, event_id)
);
`,
  },
];

/** Read models in PostgreSQL or PGlite, in the database that holds the events. */
export class SqlReadModelStore implements ReadModelStore {
  private constructor(private readonly sql: SqlClient) {}

  static async open(sql: SqlClient): Promise<SqlReadModelStore> {
    await migrate(sql, READ_MODEL_MIGRATIONS);
    return new SqlReadModelStore(sql);
  }

  batch<T>(projection: string, fn: (tx: BatchTransaction) => Promise<T>): Promise<T> {
    return this.sql.transaction((tx) =>
      fn({
        lockCheckpoint: async () => {
          // One runner at a time per projection; the others skip the batch instead of queueing.
          const [lock] = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok', [projection]);
          if (!lock.ok) return 'busy';
          await tx.query('INSERT INTO pl_projection_checkpoints (projection) VALUES ($1) ON CONFLICT DO NOTHING', [projection]);
          const [row] = await tx.query<{ position: string | null }>(
            'SELECT position FROM pl_projection_checkpoints WHERE projection = $1 FOR UPDATE',
            [projection],
          );
          return { position: row.position ?? undefined };
        },
        docs: async (keys) => {
          const rows = await tx.query<{ key: string; doc: JsonObject }>(
            'SELECT key, doc FROM pl_read_models WHERE projection = $1 AND key = ANY ($2::text[])',
            [projection, keys],
          );
          return new Map(rows.map((r) => [r.key, r.doc]));
        },
        commit: async (changes, position, applied) => {
          const puts = [...changes].filter((c): c is [string, JsonObject] => c[1] !== undefined);
          const deletes = [...changes].filter(([, doc]) => doc === undefined).map(([key]) => key);
          if (puts.length > 0) {
            await tx.query(
              `INSERT INTO pl_read_models (projection, key, doc)
               SELECT $1, d.key, d.doc FROM jsonb_to_recordset($2::jsonb) AS d (key text, doc jsonb)
               ON CONFLICT (projection, key) DO UPDATE SET doc = EXCLUDED.doc`,
              [projection, JSON.stringify(puts.map(([key, doc]) => ({ key, doc })))],
            );
          }
          if (deletes.length > 0)
            await tx.query('DELETE FROM pl_read_models WHERE projection = $1 AND key = ANY ($2::text[])', [projection, deletes]);
          await tx.query(
            'UPDATE pl_projection_checkpoints SET position = $2, applied = applied + $3, updated_at = now() WHERE projection = $1',
            [projection, position, applied],
          );
        },
        deadLetter: async (event: StoredEvent, error: string) => {
          await tx.query(
            'INSERT INTO pl_dead_letters (projection, event_id, position, type, error) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
            [projection, event.eventId, event.position, event.type, error.slice(0, 2000)],
          );
        },
      }),
    );
  }

  async get(projection: string, key: string): Promise<JsonObject | undefined> {
    const [row] = await this.sql.query<{ doc: JsonObject }>('SELECT doc FROM pl_read_models WHERE projection = $1 AND key = $2', [
      projection,
      key,
    ]);
    return row?.doc;
  }

  async all(projection: string): Promise<Map<string, JsonObject>> {
    const rows = await this.sql.query<{ key: string; doc: JsonObject }>('SELECT key, doc FROM pl_read_models WHERE projection = $1', [
      projection,
    ]);
    return new Map(rows.map((r) => [r.key, r.doc]));
  }

  async find(projection: string, field: string, value: string): Promise<Map<string, JsonObject>> {
    const rows = await this.sql.query<{ key: string; doc: JsonObject }>(
      'SELECT key, doc FROM pl_read_models WHERE projection = $1 AND doc ->> $2 = $3',
      [projection, field, value],
    );
    return new Map(rows.map((r) => [r.key, r.doc]));
  }

  async checkpoint(projection: string): Promise<{ position: Position | undefined; applied: number }> {
    const [row] = await this.sql.query<{ position: string | null; applied: string }>(
      'SELECT position, applied::text AS applied FROM pl_projection_checkpoints WHERE projection = $1',
      [projection],
    );
    return { position: row?.position ?? undefined, applied: Number(row?.applied ?? 0) };
  }

  async reset(projection: string): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [projection]);
      await tx.query('DELETE FROM pl_read_models WHERE projection = $1', [projection]);
      await tx.query('DELETE FROM pl_dead_letters WHERE projection = $1', [projection]);
      await tx.query('DELETE FROM pl_projection_checkpoints WHERE projection = $1', [projection]);
    });
  }

  promote(source: string, target: string): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      // Both runners' locks, in a fixed order: a batch in flight on either finishes first, and
      // neither applies one until this commits.
      for (const id of [source, target].sort()) await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [id]);
      const [exists] = await tx.query<{ n: number }>('SELECT 1 AS n FROM pl_projection_checkpoints WHERE projection = $1', [source]);
      if (!exists) return false;
      await tx.query('DELETE FROM pl_read_models WHERE projection = $1', [target]);
      await tx.query('UPDATE pl_read_models SET projection = $2 WHERE projection = $1', [source, target]);
      await tx.query('DELETE FROM pl_dead_letters WHERE projection = $1', [target]);
      await tx.query('UPDATE pl_dead_letters SET projection = $2 WHERE projection = $1', [source, target]);
      await tx.query('DELETE FROM pl_projection_checkpoints WHERE projection = $1', [target]);
      await tx.query('UPDATE pl_projection_checkpoints SET projection = $2, updated_at = now() WHERE projection = $1', [source, target]);
      return true;
    });
  }

  async deadLetters(projection: string): Promise<DeadLetter[]> {
    const rows = await this.sql.query<{ event_id: string; position: string; type: string; error: string }>(
      'SELECT event_id::text AS event_id, position, type, error FROM pl_dead_letters WHERE projection = $1 ORDER BY recorded_at, position',
      [projection],
    );
    return rows.map((r) => ({ eventId: r.event_id, position: r.position, type: r.type, error: r.error }));
  }
}
