import { Client } from 'pg';

/** The role benchmarks create their databases with; BENCH_DATABASE_URL overrides it. */
export const BENCH_ADMIN_URL = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Drops and recreates database `name` and returns its URL. Waits first for the backends of pools
 * closed just before to exit: dropping under them kills connections a pool still counts as idle,
 * and the pool's next error crashes the process.
 */
export async function freshDatabase(name: string, adminUrl = BENCH_ADMIN_URL): Promise<string> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (let waited = 0; waited < 5000; waited += 50) {
      const { rows } = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
      if (rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
