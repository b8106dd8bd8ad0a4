import { Client } from 'pg';

/** PostgreSQL for integration tests; the unix socket always uses trust auth on our machines. */
export function postgresTestUrl(): string {
  return process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@/test?host=/var/run/postgresql';
}

/** Fails loudly, with the command that fixes it, when PostgreSQL is not there. */
export async function requirePostgres(url = postgresTestUrl()): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL is required by this test and is not reachable at ${url} (${(error as Error).message}). ` +
        `Start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start, or set TEST_DATABASE_URL.`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
