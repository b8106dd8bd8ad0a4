import { PROJECTIONS, syntheticLogSize, writeSyntheticLog, type SyntheticLogShape } from '@planledger/application';
import { createPostgresEventStore, sqlClientOf, type EventStore } from '@planledger/event-store';
import { countProjectionEvents, ProjectionRunner, projectionId, SqlReadModelStore } from '@planledger/projections';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { postgresUrl } from './support/secured-api';
import { ServiceProcess } from './support/service-process';

jest.setTimeout(300_000);

/**
 * The worker killed with SIGKILL ten times while it replays a long log: every batch it had in
 * flight is lost with its transaction, and what it committed stays. Once it is let finish, every
 * read model must equal a clean rebuild of the same log.
 */
describe('the worker killed during a long replay', () => {
  const schema = `pl_replay_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const url = `${postgresUrl}${postgresUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  let admin: Client;
  let store: EventStore;
  let dir: string;
  const shape: SyntheticLogShape = { projects: 6, goalsPerProject: 10, tasksPerProject: 60, actualsPerGoal: 2000 };

  beforeAll(async () => {
    admin = new Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    store = await createPostgresEventStore({ connectionString: postgresUrl, poolSize: 4, pool: { options: `-c search_path=${schema}` } });
    expect(await writeSyntheticLog(store, shape)).toBe(syntheticLogSize(shape));
    await admin.query(`ANALYZE ${schema}.pl_events`);
    dir = await mkdtemp(join(tmpdir(), 'planledger-replay-'));
  });

  afterAll(async () => {
    await store?.close();
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.end();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const applied = async (): Promise<number> => {
    const { rows } = await admin
      .query<{ n: string }>(`SELECT coalesce(sum(applied), 0)::text AS n FROM ${schema}.pl_projection_checkpoints`)
      .catch(() => ({ rows: [{ n: '0' }] }));
    return Number(rows[0].n);
  };
  // Projections only: drift checks would append to the log while the test counts it.
  const worker = () => ServiceProcess.start('worker', { EVENT_STORE_URL: url, LOG_LEVEL: 'warn', ALERTS_ENABLED: 'false' }, dir);

  it('leaves read models identical to a clean rebuild after ten SIGKILLs mid-batch', async () => {
    // Events some projection reads: the log less the project and team events none of them reads.
    let total = 0;
    for (const projection of PROJECTIONS) total += await countProjectionEvents(store, projection);
    expect(total).toBeGreaterThan(100_000);
    const seen: number[] = [];
    for (let kill = 0; kill < 10; kill++) {
      const process = worker();
      const before = await applied();
      // Kill only once this life has committed a batch, so it is busy applying the next one.
      for (let waited = 0; (await applied()) === before; waited += 10) {
        if (waited > 60_000) throw new Error(`the worker applied nothing in 60 s:\n${process.output}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 120)));
      expect(await process.stop('SIGKILL')).toMatchObject({ signal: 'SIGKILL' });
      seen.push(await applied());
    }
    // Each life moved the checkpoint on, and the replay was still under way at the tenth kill.
    expect(seen.every((n, i) => i === 0 || n > seen[i - 1])).toBe(true);
    expect(seen[9]).toBeLessThan(total);

    const last = worker();
    for (let waited = 0; (await applied()) < total; waited += 50) {
      if (waited > 120_000) throw new Error(`the worker did not finish the replay: ${await applied()} of ${total}\n${last.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await last.stop();

    // A clean rebuild of every projection beside the live ones, in this process, from the same log.
    const sql = sqlClientOf(store);
    if (!sql) throw new Error('PostgreSQL store without SQL');
    const models = await SqlReadModelStore.open(sql);
    for (const projection of PROJECTIONS) {
      const live = projectionId(projection);
      const clean = `${live}~clean`;
      await new ProjectionRunner(store, models, projection, { id: clean, batchSize: 5000 }).catchUp();
      const [liveDocs, cleanDocs] = await Promise.all([models.all(live), models.all(clean)]);
      if ((await countProjectionEvents(store, projection)) > 0) expect(liveDocs.size).toBeGreaterThan(0);
      expect(liveDocs).toEqual(cleanDocs);
      expect((await models.checkpoint(live)).applied).toBe((await models.checkpoint(clean)).applied);
      expect(await models.deadLetters(live)).toEqual([]);
    }
  });
});
