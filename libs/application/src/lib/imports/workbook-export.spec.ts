import { sampleCharter } from '@planledger/contracts/testing';
import { InMemoryEventStore } from '@planledger/event-store';
import { InMemoryReadModelStore, ProjectionRunner } from '@planledger/projections';
import ExcelJS from 'exceljs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Planning, type RequestMetadata } from '../planning';
import { goalProgressProjection, Progress, todayIn } from '../progress';
import { WorkbookExport, ExportMomentInFuture } from './workbook-export';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const today = Date.parse(`${iso(Date.now())}T00:00:00Z`);
const meta = (): RequestMetadata => ({ actor: 'user:li.na', now: new Date().toISOString(), correlationId: 'req' });

async function goalsSheet(bytes: Buffer) {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as unknown as ArrayBuffer);
  const sheet = book.worksheets[0];
  const headers = (sheet.getRow(1).values as unknown[]).map(String);
  const rows: Record<string, unknown>[] = [];
  sheet.eachRow((row, n) => {
    if (n > 1) rows.push(Object.fromEntries(headers.map((h, i) => [h, row.getCell(i).value ?? null]).filter(([h]) => h !== 'undefined')));
  });
  return { name: sheet.name, rows };
}

describe('the project workbook', () => {
  it('holds the progress view’s figures now, and as of a past moment those the view gave then', async () => {
    const store = new InMemoryEventStore();
    const planning = new Planning(store);
    const models = new InMemoryReadModelStore();
    const progress = new Progress(models, store);
    const runner = new ProjectionRunner(store, models, goalProgressProjection);
    const charter = { ...sampleCharter, periodStart: iso(today - 30 * DAY), periodEnd: iso(today + 30 * DAY), description: '' };
    await planning.openProject('p1', charter, meta());
    await planning.setGoal(
      'p1',
      'g1',
      {
        title: '华东区销售额',
        kpi: { name: 'Revenue', unit: 'CNY', direction: 'higher_is_better', aggregation: 'cumulative' },
        target: 1_000_000,
        baseline: 0,
        startDate: charter.periodStart,
        deadline: charter.periodEnd,
        phasing: { kind: 'linear' },
        owner: { kind: 'team' },
        tolerance: 0.1,
      },
      meta(),
    );
    const actual = (id: string, value: number, daysAgo: number) => ({
      actualId: id,
      value,
      businessDate: iso(today - daysAgo * DAY),
      source: 'CRM',
    });
    await planning.changeGoal(
      'g1',
      { type: 'RecordActuals', data: { actuals: [actual('a1', 200_000, 10), actual('a2', 50_000, 5)] } },
      meta(),
    );
    await runner.catchUp();
    const date = todayIn(charter.timeZone);
    const before = (await progress.project('p1', date)).goals;
    await sleep(5);
    const moment = new Date().toISOString();
    await sleep(5);
    await planning.changeGoal('g1', { type: 'AdjustGoalTarget', data: { target: 2_000_000, reason: 'a bigger quarter' } }, meta());
    await planning.changeGoal('g1', { type: 'RecordActual', data: actual('a3', 300_000, 1) }, meta());
    await runner.catchUp();
    const after = (await progress.project('p1', date)).goals;

    const exports = new WorkbookExport(store, planning, progress);
    const figures = (g: (typeof after)[number]) => ({
      'Goal ID': g.goalId,
      Target: g.target,
      'Actual to date': g.actualToDate,
      Attainment: g.attainment,
      'Expected to date': g.expectedToDate,
      Forecast: g.forecast,
      Status: g.status,
    });
    const pick = (row: Record<string, unknown>) =>
      Object.fromEntries(
        ['Goal ID', 'Target', 'Actual to date', 'Attainment', 'Expected to date', 'Forecast', 'Status'].map((k) => [k, row[k]]),
      );

    const now = await goalsSheet((await exports.build('p1', { lang: 'en' })).bytes);
    expect(now.rows.map(pick)).toEqual(after.map(figures));
    expect(now.rows[0]['Target']).toBe(2_000_000);

    const past = await exports.build('p1', { asOf: moment, lang: 'zh-CN' });
    const sheet = await goalsSheet(past.bytes);
    expect(sheet.name).toBe('目标');
    expect(past.goals.map(figures)).toEqual(before.map(figures));
    expect(sheet.rows[0]).toMatchObject({ 目标编号: 'g1', 名称: '华东区销售额', 目标值: 1_000_000, 累计完成: 250_000 });

    await expect(exports.build('p1', { asOf: new Date(Date.now() + DAY).toISOString(), lang: 'en' })).rejects.toThrow(ExportMomentInFuture);
  });
});
