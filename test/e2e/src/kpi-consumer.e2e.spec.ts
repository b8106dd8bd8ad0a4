import { sampleCharter, sampleRevenueGoal } from '@planledger/contracts/testing';
import { CommandClient } from '@planledger/sdk';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecuredApi } from './support/secured-api';
import { ServiceProcess } from './support/service-process';
import { tokenFor } from './support/tokens';

jest.setTimeout(180_000);

/**
 * The example consumer keeps a daily KPI table from the feed. Killed with SIGKILL at random points
 * while writers record and correct actuals, then restarted, it must end with every day's total
 * exactly as recorded: nothing missed, nothing counted twice.
 */
describe('the example KPI consumer', () => {
  let api: SecuredApi;
  let dir: string;

  beforeAll(async () => {
    api = await SecuredApi.start();
    dir = await mkdtemp(join(tmpdir(), 'planledger-kpi-'));
  });

  afterAll(async () => {
    await api?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ends with every daily total exact after SIGKILLs during concurrent writes', async () => {
    const token = await tokenFor('admin');
    const commands = new CommandClient({ baseUrl: api.base, authorization: `Bearer ${token}` });
    const projectId = (await commands.openProject(sampleCharter)).id;
    const goals = [(await commands.setGoal(projectId, sampleRevenueGoal)).id, (await commands.setGoal(projectId, sampleRevenueGoal)).id];

    const expected = new Map<string, number>();
    const add = (date: string, goalId: string, value: number) =>
      expected.set(`${date},${goalId}`, (expected.get(`${date},${goalId}`) ?? 0) + value);
    let writing = true;
    const writers = Promise.all(
      goals.map(async (goalId, w) => {
        for (let i = 0; i < 400; i++) {
          await new Promise((r) => setTimeout(r, 4));
          const date = `2026-11-${String(1 + (i % 5)).padStart(2, '0')}`;
          await commands.recordActual(goalId, {
            actualId: `a${i}`,
            value: i + 1,
            businessDate: date,
            source: 'CRM',
            externalRef: `w${w}-${i}`,
          });
          add(date, goalId, i + 1);
          if (i % 25 === 24) {
            // A correction: the day's total moves by the difference.
            const response = await fetch(`${api.base}/goals/${goalId}/actuals/a${i}/corrections`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
              body: JSON.stringify({ value: 1000, reason: 'Invoice corrected' }),
            });
            expect(response.status).toBe(200);
            add(date, goalId, 1000 - (i + 1));
          }
        }
      }),
    ).finally(() => (writing = false));

    const start = () =>
      ServiceProcess.start('kpi-consumer', { PLANLEDGER_URL: api.base, PLANLEDGER_TOKEN: token, KPI_DIR: join(dir, 'kpi') }, dir);
    let seed = 11;
    const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    let killedWhileWriting = 0;
    for (let kill = 0; kill < 5; kill++) {
      const consumer = start();
      await consumer.waitFor(/following/);
      await new Promise((r) => setTimeout(r, 150 + Math.floor(random() * 600)));
      if (writing) killedWhileWriting++;
      expect(await consumer.stop('SIGKILL')).toMatchObject({ signal: 'SIGKILL' });
    }
    // Most kills land while the writers are still at it, so the consumer dies mid-stream.
    expect(killedWhileWriting).toBeGreaterThanOrEqual(3);
    await writers;
    expect(writing).toBe(false);

    const last = start();
    const table = async () => {
      const text = await readFile(join(dir, 'kpi', 'daily-kpi.csv'), 'utf8').catch(() => '');
      return new Map(
        text
          .trim()
          .split('\n')
          .slice(1)
          .filter(Boolean)
          .map((line) => {
            const [date, goalId, total] = line.split(',');
            return [`${date},${goalId}`, Number(total)] as const;
          }),
      );
    };
    for (let waited = 0; JSON.stringify([...(await table())].sort()) !== JSON.stringify([...expected].sort()); waited += 100) {
      if (waited > 30_000) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect([...(await table())].sort()).toEqual([...expected].sort());
    expect(await last.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(last.output).toContain('kpi-consumer: stopped');
  });
});
