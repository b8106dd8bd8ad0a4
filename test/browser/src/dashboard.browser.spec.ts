import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DashboardApi, launchChromium, screenshot, seriousViolations } from './support/dashboard';

/**
 * The manager's dashboard in a real browser, against the built API and app on the embedded store
 * with the demo, as after `npm ci && npm start`: one API and one browser for the whole file, the
 * flow once in English (signed in through the one-time link) and once in Chinese (through the
 * sign-in page's token form), and a member signed in through an invitation.
 */

const PROJECT = 'demo-east-region';
const TEAM_REVENUE = 'demo-revenue';
const CUSTOMERS = 'demo-new-customers';

interface Figure {
  goalId: string;
  actualToDate: number | null;
  attainment: number | null;
  pace: number | null;
  target: number;
}

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

async function progress(): Promise<{ date: string; goals: Figure[] }> {
  const answer = await api.call<{ date: string; goals: Figure[] }>('GET', `/projects/${PROJECT}/progress`);
  expect(answer.status).toBe(200);
  return answer.body;
}

async function figure(goalId: string): Promise<Figure> {
  const found = (await progress()).goals.find((g) => g.goalId === goalId);
  if (!found) throw new Error(`the API has no goal ${goalId}`);
  return found;
}

const dataValue = async (page: Page, selector: string) => Number(await page.locator(selector).getAttribute('data-value'));

/** Polls until `probe` is true (an event the page gives no hook for), failing after `timeoutMs`. */
async function until(probe: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
}

const LANGUAGES = [
  {
    language: 'en',
    signIn: 'link',
    words: {
      projects: 'Projects',
      save: 'Save',
      acknowledge: 'Acknowledge',
      signInToken: 'Sign in with token',
      tokenLabel: 'API key or access token',
    },
  },
  {
    language: 'zh-CN',
    signIn: 'token',
    words: { projects: '项目', save: '保存', acknowledge: '确认', signInToken: '使用令牌登录', tokenLabel: 'API 密钥或访问令牌' },
  },
] as const;

describe.each(LANGUAGES)('the dashboard in $language', ({ language, signIn, words }) => {
  let context: BrowserContext;
  let page: Page;
  const suffix = language === 'en' ? 1 : 2;

  beforeAll(async () => {
    context = await browser.newContext({ locale: language, viewport: { width: 1360, height: 900 } });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
  });

  afterAll(() => context?.close());

  it('signs in through the real sign-in routes and keeps no token in the page', async () => {
    if (signIn === 'link') {
      await page.goto(api.signInLink);
    } else {
      await page.goto(`${api.base}/ui/projects`);
      await page.waitForURL(/\/sign-in\?returnTo=/);
      await page.getByLabel(words.tokenLabel).fill(api.token);
      await page.getByRole('button', { name: words.signInToken }).click();
    }
    await page.waitForURL(/\/ui\/projects$/);
    await page.getByRole('heading', { level: 1, name: words.projects }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe(language);
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'planledger_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(cookies.find((c) => c.name === 'planledger_csrf')?.httpOnly).toBe(false);
    const stored = await page.evaluate(() => JSON.stringify({ ...window.localStorage, ...window.sessionStorage }));
    expect(stored).not.toContain(api.token);
    expect(stored).not.toContain(cookies.find((c) => c.name === 'planledger_session')?.value);
    await page.getByRole('link', { name: 'East region quarter push' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, `projects-${language}`);
  });

  it("shows the team revenue goal with the API's own actual and attainment", async () => {
    await page.goto(`${api.base}/ui/projects/${PROJECT}?goal=${TEAM_REVENUE}`);
    await page.locator('[data-testid=burn-up][data-drawn=true]').waitFor();
    const card = page.getByTestId(`scorecard-${TEAM_REVENUE}`);
    const expected = await figure(TEAM_REVENUE);
    expect(await dataValue(page, `[data-testid=scorecard-${TEAM_REVENUE}] [data-testid=actual]`)).toBe(expected.actualToDate);
    expect(await dataValue(page, `[data-testid=scorecard-${TEAM_REVENUE}] [data-testid=attainment]`)).toBe(expected.attainment);
    const money = new Intl.NumberFormat(language, {
      style: 'currency',
      currency: 'CNY',
      currencyDisplay: 'narrowSymbol',
      maximumFractionDigits: 0,
    });
    const percent = new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 0 });
    await expect(card.getByTestId('actual').textContent()).resolves.toBe(money.format(expected.actualToDate ?? 0));
    await expect(card.getByTestId('attainment').textContent()).resolves.toBe(percent.format(expected.attainment ?? 0));
    // Status is an icon and a word, never colour alone.
    expect((await card.locator('[data-status]').textContent())?.trim().length).toBeGreaterThan(0);
    expect(await page.getByTestId('computed-at').textContent()).toMatch(/\d+-\d+/);
    // Why it stands there, in the page's language: the Chinese card carries no English sentence.
    const percentText = percent.format(expected.pace ?? 0);
    const why = language === 'en' ? `at ${percentText} of plan to date` : `为截至今日计划的 ${percentText}`;
    await expect(card.textContent()).resolves.toContain(why);
    if (language !== 'en') await expect(card.textContent()).resolves.not.toMatch(/of plan to date|tolerance|not started|no actuals/);
    // The decomposition tree names owners as the team page does, not by id.
    const tree = page.getByTestId('goal-tree');
    await expect(tree.textContent()).resolves.toContain('Zhao Lei');
    await expect(tree.textContent()).resolves.not.toContain('zhao-lei');
    await expectAccessible(page);
    await screenshot(page, `overview-${language}`);
  });

  it('moves the scorecard and the burn-up when an actual is recorded in the page', async () => {
    await page.goto(`${api.base}/ui/projects/${PROJECT}?goal=${CUSTOMERS}`);
    await page.locator('[data-testid=burn-up][data-drawn=true]').waitFor();
    const cardActual = `[data-testid=scorecard-${CUSTOMERS}] [data-testid=actual]`;
    const before = await dataValue(page, cardActual);
    const burnUpBefore = await dataValue(page, '[data-testid=burn-up-last]');
    expect(burnUpBefore).toBe(before);
    await page.getByTestId(`scorecard-${CUSTOMERS}`).getByTestId('record-actual').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('actual-value').fill('3');
    await dialog.getByRole('button', { name: words.save }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.waitForFunction(
      ([sel, v]) => document.querySelector(sel as string)?.getAttribute('data-value') === String(v),
      [cardActual, before + 3],
    );
    await page.waitForFunction(
      (v) => document.querySelector('[data-testid=burn-up-last]')?.getAttribute('data-value') === String(v),
      before + 3,
    );
    expect((await figure(CUSTOMERS)).actualToDate).toBe(before + 3);
  });

  it('shows an actual recorded through the API by someone else within two seconds', async () => {
    const cardActual = `[data-testid=scorecard-${CUSTOMERS}] [data-testid=actual]`;
    await page.getByTestId('live').waitFor();
    const before = await dataValue(page, cardActual);
    const { date } = await progress();
    const started = Date.now();
    const recorded = await api.call('POST', `/goals/${CUSTOMERS}/actuals`, { value: 2, businessDate: date, source: 'CRM' });
    expect(recorded.status).toBe(201);
    await page.waitForFunction(
      ([sel, v]) => document.querySelector(sel as string)?.getAttribute('data-value') === String(v),
      [cardActual, before + 2],
      {
        timeout: 2000,
      },
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('shows a conflict for a stale edit and writes nothing until it is redone', async () => {
    const theirs = 60 + suffix;
    const mine = 70 + suffix;
    await page.getByTestId(`scorecard-${CUSTOMERS}`).getByTestId('adjust-target').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('target-value').fill(String(mine));
    await dialog.getByTestId('edit-reason').fill('pipeline review');
    // Save is enabled once the dialog has read the goal (its ETag); a colleague changes the target before it is sent.
    await page.waitForFunction(() => !document.querySelector('.ant-modal-footer .ant-btn-primary')?.hasAttribute('disabled'));
    const other = await api.call('POST', `/goals/${CUSTOMERS}/target-adjustments`, { target: theirs, reason: 'changed by a colleague' });
    expect(other.status).toBeLessThan(300);
    await dialog.getByRole('button', { name: words.save }).click();
    await dialog.getByTestId('conflict').waitFor();
    expect((await api.call<{ target: number }>('GET', `/goals/${CUSTOMERS}`)).body.target).toBe(theirs);
    await page.waitForFunction((v) => document.querySelector('[data-testid=conflict-now]')?.textContent?.includes(String(v)), theirs);
    for (let attempt = 0; attempt < 3 && (await dialog.isVisible()); attempt++) {
      await dialog.getByTestId('conflict-redo').click();
      await Promise.race([dialog.waitFor({ state: 'hidden' }), page.waitForTimeout(3000)]);
    }
    await dialog.waitFor({ state: 'hidden' });
    expect((await api.call<{ target: number }>('GET', `/goals/${CUSTOMERS}`)).body.target).toBe(mine);
    await page.waitForFunction(
      ([sel, v]) => document.querySelector(sel as string)?.getAttribute('data-value') === String(v),
      [`[data-testid=scorecard-${CUSTOMERS}] [data-testid=target]`, mine],
    );
  });

  it('clears an acknowledged alert from the header badge', async () => {
    // An alert of this run's own, whatever the demo's day left in the inbox: a goal far behind its
    // plan, which the in-process drift check flags once its first actual lands.
    const { charter } = (await api.call<{ charter: { periodStart: string; periodEnd: string } }>('GET', `/projects/${PROJECT}`)).body;
    const behind = await api.call<{ id: string }>('POST', `/projects/${PROJECT}/goals`, {
      title: `Behind on purpose (${language})`,
      kpi: { name: 'Revenue', unit: 'CNY', direction: 'higher_is_better', aggregation: 'cumulative' },
      target: 10_000_000,
      baseline: 0,
      startDate: charter.periodStart,
      deadline: charter.periodEnd,
      phasing: { kind: 'linear' },
      owner: { kind: 'member', memberId: 'zhao-lei' },
      tolerance: 0.1,
    });
    expect(behind.status).toBe(201);
    expect(
      (await api.call('POST', `/goals/${behind.body.id}/actuals`, { value: 1, businessDate: charter.periodStart, source: 'CRM' })).status,
    ).toBe(201);
    const unacknowledgedAlerts = async () =>
      (await api.call<{ alerts: { alertId: string; goalId?: string }[] }>('GET', '/me/alerts?acknowledged=false')).body.alerts;
    const unacknowledged = async () => (await unacknowledgedAlerts()).map((a) => a.alertId);
    let alertId = '';
    await until(
      async () => {
        alertId = (await unacknowledgedAlerts()).find((a) => a.goalId === behind.body.id)?.alertId ?? '';
        return alertId !== '';
      },
      'the drift alert on the goal behind its plan',
      60_000,
    );
    await page.goto(`${api.base}/ui/alerts`);
    const badge = page.getByTestId('alert-badge');
    const first = page.getByTestId(`alert-${alertId}`);
    await first.waitFor();
    // The evidence in the page's language: the Chinese card does not quote the English reason.
    if (language === 'en') await expect(first.textContent()).resolves.toContain('of plan to date');
    else await expect(first.textContent()).resolves.not.toMatch(/of plan to date|tolerance/);
    // Its amounts in the goal's currency, as the overview prints them: the actual of ¥1 and what the plan expected.
    await page.waitForFunction(
      (id) => /¥1(?![\d,.])/.test(document.querySelector(`[data-testid=alert-${id}]`)?.textContent ?? ''),
      alertId,
    );
    expect(((await first.textContent()) ?? '').match(/¥/g)?.length).toBeGreaterThanOrEqual(2);
    // The badge counts what the API counts (new alerts may arrive meanwhile: drift checks run on).
    await until(
      async () => Number(await badge.getAttribute('data-count')) === (await unacknowledged()).length,
      'the badge to count the inbox',
    );
    await expectAccessible(page);
    await screenshot(page, `alerts-${language}`);
    await first.getByTestId('acknowledge').click();
    await page.getByTestId('acknowledge-confirm').click();
    await page.getByTestId(`alert-${alertId}`).waitFor({ state: 'detached' });
    // Read without minPosition, the API's inbox follows the acknowledgement as its read model catches up.
    await until(async () => !(await unacknowledged()).includes(alertId), 'the API inbox to lose the acknowledged alert');
    await until(
      async () => Number(await badge.getAttribute('data-count')) === (await unacknowledged()).length,
      'the badge to count the inbox without the acknowledged alert',
    );
    // Withdrawn again, so the pages drawn after this test (and their screenshots) show the demo as it is.
    expect((await api.call('POST', `/goals/${behind.body.id}/withdrawal`, { reason: 'test goal, done with' })).status).toBe(200);
  });

  it('draws the tasks and team pages accessibly', async () => {
    await page.goto(`${api.base}/ui/projects/${PROJECT}/tasks`);
    await page.getByTestId('column-blocked').waitFor();
    // Blocked and overdue first: the first card of "in progress" is overdue when any is.
    await expectAccessible(page);
    await screenshot(page, `tasks-${language}`);
    await page.goto(`${api.base}/ui/projects/${PROJECT}/team`);
    await page.getByTestId('member-zhao-lei').waitFor();
    await expectAccessible(page);
    await screenshot(page, `team-${language}`);
  });
});

describe('a member signed in', () => {
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1360, height: 900 } });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
  });

  afterAll(() => context?.close());

  it('accepts an invitation and is offered only their own actions', async () => {
    const invited = await api.call<{ link: string }>('POST', `/projects/${PROJECT}/invitations`, {
      login: 'zhao.lei',
      name: '赵磊',
      role: 'member',
      memberId: 'zhao-lei',
    });
    expect(invited.status).toBe(201);
    await page.goto(invited.body.link);
    await page.getByLabel('新密码').fill('a long enough password');
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/\/ui\/projects$/);

    await page.goto(`${api.base}/ui/projects/${PROJECT}/tasks`);
    await page.getByTestId('column-blocked').waitFor();
    const board = (
      await api.call<{ tasks: { taskId: string; assigneeId: string | null; status: string }[] }>('GET', `/projects/${PROJECT}/tasks`)
    ).body.tasks;
    const open = board.filter((t) => t.status !== 'completed' && t.status !== 'cancelled');
    expect(open.some((t) => t.assigneeId === 'zhao-lei')).toBe(true);
    for (const task of open) {
      // The card's title opens the task's drawer for everyone; the actions are in its body.
      const buttons = await page.getByTestId(`task-${task.taskId}`).locator('.ant-card-body').getByRole('button').count();
      if (task.assigneeId === 'zhao-lei') expect(buttons).toBeGreaterThan(0);
      else expect({ task: task.taskId, buttons }).toEqual({ task: task.taskId, buttons: 0 });
    }

    // No target changes for a member, and no actuals on the team's goals.
    await page.goto(`${api.base}/ui/projects/${PROJECT}`);
    await page.getByTestId(`scorecard-${TEAM_REVENUE}`).waitFor();
    expect(await page.getByTestId('adjust-target').count()).toBe(0);
    expect(await page.getByTestId(`scorecard-${TEAM_REVENUE}`).getByTestId('record-actual').count()).toBe(0);
  });

  it('finds their tasks of two projects on "my work", and search finds a demo task by an English word and a goal by a Chinese one', async () => {
    // A second project where Zhao Lei also works, with a goal titled in Chinese.
    const second = await api.call<{ id: string }>('POST', '/projects', {
      name: '华东渠道项目',
      description: '',
      managerId: 'li-na',
      periodStart: '2026-10-01',
      periodEnd: '2026-12-31',
      currency: 'CNY',
      timeZone: 'Asia/Shanghai',
    });
    expect(second.status).toBe(201);
    const p2 = second.body.id;
    const setUp = [
      await api.call('POST', `/projects/${p2}/members`, {
        memberId: 'zhao-lei',
        name: '赵磊',
        role: 'Account executive',
        weeklyCapacityHours: 40,
      }),
      await api.call('POST', `/projects/${p2}/access`, { subject: 'user:zhao.lei', role: 'member', memberId: 'zhao-lei' }),
    ];
    const goal = await api.call<{ id: string }>('POST', `/projects/${p2}/goals`, {
      title: '华东渠道拓展收入',
      kpi: { name: 'Revenue', unit: 'CNY', direction: 'higher_is_better', aggregation: 'cumulative' },
      target: 500000,
      baseline: 0,
      startDate: '2026-10-01',
      deadline: '2026-12-31',
      phasing: { kind: 'linear' },
      owner: { kind: 'member', memberId: 'zhao-lei' },
      tolerance: 0.1,
    });
    const task = await api.call<{ id: string }>('POST', `/projects/${p2}/tasks`, {
      title: '拜访苏州经销商',
      description: '',
      dueDate: '2026-12-20',
      assigneeId: 'zhao-lei',
    });
    for (const answer of [...setUp, goal, task]) expect(answer.status).toBeLessThan(300);
    const demoTask = (
      await api.call<{ tasks: { taskId: string; assigneeId: string | null; status: string }[] }>('GET', `/projects/${PROJECT}/tasks`)
    ).body.tasks.find((t) => t.assigneeId === 'zhao-lei' && t.status !== 'completed' && t.status !== 'cancelled');
    expect(demoTask).toBeDefined();

    await page.goto(`${api.base}/ui/my-work`);
    await page.getByTestId(`work-${p2}`).waitFor();
    await page.getByTestId(`work-task-${task.body.id}`).waitFor();
    await page.getByTestId(`work-${PROJECT}`).getByTestId(`work-task-${demoTask?.taskId}`).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'my-work-zh-CN');

    await page.getByTestId('header-search').getByRole('searchbox').fill('ningbo');
    await page.getByTestId('header-search').getByRole('searchbox').press('Enter');
    await page.waitForURL(/\/ui\/search\?q=ningbo/);
    await page.getByTestId('hit-task-demo-task-06').waitFor();
    await page.goto(`${api.base}/ui/search?q=${encodeURIComponent('渠道')}`);
    await page.getByTestId(`hit-goal-${goal.body.id}`).waitFor();
    expect(await page.getByTestId('hit-task-demo-task-06').count()).toBe(0);
    await expectAccessible(page);
    await screenshot(page, 'search-zh-CN');
  });
});
