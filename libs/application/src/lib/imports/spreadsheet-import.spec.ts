import { sampleCharter } from '@planledger/contracts/testing';
import { InMemoryEventStore } from '@planledger/event-store';
import { encodeText } from '@planledger/spreadsheets';
import ExcelJS from 'exceljs';
import { Planning, type RequestMetadata } from '../planning';
import { SpreadsheetImports } from './spreadsheet-import';

const now = new Date('2026-11-20T09:30:00.000Z');
const meta: RequestMetadata = { actor: 'user:li.na', now: now.toISOString(), correlationId: 'req-1' };

async function workbook(sheets: Record<string, unknown[][]>): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const sheet = book.addWorksheet(name);
    for (const row of rows) sheet.addRow(row);
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

const members = [
  ['Member ID', 'Name', 'Role', 'Responsibilities', 'Skills', 'Weekly capacity (h)', 'Reports to'],
  ['li-na', 'Li Na', 'manager', 'East region', 'negotiation:4', 40, null],
  ['wang-fang', '王芳', 'sales representative', 'Key accounts; renewals', 'CRM:3; negotiation:2', '37.5', 'Li Na'],
];
const goals = [
  [
    'Goal ID',
    'Title',
    'KPI',
    'Unit',
    'Direction',
    'Aggregation',
    'Target',
    'Baseline',
    'Start date',
    'Deadline',
    'Phasing',
    'Phasing weights',
    'Owner',
    'Parent goal',
  ],
  [
    'east',
    'East revenue',
    'Revenue',
    'CNY',
    'higher_is_better',
    'cumulative',
    '300万',
    0,
    '2026-10-01',
    '2026-12-31',
    'monthly',
    '30%; 30%; 40%',
    'team',
    null,
  ],
  [
    null,
    'Wang Fang revenue',
    'Revenue',
    'CNY',
    '越高越好',
    '累计',
    '1,000,000',
    0,
    '2026/10/1',
    '31.12.2026',
    '线性',
    null,
    '王芳',
    'east',
  ],
];
const tasks = [
  ['Title', 'Owner', 'Due date', 'Estimate (h)', 'Goal'],
  ['Visit the top 20 accounts', 'wang-fang', new Date(Date.UTC(2026, 11, 15)), 30, 'Wang Fang revenue'],
];
const actuals = [
  ['Goal', 'Owner', 'Date', 'Value', 'Reference', 'Note'],
  ['Wang Fang revenue', '王芳', '2026-10-15', '58,000', 'CRM-1', 'Acme'],
  ['Wang Fang revenue', null, 46320, '1.2万', 'CRM-2', null],
];

describe('importing a workbook into a project', () => {
  let store: InMemoryEventStore;
  let imports: SpreadsheetImports;
  const count = async () => (await store.readAll({ limit: 10_000 })).events.length;

  beforeEach(async () => {
    store = new InMemoryEventStore();
    imports = new SpreadsheetImports(store);
    await new Planning(store).openProject('p1', sampleCharter, meta);
  });

  it('checks every row in a dry run and writes nothing', async () => {
    const bytes = await workbook({ Members: members, Goals: goals, Tasks: tasks, Actuals: actuals });
    const before = await count();
    const report = await imports.run({ projectId: 'p1', fileName: 'q4.xlsx', source: bytes, actor: 'user:li.na', now: () => now });
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, dryRun: true, committed: false, eventsWritten: 0 });
    expect(report.sheets.map((s) => [s.kind, s.rows, s.written])).toEqual([
      ['members', 2, 2],
      ['goals', 2, 2],
      ['tasks', 1, 1],
      ['actuals', 2, 2],
    ]);
    expect(await count()).toBe(before);
  });

  it('imports members, goals, tasks and actuals with one correlation id, and a second import writes nothing', async () => {
    const bytes = await workbook({ 成员: members, 目标: goals, 任务: tasks, 实绩: actuals });
    const report = await imports.run({
      projectId: 'p1',
      fileName: 'q4.xlsx',
      source: bytes,
      actor: 'user:li.na',
      dryRun: false,
      now: () => now,
    });
    expect(report).toMatchObject({ ok: true, committed: true, eventsWritten: 7 });
    const planning = new Planning(store);
    const team = await planning.team('p1');
    expect(team.members.map((m) => [m.memberId, m.name, m.reportsTo])).toEqual([
      ['li-na', 'Li Na', undefined],
      ['wang-fang', '王芳', 'li-na'],
    ]);
    const projectGoals = await planning.projectGoals('p1');
    const child = projectGoals.find((g) => g.title === 'Wang Fang revenue');
    expect(child).toMatchObject({
      target: 1_000_000,
      parentGoalId: 'east',
      owner: { kind: 'member', memberId: 'wang-fang' },
      deadline: '2026-12-31',
    });
    const goal = await planning.goal(child?.goalId ?? '');
    expect([...goal.state.actuals.values()].map((a) => [a.businessDate, a.value, a.externalRef])).toEqual([
      ['2026-10-15', 58_000, 'CRM-1'],
      ['2026-10-25', 12_000, 'CRM-2'],
    ]);
    const events = (await store.readAll({ limit: 100, projectId: 'p1' })).events.filter((e) => e.type !== 'ProjectOpened');
    expect(new Set(events.map((e) => e.metadata.correlationId))).toEqual(new Set([report.importId]));
    expect(report.importId).toMatch(/^import:q4\.xlsx:[0-9a-f]{12}$/);

    const before = await count();
    const again = await imports.run({
      projectId: 'p1',
      fileName: 'q4.xlsx',
      source: bytes,
      actor: 'user:li.na',
      dryRun: false,
      now: () => now,
    });
    expect(again).toMatchObject({ ok: true, eventsWritten: 0 });
    expect(again.sheets.map((s) => s.alreadyPresent)).toEqual([2, 2, 1, 2]);
    expect(again.problems).toEqual([]);
    expect(await count()).toBe(before);

    const retargeted = await workbook({ Goals: [goals[0], goals[1].map((cell, i) => (i === 6 ? '400万' : cell))] });
    const changed = await imports.run({
      projectId: 'p1',
      fileName: 'q4b.xlsx',
      source: retargeted,
      actor: 'user:li.na',
      dryRun: false,
      now: () => now,
    });
    expect(changed).toMatchObject({ ok: true, eventsWritten: 0 });
    expect(changed.problems).toEqual([
      expect.objectContaining({ row: 2, column: 'G (Target)', code: 'GOAL_DIFFERS', severity: 'warning' }),
    ]);
  });

  it('names each problem with sheet, row and column, and writes nothing when one row is wrong', async () => {
    const bytes = await workbook({
      Members: [...members, ['x', 'Xu', 'analyst', null, 'sql', 20, null]],
      Goals: [
        ...goals,
        [
          'bad-phasing',
          'Bad phasing',
          'Revenue',
          'CNY',
          null,
          null,
          100,
          0,
          '2026-10-01',
          '2026-12-31',
          'monthly',
          '50%; 30%; 10%',
          'team',
          null,
        ],
      ],
      Tasks: [...tasks, ['Call back', 'Zhao Lei', '2026-12-01', 2, null]],
      Actuals: [
        ...actuals,
        ['Wang Fang revenue', null, '2026-13-45', 1, 'CRM-3', null],
        ['Wang Fang revenue', null, '2026-10-16', 1, 'CRM-1', null],
        ['East revenue', 'Zhao Lei', '2026-10-16', 'lots', 'CRM-9', null],
        ['Wang Fang revenue', 'Zhao Lei', '2026-10-17', 5, 'CRM-10', null],
      ],
    });
    const before = await count();
    const report = await imports.run({
      projectId: 'p1',
      fileName: 'q4.xlsx',
      source: bytes,
      actor: 'user:li.na',
      dryRun: false,
      now: () => now,
    });
    expect(report).toMatchObject({ ok: false, committed: false, eventsWritten: 0 });
    const found = report.problems.map((p) => [p.sheet, p.row, p.column, p.code]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['Members', 4, 'E (Skills)', 'BAD_SKILL'],
        ['Goals', 4, 'L (Phasing weights)', 'PHASING_WEIGHTS_SUM'],
        ['Tasks', 3, 'B (Owner)', 'UNKNOWN_MEMBER'],
        ['Actuals', 4, 'C (Date)', 'BAD_DATE'],
        ['Actuals', 5, 'E (Reference)', 'DUPLICATE_REFERENCE'],
        ['Actuals', 6, 'D (Value)', 'BAD_NUMBER'],
      ]),
    );
    expect(await count()).toBe(before);
  });

  it('reads a GB18030 CSV of actuals with Chinese headers', async () => {
    await imports.run({
      projectId: 'p1',
      fileName: 'q4.xlsx',
      source: await workbook({ Members: members, Goals: goals }),
      actor: 'user:li.na',
      dryRun: false,
      now: () => now,
    });
    const csv = encodeText(
      '目标,负责人,业务日期,数值,外部编号,备注\r\nWang Fang revenue,王芳,2026/10/20,1.5万,单-1,华东客户\r\n',
      'gb18030',
    );
    const report = await imports.run({
      projectId: 'p1',
      fileName: '实绩.csv',
      source: csv,
      actor: 'user:li.na',
      dryRun: false,
      now: () => now,
    });
    expect(report).toMatchObject({ ok: true, format: 'csv', encoding: 'gb18030', eventsWritten: 1 });
    const goal = (await new Planning(store).projectGoals('p1')).find((g) => g.title === 'Wang Fang revenue');
    const actual = [...(await new Planning(store).goal(goal?.goalId ?? '')).state.actuals.values()][0];
    expect(actual).toMatchObject({ value: 15_000, businessDate: '2026-10-20', externalRef: '单-1', source: '实绩.csv: 华东客户' });
  });
});
