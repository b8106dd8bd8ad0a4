import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './e2e-support';

const run = promisify(execFile);

/** The machine's PostgreSQL binaries: FAULTS_PG_BIN, or the newest Debian install (15 here). */
function binaries(): string {
  if (process.env['FAULTS_PG_BIN']) return process.env['FAULTS_PG_BIN'];
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest)
    throw new Error(
      `the fault suite needs PostgreSQL's server binaries (initdb, pg_ctl) under ${root}: apt-get install -y postgresql, or set FAULTS_PG_BIN`,
    );
  return join(root, newest, 'bin');
}

/**
 * Settings for speed that keep every commit the experiments can observe. The experiments kill
 * PostgreSQL, never the machine: what PostgreSQL has written survives in the kernel's page cache,
 * so skipping the flush to disk (fsync, full-page writes) loses nothing a process crash could.
 * `synchronous_commit` stays on: with it off, a commit is acknowledged before its WAL leaves
 * PostgreSQL's own memory, and an immediate stop would lose acknowledged commands, the very thing
 * the crash experiment checks.
 */
const SETTINGS = [
  'listen_addresses=127.0.0.1',
  "unix_socket_directories=''",
  'fsync=off',
  'full_page_writes=off',
  'synchronous_commit=on',
  'wal_level=minimal',
  'max_wal_senders=0',
  'max_connections=100',
  'shared_buffers=32MB',
  'checkpoint_timeout=30min',
  'log_min_messages=warning',
  // For a check by hand that the suite notices lost commits: FAULTS_PG_SETTINGS='synchronous_commit=off'.
  ...(process.env['FAULTS_PG_SETTINGS']?.split(/\s+/).filter(Boolean) ?? []),
];

/**
 * A PostgreSQL cluster of the test's own, made with the machine's PostgreSQL binaries on a free
 * port, started and stopped by the test (fast or immediate), never the shared one on 5432.
 */
export class OwnPostgres {
  private running = false;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly owner: { uid: number; gid: number } | undefined,
  ) {}

  static async create(): Promise<OwnPostgres> {
    const dir = await mkdtemp(join(tmpdir(), 'planledger-faults-pg-'));
    // initdb refuses to run as root: run the server as the postgres user then.
    const owner = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
    if (owner) await chown(dir, owner.uid, owner.gid);
    const cluster = new OwnPostgres(await freePort(), dir, owner);
    await cluster.pg('initdb', ['-D', cluster.dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    await cluster.start();
    return cluster;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** A URL for one database of this cluster, through `port` (a proxy's) or straight to the server. */
  url(database: string, port = this.port): string {
    return `postgres://postgres@127.0.0.1:${port}/${database}`;
  }

  async start(): Promise<void> {
    await this.pg('pg_ctl', [
      'start',
      '-w',
      '-t',
      '120',
      '-D',
      this.dataDir,
      '-l',
      join(this.dir, 'server.log'),
      '-o',
      [`port=${this.port}`, ...SETTINGS].map((s) => `-c ${s}`).join(' '),
    ]);
    this.running = true;
  }

  /**
   * Stops the server: `fast` rolls back open transactions and checkpoints (an operator's stop);
   * `immediate` ends every process at once without a checkpoint (a crash: recovery on next start).
   */
  async stop(mode: 'fast' | 'immediate'): Promise<void> {
    await this.pg('pg_ctl', ['stop', '-w', '-t', '120', '-m', mode, '-D', this.dataDir]);
    this.running = false;
  }

  async createDatabase(name: string): Promise<void> {
    await this.query('postgres', `CREATE DATABASE ${name}`);
  }

  /** One query on its own connection, straight to the server (never through a proxy). */
  async query<T extends Record<string, unknown>>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.url(database), connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** The server's log, for a failure's message. */
  log(): Promise<string> {
    return readFile(join(this.dir, 'server.log'), 'utf8').catch(() => '');
  }

  async destroy(): Promise<void> {
    if (this.running) await this.stop('immediate').catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async pg(program: string, args: string[]): Promise<void> {
    try {
      await run(join(binaries(), program), args, { ...(this.owner ?? {}), cwd: this.dir, timeout: 180_000 });
    } catch (error) {
      const { stderr, stdout } = error as { stderr?: string; stdout?: string };
      throw new Error(`${program} ${args[0]} failed: ${(stderr || stdout || (error as Error).message).trim()}\n${await this.log()}`);
    }
  }
}

function systemUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`running as root, the test needs the "${name}" system user to run PostgreSQL (apt-get install -y postgresql)`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
