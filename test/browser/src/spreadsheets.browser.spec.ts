import ExcelJS from 'exceljs';
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { DashboardApi, launchChromium, screenshot, seriousViolations } from './support/dashboard';

/**
 * Spreadsheets in the dashboard, in a real browser against the built API and app: a manager
 * uploads a workbook made here, reads the dry run's problems by sheet, row and column, imports a
 * clean one and follows its job, finds its goals and actuals on the overview, and downloads the
 * project workbook with the overview's figures and the import templates; in English and Chinese.
 */

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
// Noon UTC is the same calendar day in Shanghai: actuals dated up to yesterday have happened there.
const today = Date.parse(`${iso(Date.now())}T00:00:00Z`);

let api: DashboardApi;
let browser: Browser;

beforeAll(async () => {
  api = await DashboardApi.start();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

async function workbook(sheets: Record<string, readonly (readonly unknown[])[]>): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const sheet = book.addWorksheet(name);
    for (const row of rows) sheet.addRow([...row]);
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

async function readBack(download: Download): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load((await readFile(await download.path())) as unknown as ArrayBuffer);
  return book;
}

const LANGUAGES = [
  {
    language: 'en',
    words: {
      tokenLabel: 'API key or access token',
      signInToken: 'Sign in with token',
      title: 'Import from a spreadsheet',
      import: 'Import',
    },
    sheets: { members: 'Members', goals: 'Goals', actuals: 'Actuals' },
    headers: {
      members: ['Member ID', 'Name', 'Role', 'Weekly capacity (h)'],
      goals: ['Goal ID', 'Title', 'KPI', 'Unit', 'Target', 'Start date', 'Deadline', 'Phasing', 'Owner'],
      actuals: ['Goal', 'Date', 'Value', 'Reference'],
      exported: { goalId: 'Goal ID', target: 'Target', actual: 'Actual to date', attainment: 'Attainment' },
    },
    linear: 'linear',
    exportedSheets: ['Goals', 'Members', 'Tasks', 'Alerts', 'Plan changes', 'About'],
  },
  {
    language: 'zh-CN',
    words: { tokenLabel: 'API 密钥或访问令牌', signInToken: '使用令牌登录', title: '从表格导入', import: '导入' },
    sheets: { members: '成员', goals: '目标', actuals: '实绩' },
    headers: {
      members: ['成员编号', '姓名', '角色', '每周工时'],
      goals: ['目标编号', '目标名称', '指标', '单位', '目标值', '开始日期', '截止日期', '分解方式', '负责人'],
      actuals: ['目标', '业务日期', '数值', '外部编号'],
      exported: { goalId: '目标编号', target: '目标值', actual: '累计完成', attainment: '完成率' },
    },
    linear: '线性',
    exportedSheets: ['目标', '成员', '任务', '预警', '计划变更', '说明'],
  },
] as const;

describe.each(LANGUAGES)('spreadsheets in the dashboard in $language', ({ language, words, sheets, headers, linear, exportedSheets }) => {
  let context: BrowserContext;
  let page: Page;
  let projectId: string;
  const goalId = `import-${language.toLowerCase()}-revenue`;
  const title = language === 'en' ? 'Imported revenue' : '导入的销售额';
  const values = [120_000, 80_000, 45_500];

  const plan = (extraActual?: unknown[]) => ({
    [sheets.members]: [headers.members, [`wu-min`, language === 'en' ? 'Wu Min' : '吴敏', 'Account executive', 40]],
    [sheets.goals]: [
      headers.goals,
      [goalId, title, 'Revenue', 'CNY', 1_000_000, iso(today - 30 * DAY), iso(today + 60 * DAY), linear, 'wu-min'],
    ],
    [sheets.actuals]: [
      headers.actuals,
      ...values.map((value, i) => [title, iso(today - (10 - i * 3) * DAY), value, `CRM-${i}`]),
      ...(extraActual ? [extraActual] : []),
    ],
  });

  const history = async () => {
    const answer = await api.call<{ entries: { origin?: { fileName: string } }[] }>('GET', `/projects/${projectId}/history?limit=500`);
    expect(answer.status).toBe(200);
    return answer.body.entries;
  };
  // The project has no goal before the import, so no drift check writes anything meanwhile.
  const historyCount = async () => (await history()).length;

  beforeAll(async () => {
    const opened = await api.call<{ id: string }>('POST', '/projects', {
      name: language === 'en' ? 'Imported plan' : '导入的计划',
      description: '',
      managerId: 'li-na',
      periodStart: iso(today - 30 * DAY),
      periodEnd: iso(today + 60 * DAY),
      currency: 'CNY',
      timeZone: 'Asia/Shanghai',
    });
    expect(opened.status).toBe(201);
    projectId = opened.body.id;
    context = await browser.newContext({ locale: language, viewport: { width: 1360, height: 900 }, acceptDownloads: true });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    await page.goto(`${api.base}/ui/projects`);
    await page.waitForURL(/\/sign-in\?returnTo=/);
    await page.getByLabel(words.tokenLabel).fill(api.token);
    await page.getByRole('button', { name: words.signInToken }).click();
    await page.waitForURL(/\/ui\/projects$/);
  });

  afterAll(() => context?.close());

  it('offers the templates with English and Chinese headers', async () => {
    await page.goto(`${api.base}/ui/projects/${projectId}/import`);
    await page.getByRole('heading', { level: 1, name: words.title }).waitFor();
    for (const [button, names] of [
      ['template-en', ['Members', 'Goals', 'Tasks', 'Actuals']],
      ['template-zh', ['成员', '目标', '任务', '实绩']],
    ] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(button).click()]);
      expect((await readBack(download)).worksheets.map((w) => w.name)).toEqual(names);
    }
  });

  it('names the bad row of a dry run by sheet, row and column, and writes nothing', async () => {
    const before = await historyCount();
    const bad = await workbook(plan([title, '2026-02-30', 5000, 'CRM-bad']));
    await page.locator('[data-testid=import-file] input[type=file]').setInputFiles({
      name: 'targets-bad.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: bad,
    });
    await page.locator('[data-testid=dry-run][data-ok=false]').waitFor();
    const problems = page.locator('[data-testid=problem][data-severity=error]');
    expect(await problems.count()).toBe(1);
    const problem = problems.first();
    expect({
      sheet: await problem.getAttribute('data-sheet'),
      row: await problem.getAttribute('data-row'),
      column: await problem.getAttribute('data-column'),
      code: await problem.getAttribute('data-code'),
    }).toEqual({ sheet: sheets.actuals, row: '5', column: `B (${headers.actuals[1]})`, code: 'BAD_DATE' });
    // What the person reads: the row and the column in the table under the sheet's heading.
    const cells = await problem.locator('td').allTextContents();
    expect(cells.slice(0, 2)).toEqual(['5', `B (${headers.actuals[1]})`]);
    // …and why, in the page's language: the Chinese page does not quote the API's English sentence.
    expect(cells[3]).toBe(language === 'en' ? 'businessDate: "2026-02-30" is not a calendar date' : '不是有效日期');
    expect(await page.locator(`[data-testid=problem-sheet][data-sheet="${sheets.actuals}"]`).textContent()).toContain(sheets.actuals);
    expect(await page.getByTestId('run-import').isDisabled()).toBe(true);
    expect(await historyCount()).toBe(before);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, `import-report-${language}`);
  });

  it('imports a clean file, follows its job, and shows its goal and actuals on the overview', async () => {
    const before = await historyCount();
    await page.locator('[data-testid=import-file] input[type=file]').setInputFiles({
      name: 'targets-Q1.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: await workbook(plan()),
    });
    await page.locator('[data-testid=dry-run][data-ok=true]').waitFor();
    expect(await page.locator('[data-testid=problem][data-severity=error]').count()).toBe(0);
    expect(await historyCount()).toBe(before);
    await page.getByTestId('run-import').click();
    await page.getByTestId('import-job').waitFor();
    await page.locator('[data-testid=import-job][data-status=succeeded]').waitFor({ timeout: 30_000 });
    // One member, one goal and three actuals.
    expect(await page.getByTestId('import-result').getAttribute('data-events')).toBe('5');
    const imported = (await history()).filter((e) => e.origin?.fileName === 'targets-Q1.xlsx');
    expect(imported).toHaveLength(5);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByTestId('open-overview').click();
    const card = page.getByTestId(`scorecard-${goalId}`);
    await card.waitFor();
    const figure = (
      await api.call<{ goals: { goalId: string; actualToDate: number }[] }>('GET', `/projects/${projectId}/progress`)
    ).body.goals.find((g) => g.goalId === goalId);
    const sum = values.reduce((a, b) => a + b, 0);
    expect(figure?.actualToDate).toBe(sum);
    await page.waitForFunction(
      ([sel, v]) => document.querySelector(sel as string)?.getAttribute('data-value') === String(v),
      [`[data-testid=scorecard-${goalId}] [data-testid=actual]`, sum],
    );
  });

  it("downloads the project workbook with the overview's figures, in the page's language", async () => {
    const card = `[data-testid=scorecard-${goalId}]`;
    const shown = {
      target: Number(await page.locator(`${card} [data-testid=target]`).getAttribute('data-value')),
      actual: Number(await page.locator(`${card} [data-testid=actual]`).getAttribute('data-value')),
      attainment: Number(await page.locator(`${card} [data-testid=attainment]`).getAttribute('data-value')),
    };
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-workbook').click()]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const book = await readBack(download);
    expect(book.worksheets.map((w) => w.name)).toEqual(exportedSheets);
    const sheet = book.worksheets[0];
    const names = (sheet.getRow(1).values as unknown[]).map((v) => String(v ?? ''));
    const column = (header: string) => names.indexOf(header);
    let row: ExcelJS.Row | undefined;
    sheet.eachRow((r, n) => {
      if (n > 1 && r.getCell(column(headers.exported.goalId)).value === goalId) row = r;
    });
    expect(row).toBeDefined();
    expect({
      target: row?.getCell(column(headers.exported.target)).value,
      actual: row?.getCell(column(headers.exported.actual)).value,
      attainment: row?.getCell(column(headers.exported.attainment)).value,
    }).toEqual(shown);
  });
});

describe('a member signed in', () => {
  let context: BrowserContext;

  afterAll(() => context?.close());

  it('is offered the workbook download but not the import, and the import page says why', async () => {
    const opened = await api.call<{ id: string }>('POST', '/projects', {
      name: 'Member view',
      description: '',
      managerId: 'li-na',
      periodStart: iso(today - 30 * DAY),
      periodEnd: iso(today + 60 * DAY),
      currency: 'CNY',
      timeZone: 'Asia/Shanghai',
    });
    expect(opened.status).toBe(201);
    const projectId = opened.body.id;
    const joined = await api.call('POST', `/projects/${projectId}/members`, {
      memberId: 'he-jun',
      name: 'He Jun',
      role: 'Account executive',
      weeklyCapacityHours: 40,
    });
    expect(joined.status).toBeLessThan(300);
    const invited = await api.call<{ link: string }>('POST', `/projects/${projectId}/invitations`, {
      login: 'he.jun',
      name: 'He Jun',
      role: 'member',
      memberId: 'he-jun',
    });
    expect(invited.status).toBe(201);
    context = await browser.newContext({ locale: 'en', viewport: { width: 1360, height: 900 } });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(invited.body.link);
    await page.getByLabel('New password').fill('a long enough password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/ui\/projects$/);

    await page.goto(`${api.base}/ui/projects/${projectId}`);
    await page.getByTestId('export-workbook').waitFor();
    expect(await page.getByTestId('open-import').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Import', exact: true }).count()).toBe(0);
    await page.goto(`${api.base}/ui/projects/${projectId}/import`);
    await page.getByText('Only the project’s managers import spreadsheets.').waitFor();
    expect(await page.locator('[data-testid=import-file]').count()).toBe(0);
  });
});
