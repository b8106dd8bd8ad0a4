import { sampleCharter } from '@planledger/contracts/testing';
import { encodeText } from '@planledger/spreadsheets';
import ExcelJS from 'exceljs';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SecuredApi } from './support/secured-api';
import { freePort, ServiceProcess, workspaceRoot } from './support/service-process';
import { tokenFor } from './support/tokens';

jest.setTimeout(60_000);

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
// A project running now, so every actual's date has happened and none lies outside the period.
const today = Date.parse(`${iso(Date.now())}T00:00:00Z`);
const periodStart = iso(today - 60 * DAY);
const periodEnd = iso(today + 30 * DAY);
const charter = { ...sampleCharter, name: '华东区 Q4', periodStart, periodEnd, description: '' };

const MEMBERS: [string, string, string][] = [
  ['li-na', '李娜', '经理'],
  ['wang-fang', '王芳', '销售代表'],
  ['zhang-wei', '张伟', '销售代表'],
  ['liu-yang', '刘洋', '销售代表'],
  ['chen-jing', '陈静', '销售代表'],
];
const REPS = MEMBERS.slice(1);
const ACTUALS = 5000;

function months(): number[] {
  const [y1, m1] = periodStart.split('-').map(Number);
  const [y2, m2] = periodEnd.split('-').map(Number);
  const n = y2 * 12 + m2 - (y1 * 12 + m1) + 1;
  const share = Number((1 / n).toFixed(6));
  return [...Array.from({ length: n - 1 }, () => share), Number((1 - share * (n - 1)).toFixed(6))];
}

async function workbook(sheets: Record<string, unknown[][]>): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const sheet = book.addWorksheet(name);
    for (const row of rows) sheet.addRow(row);
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** The plan of one sales team, with Chinese sheet names and headers, and `actuals` rows of actuals. */
/** Goal ids are global: each project's plan prefixes its own. */
function planSheets(actuals: number, goalPrefix = ''): Record<'成员' | '目标' | '任务' | '实绩', unknown[][]> {
  const elapsed = Math.round((today - Date.parse(periodStart)) / DAY);
  return {
    成员: [
      ['成员编号', '姓名', '角色', '职责', '技能', '每周工时', '汇报对象'],
      ...MEMBERS.map(([id, name, role], i) => [id, name, role, '华东区；重点客户', 'negotiation:4', 40, i === 0 ? null : '李娜']),
    ],
    目标: [
      [
        '目标编号',
        '目标名称',
        '指标',
        '单位',
        '方向',
        '汇总方式',
        '目标值',
        '基线值',
        '开始日期',
        '截止日期',
        '分解方式',
        '分期权重',
        '负责人',
        '上级目标',
      ],
      [
        `${goalPrefix}east`,
        '华东区销售额',
        '销售额',
        'CNY',
        '越高越好',
        '累计',
        '600万',
        0,
        periodStart,
        periodEnd,
        '按月',
        months().join('; '),
        '团队',
        null,
      ],
      ...REPS.map(([id, name]) => [
        `${goalPrefix}${id}-rev`,
        `${name} 销售额`,
        '销售额',
        'CNY',
        '越高越好',
        '累计',
        '150万',
        0,
        periodStart,
        periodEnd,
        '线性',
        null,
        name,
        `${goalPrefix}east`,
      ]),
    ],
    任务: [
      ['任务名称', '负责人', '截止日期', '预计工时', '目标'],
      ...REPS.flatMap(([id, name]) => [
        [`${name}: 拜访重点客户`, id, new Date(today + 10 * DAY), 20, `${name} 销售额`],
        [`${name}: 更新报价`, id, new Date(today + 20 * DAY), 8, `${name} 销售额`],
      ]),
    ],
    实绩: [
      ['目标', '负责人', '业务日期', '数值', '外部编号', '备注'],
      ...Array.from({ length: actuals }, (_, i) => {
        const [, name] = REPS[i % REPS.length];
        return [`${name} 销售额`, name, iso(Date.parse(periodStart) + (i % elapsed) * DAY), 1000 + ((i * 37) % 5000), `CRM-${i}`, null];
      }),
    ],
  };
}

let api: SecuredApi;
let auth: string;
let dir: string;

beforeAll(async () => {
  api = await SecuredApi.start({ WORKER_IN_PROCESS: 'true', ALERTS_ENABLED: 'false' });
  auth = `Bearer ${await tokenFor('li.na')}`;
  // Li Na has a local account under her name: the history names her as people know her.
  const invited = await api.call(`Bearer ${await tokenFor('admin')}`, 'POST', '/invitations', { login: 'li.na', name: 'Li Na' });
  expect(invited.status).toBe(201);
  dir = await mkdtemp(join(tmpdir(), 'planledger-sheets-'));
});
afterAll(async () => {
  await api?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function openProject(name: string): Promise<string> {
  const opened = await api.call(`Bearer ${await tokenFor('admin')}`, 'POST', '/projects', { ...charter, name });
  expect(opened.status).toBe(201);
  const projectId = opened.body['id'] as string;
  const granted = await api.call(`Bearer ${await tokenFor('admin')}`, 'POST', `/projects/${projectId}/access`, {
    subject: 'user:li.na',
    role: 'manager',
  });
  expect(granted.status).toBeLessThan(300);
  return projectId;
}

async function upload(projectId: string, bytes: Buffer, fileName: string, query = '') {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), fileName);
  const response = await fetch(`${api.base}/projects/${projectId}/imports${query}`, {
    method: 'POST',
    headers: { authorization: auth },
    body: form,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

async function jobDone(location: string): Promise<Record<string, unknown>> {
  for (;;) {
    const job = await api.call(auth, 'GET', location);
    expect(job.status).toBe(200);
    if (job.body['status'] !== 'running') return job.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const countOf = async (projectId: string, type: string) =>
  Number(
    (
      await api.query<{ n: string }>(`SELECT count(*)::text AS n FROM pl_events WHERE type = $1 AND metadata->>'projectId' = $2`, [
        type,
        projectId,
      ])
    )[0].n,
  );

interface Figures {
  goalId: string;
  target: number;
  actual: number | null;
  attainment: number | null;
  expected: number;
  forecast: number | null;
  status: string;
}

async function exportedGoals(projectId: string, query = '') {
  const response = await fetch(`${api.base}/projects/${projectId}/export.xlsx${query}`, { headers: { authorization: auth } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('spreadsheetml');
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(await response.arrayBuffer());
  const sheet = book.worksheets[0];
  const headers = (sheet.getRow(1).values as unknown[]).map((v) => String(v ?? ''));
  const at = (row: ExcelJS.Row, header: string) => {
    const value = row.getCell(headers.indexOf(header)).value;
    return value === null || value === undefined ? null : value;
  };
  const goals: Figures[] = [];
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    goals.push({
      goalId: String(at(row, headers.includes('Goal ID') ? 'Goal ID' : '目标编号')),
      target: at(row, headers.includes('Target') ? 'Target' : '目标值') as number,
      actual: at(row, headers.includes('Actual to date') ? 'Actual to date' : '累计完成') as number | null,
      attainment: at(row, headers.includes('Attainment') ? 'Attainment' : '完成率') as number | null,
      expected: at(row, headers.includes('Expected to date') ? 'Expected to date' : '计划应完成') as number,
      forecast: at(row, headers.includes('Forecast') ? 'Forecast' : '预测') as number | null,
      status: String(at(row, headers.includes('Status') ? 'Status' : '状态')),
    });
  });
  const attainment = headers.includes('Attainment') ? 'Attainment' : '完成率';
  return {
    goals: goals.sort((a, b) => a.goalId.localeCompare(b.goalId)),
    sheets: book.worksheets.map((w) => w.name),
    format: { frozen: sheet.views[0]?.state, attainment: sheet.getRow(2).getCell(headers.indexOf(attainment)).numFmt },
  };
}

async function progressFigures(projectId: string, query = ''): Promise<Figures[]> {
  const answer = await api.call(auth, 'GET', `/projects/${projectId}/progress${query}`);
  expect(answer.status).toBe(200);
  return (answer.body['goals'] as Record<string, unknown>[])
    .map((g) => ({
      goalId: g['goalId'] as string,
      target: g['target'] as number,
      actual: g['actualToDate'] as number | null,
      attainment: g['attainment'] as number | null,
      expected: g['expectedToDate'] as number,
      forecast: g['forecast'] as number | null,
      status: g['status'] as string,
    }))
    .sort((a, b) => a.goalId.localeCompare(b.goalId));
}

describe('spreadsheets in and out over HTTP', () => {
  let projectId: string;
  let clean: Buffer;

  it('serves the import template with Chinese headers, an example row and drop-down lists, and the CSV template', async () => {
    const response = await fetch(`${api.base}/imports/template.xlsx?lang=zh-CN`, { headers: { authorization: auth } });
    expect(response.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await response.arrayBuffer());
    expect(book.worksheets.map((w) => w.name)).toEqual(['成员', '目标', '任务', '实绩']);
    const goals = book.getWorksheet('目标') as ExcelJS.Worksheet;
    expect(goals.getRow(1).getCell(2).value).toBe('目标名称 *');
    expect(goals.getCell('E3').dataValidation).toMatchObject({ type: 'list', formulae: ['"越高越好,越低越好"'] });
    const csv = await fetch(`${api.base}/imports/template.csv?kind=actuals`, { headers: { authorization: auth } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8').split('\r\n')[0]).toBe('Goal,Owner,Date,Value,Reference,Note');
  });

  it('checks a clean plan of members, goals, tasks and 5,000 actuals in a dry run, writing nothing, then imports it once', async () => {
    projectId = await openProject('Clean import');
    clean = await workbook(planSheets(ACTUALS));
    const before = await api.eventCount();
    const dry = await upload(projectId, clean, 'targets-Q4.xlsx');
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ ok: true, dryRun: true, committed: false, problems: [] });
    expect((dry.body['sheets'] as { written: number }[]).map((s) => s.written)).toEqual([5, 5, 8, ACTUALS]);
    expect(await api.eventCount()).toBe(before);

    const started = await upload(projectId, clean, 'targets-Q4.xlsx', '?dryRun=false');
    expect(started.status).toBe(202);
    const job = await jobDone(started.headers.get('location') as string);
    expect(job).toMatchObject({ status: 'succeeded', progress: { phase: 'done', done: 5 + 5 + 8 + ACTUALS } });
    const report = job['report'] as Record<string, unknown>;
    expect(report).toMatchObject({ ok: true, committed: true, eventsWritten: 5 + 5 + 8 + ACTUALS });
    expect(await api.eventCount()).toBe(before + 5 + 5 + 8 + ACTUALS);
    expect(await countOf(projectId, 'ActualRecorded')).toBe(ACTUALS);
    // One correlation id naming the file, one actor: the history reads "imported from targets-Q4.xlsx by li.na".
    const origins = await api.query<{ correlation: string; actor: string }>(
      `SELECT DISTINCT metadata->>'correlationId' AS correlation, metadata->>'actor' AS actor FROM pl_events
        WHERE metadata->>'projectId' = $1 AND type IN ('MemberJoined', 'GoalSet', 'TaskPlanned', 'ActualRecorded')`,
      [projectId],
    );
    expect(origins).toEqual([{ correlation: report['importId'], actor: 'user:li.na' }]);
    expect(report['importId']).toMatch(/^import:targets-Q4\.xlsx:/);
    // Each entry of the history says where it came from: "imported from targets-Q4.xlsx by Li Na".
    const origin = { kind: 'import', fileName: 'targets-Q4.xlsx', actorName: 'Li Na' };
    const history = await api.call(auth, 'GET', `/projects/${projectId}/history?kind=goal&limit=1`);
    expect(history.body['entries']).toEqual([
      expect.objectContaining({ type: 'GoalSet', actor: 'user:li.na', correlationId: report['importId'], origin }),
    ]);
    const team = await api.call(auth, 'GET', `/projects/${projectId}/history?kind=team&limit=5`);
    expect((team.body['entries'] as { type: string; origin: unknown }[]).map((e) => [e.type, e.origin])).toEqual(
      MEMBERS.map(() => ['MemberJoined', origin]),
    );
    const ordinary = await api.call(auth, 'GET', `/projects/${projectId}/history?kind=project&limit=1`);
    expect((ordinary.body['entries'] as Record<string, unknown>[])[0]).not.toHaveProperty('origin');
    // Batched: a thousand actuals an append, not one each.
    const transactions = await api.query<{ n: string }>(
      `SELECT count(DISTINCT transaction_id)::text AS n FROM pl_events WHERE type = 'ActualRecorded' AND metadata->>'projectId' = $1`,
      [projectId],
    );
    expect(Number(transactions[0].n)).toBeLessThanOrEqual(ACTUALS / 1000 + REPS.length);
  });

  it('writes nothing when the same file is imported again', async () => {
    const before = await api.eventCount();
    const again = await upload(projectId, clean, 'targets-Q4.xlsx', '?dryRun=false&wait=true');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ ok: true, committed: true, eventsWritten: 0 });
    expect((again.body['sheets'] as { alreadyPresent: number }[]).map((s) => s.alreadyPresent)).toEqual([5, 5, 8, ACTUALS]);
    expect(await api.eventCount()).toBe(before);
  });

  it('names every problem of a dry run with sheet, row and column, and refuses to import the file, writing nothing', async () => {
    const target = await openProject('Errors');
    const sheets = planSheets(3, 'errors-');
    sheets.目标.push([
      'bad-phasing',
      '分期错误',
      '销售额',
      'CNY',
      null,
      null,
      100,
      0,
      periodStart,
      periodEnd,
      '按月',
      months()
        .map(() => '10%')
        .join('; '),
      '团队',
      null,
    ]);
    sheets.任务.push(['未知负责人的任务', '赵磊', iso(today + 5 * DAY), 2, null]);
    sheets.实绩.push(['王芳 销售额', null, '2026-02-30', 5, 'CRM-x', null]);
    sheets.实绩.push(['王芳 销售额', null, iso(today - DAY), 5, 'CRM-0', null]);
    const bytes = await workbook(sheets);
    const before = await api.eventCount();
    const dry = await upload(target, bytes, 'errors.xlsx');
    expect(dry.status).toBe(200);
    expect(dry.body['ok']).toBe(false);
    const problems = (dry.body['problems'] as { sheet: string; row: number; column: string; code: string; message: string }[]).map((p) => [
      p.sheet,
      p.row,
      p.column,
      p.code,
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        ['目标', 7, 'L (分期权重)', 'PHASING_WEIGHTS_SUM'],
        ['任务', 10, 'B (负责人)', 'UNKNOWN_MEMBER'],
        ['实绩', 5, 'C (业务日期)', 'BAD_DATE'],
        ['实绩', 6, 'E (外部编号)', 'DUPLICATE_REFERENCE'],
      ]),
    );
    expect(problems).toHaveLength(4);
    const refused = await upload(target, bytes, 'errors.xlsx', '?dryRun=false&wait=true');
    expect(refused.status).toBe(422);
    expect(refused.body['code']).toBe('IMPORT_HAS_ERRORS');
    expect(refused.body['message']).toContain('the file has 4 errors and nothing was written');
    expect(await api.eventCount()).toBe(before);
  });

  it('reads a GB18030 CSV of actuals with Chinese headers', async () => {
    const text = `目标,负责人,业务日期,数值,外部编号,备注\r\n王芳 销售额,王芳,${iso(today - DAY).replaceAll('-', '/')},1.5万,订单-甲,华东新客户\r\n`;
    const bytes = encodeText(text, 'gb18030');
    expect(bytes.includes(Buffer.from('目标'))).toBe(false); // not UTF-8 bytes
    const imported = await upload(projectId, bytes, '实绩.csv', '?dryRun=false&wait=true');
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ ok: true, format: 'csv', encoding: 'gb18030', eventsWritten: 1, fileName: '实绩.csv' });
    const goal = await api.call(auth, 'GET', '/goals/wang-fang-rev');
    expect(goal.body['actuals']).toEqual(
      expect.arrayContaining([expect.objectContaining({ value: 15_000, externalRef: '订单-甲', source: '实绩.csv: 华东新客户' })]),
    );
  });

  it('exports a workbook with the figures the API gives, now and as of a past moment', async () => {
    // The export waits for the progress view to reach the log's head: read it first, then the view.
    const first = await exportedGoals(projectId);
    const earlier = await progressFigures(projectId);
    expect(first.goals).toEqual(earlier);
    expect(first.sheets).toEqual(['Goals', 'Members', 'Tasks', 'Alerts', 'Plan changes', 'About']);
    expect(first.format).toEqual({ frozen: 'frozen', attainment: '0.0%' });
    expect(earlier.find((g) => g.goalId === 'wang-fang-rev')?.actual).toBeGreaterThan(0);
    const moment = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));

    const adjusted = await api.call(auth, 'POST', '/goals/zhang-wei-rev/target-adjustments', {
      target: 2_000_000,
      reason: 'Big account won',
    });
    expect(adjusted.status).toBe(200);
    const recorded = await api.call(auth, 'POST', '/goals/liu-yang-rev/actuals/batch', {
      actuals: [{ value: 250_000, businessDate: iso(today - 2 * DAY), source: 'CRM', externalRef: 'late-1' }],
    });
    expect(recorded.status).toBe(200);

    const now = await exportedGoals(projectId);
    // The progress view once it has applied the last write (its bounded wait can run out on a
    // loaded machine: asked again until it says it caught up).
    const position = encodeURIComponent(recorded.body['position'] as string);
    const caughtUp = async () => (await api.call(auth, 'GET', `/projects/${projectId}/progress?minPosition=${position}`)).body['caughtUp'];
    for (const deadline = Date.now() + 30_000; (await caughtUp()) !== true && Date.now() < deadline;);
    const current = await progressFigures(projectId, `?minPosition=${position}`);
    expect(now.goals).toEqual(current);
    expect(current.find((g) => g.goalId === 'zhang-wei-rev')?.target).toBe(2_000_000);

    const past = await exportedGoals(projectId, `?asOf=${encodeURIComponent(moment)}&lang=zh-CN`);
    expect(past.sheets).toEqual(['目标', '成员', '任务', '预警', '计划变更', '说明']);
    const zhStatus: Record<string, string> = { on_track: '正常', at_risk: '有风险', off_track: '落后' };
    expect(past.goals).toEqual(earlier.map((g) => ({ ...g, status: zhStatus[g.status] ?? g.status })));
    expect(past.goals).not.toEqual(now.goals.map((g) => ({ ...g, status: zhStatus[g.status] ?? g.status })));

    // Judged on another day with what is known now, as the overview's ?date= shows it.
    const day = iso(today - 5 * DAY);
    const judged = await exportedGoals(projectId, `?date=${day}`);
    expect(judged.goals).toEqual(await progressFigures(projectId, `?date=${day}`));
    expect(judged.goals).not.toEqual(current);
    const both = await fetch(`${api.base}/projects/${projectId}/export.xlsx?date=${day}&asOf=${encodeURIComponent(moment)}`, {
      headers: { authorization: auth },
    });
    expect(both.status).toBe(400);

    const future = await fetch(`${api.base}/projects/${projectId}/export.xlsx?asOf=2999-01-01T00:00:00Z`, {
      headers: { authorization: auth },
    });
    expect(future.status).toBe(422);
  });

  it('refuses a file beyond the size limit with 413 and one that is no spreadsheet with 422', async () => {
    const huge = await upload(projectId, Buffer.alloc(26 * 1024 * 1024, 0x41), 'huge.csv');
    expect(huge.status).toBe(413);
    const binary = await upload(projectId, Buffer.from([0, 1, 2, 3, 0, 0, 7]), 'x.bin');
    expect(binary).toMatchObject({ status: 422, body: { code: 'NOT_A_SPREADSHEET' } });
  });
});

describe('an import job, kept beside the events', () => {
  it('is seen by another API process, reads as interrupted when its process is killed, and posting the file again ends with each row once', async () => {
    const projectId = await openProject('Jobs across processes');
    const plan = planSheets(0, 'jobs-');
    const setup = await upload(projectId, await workbook({ 成员: plan.成员, 目标: plan.目标 }), 'plan.xlsx', '?dryRun=false&wait=true');
    expect(setup).toMatchObject({ status: 200, body: { ok: true } });
    const rows = 30_000;
    const elapsed = Math.round((today - Date.parse(periodStart)) / DAY);
    const lines = ['目标,业务日期,数值,外部编号'];
    for (let i = 0; i < rows; i++)
      lines.push(`${REPS[i % 4][1]} 销售额,${iso(Date.parse(periodStart) + (i % elapsed) * DAY)},${100 + (i % 900)},J-${i}`);
    const csv = Buffer.from(`${lines.join('\n')}\n`);

    // A second API process on the same store runs the import; the first one answers for it.
    const port = await freePort();
    const other = ServiceProcess.start('api', { ...api.env, PORT: String(port) }, dir);
    try {
      await other.waitFor(/listening on/);
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(csv)]), 'actuals-big.csv');
      const started = await fetch(`http://127.0.0.1:${port}/projects/${projectId}/imports?dryRun=false`, {
        method: 'POST',
        headers: { authorization: auth },
        body: form,
      });
      expect(started.status).toBe(202);
      const location = started.headers.get('location') as string;
      const seen = await api.call(auth, 'GET', location);
      expect(seen).toMatchObject({ status: 200, body: { status: 'running', fileName: 'actuals-big.csv', actor: 'user:li.na' } });
      // An id that is no job id names no job: 404, not the database refusing it (the fuzz found a 500).
      for (const id of ['undefined', '1', 'not-a-job'])
        expect(await api.call(auth, 'GET', `/projects/${projectId}/imports/${id}`)).toMatchObject({
          status: 404,
          body: { code: 'IMPORT_NOT_FOUND' },
        });
      for (;;) {
        const job = await fetch(`http://127.0.0.1:${port}${location}`, { headers: { authorization: auth } }).then(
          (r) => r.json() as Promise<{ status: string; progress: { phase: string; done: number } }>,
        );
        expect(job.status).toBe('running');
        if (job.progress.phase === 'writing' && job.progress.done > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await other.stop('SIGKILL');

      let interrupted: Record<string, unknown> | undefined;
      while (!interrupted) {
        const job = await api.call(auth, 'GET', location);
        expect(job.status).toBe(200);
        if (job.body['status'] === 'interrupted') interrupted = job.body;
        else await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(interrupted).toMatchObject({ error: { code: 'IMPORT_INTERRUPTED' }, progress: { phase: 'writing' } });
      // Counted once the job reads as interrupted: a commit the killed process had already sent
      // may still land on the server just after the kill.
      const partial = await countOf(projectId, 'ActualRecorded');
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(rows);

      const resumed = await upload(projectId, csv, 'actuals-big.csv', '?dryRun=false&wait=true');
      expect(resumed.status).toBe(200);
      expect((resumed.body['sheets'] as { written: number; alreadyPresent: number }[])[0]).toMatchObject({
        written: rows - partial,
        alreadyPresent: partial,
      });
      const [{ n, refs }] = await api.query<{ n: string; refs: string }>(
        `SELECT count(*)::text AS n, count(DISTINCT data->>'externalRef')::text AS refs FROM pl_events WHERE type = 'ActualRecorded' AND metadata->>'projectId' = $1`,
        [projectId],
      );
      expect([Number(n), Number(refs)]).toEqual([rows, rows]);
    } finally {
      await other.stop('SIGKILL');
    }
  });
});

describe('planledger import, killed midway and run again', () => {
  it('ends with each row once', async () => {
    const projectId = await openProject('Resumed import');
    const plan = planSheets(0, 'resumed-');
    const setup = await upload(projectId, await workbook({ 成员: plan.成员, 目标: plan.目标 }), 'plan.xlsx', '?dryRun=false&wait=true');
    expect(setup).toMatchObject({ status: 200, body: { ok: true } });
    const rows = 6000;
    const elapsed = Math.round((today - Date.parse(periodStart)) / DAY);
    const lines = ['目标,业务日期,数值,外部编号'];
    for (let i = 0; i < rows; i++)
      lines.push(`${REPS[i % 4][1]} 销售额,${iso(Date.parse(periodStart) + (i % elapsed) * DAY)},${100 + (i % 900)},R-${i}`);
    const file = join(dir, 'actuals.csv');
    await writeFile(file, `${lines.join('\n')}\n`);

    const cli = (onLine?: (line: string, kill: () => void) => void) =>
      new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            join(workspaceRoot, 'dist', 'apps', 'cli', 'main.js'),
            'import',
            file,
            '--project',
            projectId,
            '--commit',
            '--progress',
            '--actor',
            'user:li.na',
          ],
          { env: { PATH: process.env['PATH'] ?? '', EVENT_STORE_URL: api.storeUrl }, stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        createInterface({ input: child.stderr }).on('line', (line) => onLine?.(line, () => child.kill('SIGKILL')));
        child.on('exit', (code, signal) => resolve({ code, signal, stdout }));
      });

    const killed = await cli((line, kill) => {
      const match = /^writing (\d+)\/(\d+)$/.exec(line);
      if (match && Number(match[1]) > 0 && Number(match[1]) < Number(match[2])) kill();
    });
    expect(killed.signal).toBe('SIGKILL');
    const partial = await countOf(projectId, 'ActualRecorded');
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(rows);

    const resumed = await cli();
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`${rows - partial} written, ${partial} already present`);
    const [{ n, refs }] = await api.query<{ n: string; refs: string }>(
      `SELECT count(*)::text AS n, count(DISTINCT data->>'externalRef')::text AS refs FROM pl_events WHERE type = 'ActualRecorded' AND metadata->>'projectId' = $1`,
      [projectId],
    );
    expect([Number(n), Number(refs)]).toEqual([rows, rows]);
  });
});
