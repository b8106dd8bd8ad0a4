import { MIGRATIONS, type Migration } from './migrations';
import type { SqlClient } from './sql-client';

// Arbitrary constant: serializes concurrent start-ups that would otherwise race to migrate.
const MIGRATION_LOCK_KEY = 0x706c6564; // "pled"

/** Applies pending migrations in order, each in its own transaction, under an advisory lock. */
export async function migrate(sql: SqlClient, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return sql.withConnection(async (conn) => {
    // A migration over a large log may run long, and waiting for another process's lock too: no
    // statement timeout on this connection (RESET below gives it back its configured one).
    await conn.exec('SET statement_timeout = 0');
    await conn.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await conn.exec(`CREATE TABLE IF NOT EXISTS pl_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const rows = await conn.query<{ version: number }>('SELECT version FROM pl_migrations');
      const applied = new Set(rows.map((r) => Number(r.version)));
      const done: number[] = [];
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        await conn.exec('BEGIN');
        try {
          await conn.exec(migration.sql);
          await conn.query('INSERT INTO pl_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
          await conn.exec('COMMIT');
        } catch (error) {
          await conn.exec('ROLLBACK');
          throw new Error(`Migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`);
        }
        done.push(migration.version);
      }
      return done;
    } finally {
      await conn.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      await conn.exec('RESET statement_timeout');
    }
  });
}
