import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const workspaceRoot = join(__dirname, '..', '..', '..', '..');

/** Where the tests write a screenshot of each page in each language (four are copied into docs/). */
export const screenshotDir = process.env['SCREENSHOT_DIR'] ?? join(workspaceRoot, 'dist', 'screenshots');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The built API serving the built dashboard, on the embedded store of a fresh data directory (so
 * it loads the demo and prints its development token and one-time sign-in link), as after
 * `npm ci && npm start`.
 */
export class DashboardApi {
  output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly base: string,
    private readonly dir: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static async start(env: Record<string, string> = {}): Promise<DashboardApi> {
    const main = join(workspaceRoot, 'dist', 'apps', 'api', 'main.js');
    const index = join(workspaceRoot, 'dist', 'apps', 'web', 'index.html');
    for (const file of [main, index])
      if (!existsSync(file)) throw new Error(`${file} is missing: build first (npx nx run-many -t build -p api web)`);
    const dir = await mkdtemp(join(tmpdir(), 'planledger-browser-'));
    const port = await freePort();
    const child = spawn(process.execPath, [main], {
      cwd: dir,
      env: {
        PATH: process.env['PATH'] ?? '',
        NO_COLOR: '1',
        DATA_DIR: join(dir, 'data'),
        PORT: String(port),
        HOST: '127.0.0.1',
        QUEUE_PREFIX: `browser-${randomUUID().slice(0, 8)}`,
        RATE_LIMIT_PER_MINUTE: '100000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const api = new DashboardApi(child, `http://127.0.0.1:${port}`, dir);
    await api.waitFor(/PlanLedger API listening/, 90_000);
    return api;
  }

  /** The end of what the API printed, for a failure message. */
  get tail(): string {
    return this.output.split('\n').slice(-15).join('\n').slice(-4000);
  }

  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null) throw new Error(`the API exited before printing ${pattern}:\n${this.tail}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${this.tail}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The one-time sign-in link the embedded store prints at start. */
  get signInLink(): string {
    const match = this.output.match(/Sign in from a browser[^:]*: (\S+)/);
    if (!match) throw new Error(`no sign-in link in the start-up output:\n${this.tail}`);
    return match[1];
  }

  /** The development admin token printed at start: the "other browser" and the checks use it over HTTP. */
  get token(): string {
    const match = this.output.match(/Development token \([^)]*\):\s*(eyJ[\w.-]+)/);
    if (!match) throw new Error(`no development token in the start-up output:\n${this.tail}`);
    return match[1];
  }

  /** A call as another client (the admin's bearer token), outside the browser under test. */
  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Debian's chromium through playwright-core, with the flags this machine needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's source, evaluated in the page through the driver: the app's Content-Security-Policy
 * (script-src 'self') refuses an inline script tag, as it should, and the test must not weaken it. */
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Waits until the page's finite animations have ended (a dropdown closing, a drawer sliding in), so
 * axe reads the page as a person sees it once it is still, not an element caught half-faded (whose
 * contrast it would rightly refuse). Endless ones (spinners) are not waited for.
 */
export async function atRest(page: Page): Promise<void> {
  await page.waitForFunction(
    () => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().endTime === Infinity),
    undefined,
    { timeout: 10_000 },
  );
}

/** axe-core's serious and critical violations on the page as it is drawn now. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await atRest(page);
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}
