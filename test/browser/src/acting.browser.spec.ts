import type { Browser, BrowserContext, Locator, Page, Request } from 'playwright-core';
import { pick, typeDate } from './support/antd';
import { DashboardApi, launchChromium, screenshot, seriousViolations } from './support/dashboard';

/**
 * Acting on the plan from the dashboard, in a real browser against the built API and app on the
 * embedded store with the demo: correct an actual, move a deadline, plan a task, hand it to someone
 * else (also when a colleague did first), read the task's history, and every command keyed so a
 * retried one is stored once. Once in English and once in Chinese.
 */

const PROJECT = 'demo-east-region';
const PREVIOUS = 'demo-east-region-previous';
const CUSTOMERS = 'demo-new-customers';

let api: DashboardApi;
let browser: Browser;

// Each test is a few edits in a row on a machine whose cores other work shares.
jest.setTimeout(60_000);

beforeAll(async () => {
  api = await DashboardApi.start();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

interface Task {
  taskId: string;
  title: string;
  assigneeId?: string | null;
  status: string;
}

const goal = async (goalId: string) =>
  (
    await api.call<{ target: number; deadline: string; revision: number; actuals: { actualId: string; value: number }[] }>(
      'GET',
      `/goals/${goalId}`,
    )
  ).body;
const actualToDate = async (goalId: string) =>
  (await api.call<{ goals: { goalId: string; actualToDate: number }[] }>('GET', `/projects/${PROJECT}/progress`)).body.goals.find(
    (g) => g.goalId === goalId,
  )?.actualToDate;
const task = async (taskId: string) => (await api.call<Task>('GET', `/tasks/${taskId}`)).body;
const board = async () => (await api.call<{ tasks: Task[] }>('GET', `/projects/${PROJECT}/tasks`)).body.tasks;

/** Waits for the dialog to close after its save, saying what it shows when it does not. */
async function closes(dialog: Locator): Promise<void> {
  await dialog.waitFor({ state: 'hidden' }).catch(async (e: Error) => {
    throw new Error(`${e.message}\nthe dialog still shows: ${await dialog.innerText().catch(() => '?')}`);
  });
}

async function waitForValue(page: Page, selector: string, value: string | number): Promise<void> {
  await page.waitForFunction(([sel, v]) => document.querySelector(sel)?.getAttribute('data-value') === v, [
    selector,
    String(value),
  ] as const);
}

/** Picks the option labelled `label` of the antd select inside `within`, searching for it. */
const choose = (page: Page, within: string, label: string) => pick(page, page.locator(`${within} .ant-select`).first(), label);

const LANGUAGES = [
  {
    language: 'en',
    words: {
      save: 'Save',
      signInToken: 'Sign in with token',
      tokenLabel: 'API key or access token',
      dueFilter: '30 Nov 2026',
      lines: ['At current pace', 'Forecast range', 'Pace the target needs'],
    },
    deadline: '2026-12-20',
    title: 'Call back the Wuxi distributor',
    reason: 'Zhao Lei knows the account',
  },
  {
    language: 'zh-CN',
    words: {
      save: '保存',
      signInToken: '使用令牌登录',
      tokenLabel: 'API 密钥或访问令牌',
      dueFilter: '2026年11月30日',
      lines: ['按当前进度', '预测区间', '达成目标所需进度'],
    },
    deadline: '2026-12-24',
    title: '回访无锡经销商',
    reason: '赵磊熟悉该客户',
  },
] as const;

describe.each(LANGUAGES)('acting on the plan in $language', ({ language, words, deadline, title, reason }) => {
  let context: BrowserContext;
  let page: Page;
  const commands: Request[] = [];
  let planned = '';

  beforeAll(async () => {
    // A browser far from the project (New York), so a moment printed in the wrong zone shows.
    context = await browser.newContext({ locale: language, timezoneId: 'America/New_York', viewport: { width: 1360, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (request.method() === 'POST' && !path.startsWith('/auth/')) commands.push(request);
    });
    // The first load fetches the whole app: allow it time on a busy machine.
    await page.goto(`${api.base}/ui/projects`, { timeout: 60_000 });
    await page.waitForURL(/\/sign-in\?returnTo=/);
    await page.getByLabel(words.tokenLabel).fill(api.token);
    await page.getByRole('button', { name: words.signInToken }).click();
    await page.waitForURL(/\/ui\/projects$/);
  }, 120_000);

  afterAll(() => context?.close());

  it("shows a closed quarter's attainment as its evaluation published it", async () => {
    const wrapUp = await api.call<{ evaluations: { teamAttainment: number }[] }>('GET', `/projects/${PREVIOUS}/wrap-up`);
    const latest = wrapUp.body.evaluations.at(-1)?.teamAttainment;
    expect(latest).toBeGreaterThan(0);
    await waitForValue(page, `[data-testid=evaluated-${PREVIOUS}]`, latest as number);
    const percent = new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 0 }).format(latest as number);
    expect(await page.getByTestId(`evaluated-${PREVIOUS}`).textContent()).toContain(percent);
  });

  it("prints when an alert was raised in the project's time zone, as its business dates are", async () => {
    await page.goto(`${api.base}/ui/alerts`);
    const raised = page.getByTestId('raised-at').first();
    await raised.waitFor();
    // The demo works in Asia/Shanghai (UTC+8), whatever the browser's zone.
    await page.waitForFunction(() => document.querySelector('[data-testid=raised-at]')?.textContent?.includes('GMT+8'));
  });

  it('corrects an actual with a reason and the scorecard moves by the difference', async () => {
    await page.goto(`${api.base}/ui/projects/${PROJECT}?goal=${CUSTOMERS}`);
    const card = page.getByTestId(`scorecard-${CUSTOMERS}`);
    await card.getByTestId('actual').waitFor();
    const before = (await actualToDate(CUSTOMERS)) as number;
    await waitForValue(page, `[data-testid=scorecard-${CUSTOMERS}] [data-testid=actual]`, before);
    await card.getByTestId('correct-actual').click();
    const dialog = page.locator('.ant-modal');
    // The latest actual comes first; its value is filled in to be corrected.
    await pick(page, page.locator('.ant-modal [data-testid=correct-which]').first());
    await page.waitForFunction(() => (document.querySelector('.ant-modal [data-testid=correct-value]') as HTMLInputElement | null)?.value);
    const old = Number(await dialog.getByTestId('correct-value').inputValue());
    await dialog.getByTestId('correct-value').fill(String(old + 5));
    // Without a reason the page says so beside the field and sends nothing.
    await dialog.getByRole('button', { name: words.save }).click();
    await dialog.locator('#reason_help, .ant-form-item-explain-error').first().waitFor();
    expect(await actualToDate(CUSTOMERS)).toBe(before);
    await dialog.getByTestId('edit-reason').fill('the CRM counted one account twice');
    await dialog.getByRole('button', { name: words.save }).click();
    await closes(dialog);
    await waitForValue(page, `[data-testid=scorecard-${CUSTOMERS}] [data-testid=actual]`, before + 5);
    expect(await actualToDate(CUSTOMERS)).toBe(before + 5);
    const history = await api.call<{ entries: { type: string; reason: string | null }[] }>(
      'GET',
      `/projects/${PROJECT}/history?goalId=${CUSTOMERS}&limit=500`,
    );
    expect(history.body.entries.filter((e) => e.type === 'ActualCorrected').map((e) => e.reason)).toContain(
      'the CRM counted one account twice',
    );
  });

  it("moves a goal's deadline, with a reason, and the card shows the new one; the API's refusal is shown and writes nothing", async () => {
    const card = page.getByTestId(`scorecard-${CUSTOMERS}`);
    const before = (await goal(CUSTOMERS)).deadline;
    await card.getByTestId('move-deadline').click();
    const dialog = page.locator('.ant-modal');
    // Past the project's end: the API refuses, and the page says what it said.
    await typeDate(page, '.ant-modal', '2027-01-15');
    await dialog.getByTestId('edit-reason').fill('the distributor contracts run into January');
    await dialog.getByRole('button', { name: words.save }).click();
    await page.waitForFunction(() => document.querySelector('.ant-modal [role=alert]')?.textContent?.includes('after the project ends'));
    expect((await goal(CUSTOMERS)).deadline).toBe(before);
    await typeDate(page, '.ant-modal', deadline);
    await dialog.getByRole('button', { name: words.save }).click();
    await closes(dialog);
    await waitForValue(page, `[data-testid=scorecard-${CUSTOMERS}] [data-testid=deadline]`, deadline);
    expect((await goal(CUSTOMERS)).deadline).toBe(deadline);
    await expect(seriousViolations(page)).resolves.toEqual([]);
  });

  it('draws the burn-up with the line at the current pace and the forecast range the API gives', async () => {
    await page.goto(`${api.base}/ui/projects/${PROJECT}?goal=${CUSTOMERS}`);
    await page.locator('[data-testid=burn-up][data-drawn=true]').waitFor();
    const answer = await api.call<{ forecast: number; forecastRange: { low: number; high: number } | null }>(
      'GET',
      `/goals/${CUSTOMERS}/progress`,
    );
    const range = answer.body.forecastRange;
    expect(range).not.toBeNull();
    const count = (v: number) => `${new Intl.NumberFormat(language, { maximumFractionDigits: 2 }).format(v)} customers`;
    const said = `${count(range?.low ?? 0)} – ${count(range?.high ?? 0)}`;
    await page.waitForFunction((text) => document.querySelector('[data-testid=burn-up]')?.getAttribute('aria-label')?.includes(text), said);
    const legend = (await page.getByTestId('burn-up').textContent()) ?? '';
    for (const line of words.lines) expect(legend).toContain(line);
  });

  it('plans a task and shows it on the board', async () => {
    await page.goto(`${api.base}/ui/projects/${PROJECT}/tasks`);
    await page.getByTestId('column-planned').waitFor();
    await page.getByTestId('plan-task').click();
    const dialog = page.locator('.ant-modal');
    await dialog.getByTestId('plan-title').fill(title);
    await typeDate(page, '.ant-modal', '2026-12-20');
    await choose(page, '.ant-modal .ant-form-item:has([data-testid=plan-assignee])', 'Wang Fang');
    await dialog.getByRole('button', { name: words.save }).click();
    await closes(dialog);
    // The new task opens in its drawer (its id in the URL) and stands on the board among the planned ones.
    await page.waitForURL(/[?&]task=/);
    planned = new URL(page.url()).searchParams.get('task') ?? '';
    await page.getByTestId('column-planned').getByTestId(`task-${planned}`).waitFor();
    expect(await page.getByTestId(`task-${planned}`).getByTestId('task-open').textContent()).toBe(title);
    expect(await task(planned)).toMatchObject({ title, assigneeId: 'wang-fang', dueDate: '2026-12-20', status: 'planned' });
    expect((await board()).filter((t) => t.title === title)).toHaveLength(1);
  });

  it('reassigns the task from its drawer and the board shows the new owner', async () => {
    const drawer = page.locator('.ant-drawer');
    await drawer.getByTestId('task-assignee').waitFor();
    await drawer.getByTestId('reassign').click();
    await choose(page, '.ant-drawer [data-testid=assign-form] .ant-form-item:first-child', 'Zhao Lei');
    await drawer.getByTestId('assign-reason').fill(reason);
    await drawer.getByTestId('assign-save').click();
    await drawer
      .getByTestId('assign-form')
      .waitFor({ state: 'detached' })
      .catch(async (e: Error) => {
        throw new Error(`${e.message}\nthe drawer shows: ${await drawer.innerText()}`);
      });
    await waitForValue(page, '.ant-drawer [data-testid=task-assignee]', 'zhao-lei');
    expect((await task(planned)).assigneeId).toBe('zhao-lei');
    await page.waitForFunction((id) => document.querySelector(`[data-testid=task-${id}]`)?.textContent?.includes('Zhao Lei'), planned);
  });

  it('shows a stale reassignment as a conflict and writes nothing until it is redone', async () => {
    const drawer = page.locator('.ant-drawer');
    await drawer.getByTestId('reassign').click();
    await choose(page, '.ant-drawer [data-testid=assign-form] .ant-form-item:first-child', 'Zhang Wei');
    await drawer.getByTestId('assign-reason').fill('Zhang Wei is in Wuxi next week');
    // A colleague hands the task to Chen Jie before this is sent.
    const other = await api.call('POST', `/tasks/${planned}/reassignment`, { assigneeId: 'chen-jie', reason: 'changed by a colleague' });
    expect(other.status).toBe(200);
    await drawer.getByTestId('assign-save').click();
    await drawer.getByTestId('conflict').waitFor();
    await page.waitForFunction(() => document.querySelector('.ant-drawer [data-testid=conflict-now]')?.textContent === 'Chen Jie');
    expect(await drawer.getByTestId('conflict-yours').textContent()).toBe('Zhang Wei');
    expect((await task(planned)).assigneeId).toBe('chen-jie');
    await expect(seriousViolations(page)).resolves.toEqual([]);
    await screenshot(page, `task-drawer-${language}`);
    await drawer.getByTestId('conflict-redo').click();
    await waitForValue(page, '.ant-drawer [data-testid=task-assignee]', 'zhang-wei');
    expect((await task(planned)).assigneeId).toBe('zhang-wei');
  });

  it("lists the task's history in its drawer with the reason of each change", async () => {
    const drawer = page.locator('.ant-drawer');
    const reasons = async () => drawer.locator('[data-testid=history-TaskAssigned] [data-testid=history-reason]').allTextContents();
    await page.waitForFunction(() => document.querySelectorAll('.ant-drawer [data-testid=history-TaskAssigned]').length === 3);
    const text = (await reasons()).join('\n');
    for (const why of [reason, 'changed by a colleague', 'Zhang Wei is in Wuxi next week']) expect(text).toContain(why);
    expect(await drawer.getByTestId('history-TaskPlanned').count()).toBe(1);
    const history = await api.call<{ entries: { type: string }[] }>('GET', `/projects/${PROJECT}/history?taskId=${planned}`);
    expect(history.body.entries.map((e) => e.type)).toEqual(['TaskPlanned', 'TaskAssigned', 'TaskAssigned', 'TaskAssigned']);
  });

  it('shows the due-date filter in the page’s language and long titles in full', async () => {
    await page.goto(`${api.base}/ui/projects/${PROJECT}/tasks?dueBefore=2026-11-30`);
    await page.getByTestId('column-completed').waitFor();
    expect(await page.locator('[data-testid=due-filter] input, input[data-testid=due-filter]').first().inputValue()).toBe(words.dueFilter);
    await page.goto(`${api.base}/ui/projects/${PROJECT}/tasks`);
    const title = page.getByTestId('task-demo-task-03').locator('.ant-card-head-title');
    await title.waitFor();
    const cut = await title.evaluate((el) => ({
      overflow: getComputedStyle(el).textOverflow === 'ellipsis' && getComputedStyle(el).whiteSpace === 'nowrap',
      hidden: el.scrollWidth > el.clientWidth,
    }));
    expect(cut).toEqual({ overflow: false, hidden: false });
  });

  it('keys every command: a retry after a lost answer is replayed, not stored twice', async () => {
    await page.goto(`${api.base}/ui/projects/${PROJECT}?goal=${CUSTOMERS}`);
    const card = page.getByTestId(`scorecard-${CUSTOMERS}`);
    const before = (await actualToDate(CUSTOMERS)) as number;
    await waitForValue(page, `[data-testid=scorecard-${CUSTOMERS}] [data-testid=actual]`, before);
    const sent: { key: string | null; replayed: string | null }[] = [];
    // The first answer is lost on the way back: the API stored the actual, the page never heard.
    await page.route(`**/goals/${CUSTOMERS}/actuals`, async (route) => {
      const key = route.request().headers()['idempotency-key'] ?? null;
      const response = await route.fetch();
      sent.push({ key, replayed: response.headers()['idempotent-replayed'] ?? null });
      if (sent.length === 1) await route.abort('connectionreset');
      else await route.fulfill({ response });
    });
    await card.getByTestId('record-actual').click();
    const dialog = page.locator('.ant-modal');
    await dialog.getByTestId('actual-value').fill('4');
    await dialog.getByRole('button', { name: words.save }).click();
    await closes(dialog);
    await page.unroute(`**/goals/${CUSTOMERS}/actuals`);
    expect(sent).toHaveLength(2);
    expect(sent[0].key).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[1]).toEqual({ key: sent[0].key, replayed: 'true' });
    expect(sent[0].replayed).toBe('false');
    await waitForValue(page, `[data-testid=scorecard-${CUSTOMERS}] [data-testid=actual]`, before + 4);
    expect(await actualToDate(CUSTOMERS)).toBe(before + 4);
    // And every command this person sent carried a key of its own (a retry its first one's).
    expect(commands.length).toBeGreaterThan(6);
    const keys = commands.map((r) => r.headers()['idempotency-key']);
    expect(keys.every((k) => typeof k === 'string' && k.length > 0)).toBe(true);
    expect(new Set(keys).size).toBe(keys.length - 1);
  });
});

describe('a viewer signed in', () => {
  it('is offered none of the edits', async () => {
    const invited = await api.call<{ link: string }>('POST', `/projects/${PROJECT}/invitations`, {
      login: 'guo.min',
      name: 'Guo Min',
      role: 'viewer',
    });
    expect(invited.status).toBe(201);
    const context = await browser.newContext({ locale: 'en', viewport: { width: 1360, height: 900 } });
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      await page.goto(invited.body.link);
      await page.getByLabel('New password').fill('a long enough password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/ui\/projects$/);
      await page.goto(`${api.base}/ui/projects/${PROJECT}`);
      await page.getByTestId(`scorecard-${CUSTOMERS}`).getByTestId('actual').waitFor();
      for (const edit of ['record-actual', 'correct-actual', 'adjust-target', 'move-deadline'])
        expect({ edit, count: await page.getByTestId(edit).count() }).toEqual({ edit, count: 0 });
      await page.goto(`${api.base}/ui/projects/${PROJECT}/tasks?task=demo-task-04`);
      await page.locator('.ant-drawer [data-testid=task-assignee]').waitFor();
      expect(await page.getByTestId('plan-task').count()).toBe(0);
      expect(await page.getByTestId('reassign').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
