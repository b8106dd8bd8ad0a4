import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';

export const workspaceRoot = join(__dirname, '..', '..', '..', '..');

export type App = 'api' | 'worker' | 'kpi-consumer';

/** A built PlanLedger process under test, with everything it printed. */
export class ServiceProcess {
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static start(app: App, env: Record<string, string>, cwd: string): ServiceProcess {
    const main = join(workspaceRoot, 'dist', 'apps', app, 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx nx run-many -t build -p api worker)`);
    const child = spawn(process.execPath, [main], {
      cwd,
      // Each process gets job queues of its own on the shared Redis, unless the test names them.
      // EVENT_STORE_GROUP_COMMIT passes through, so the suite runs with group commit on (the default) or off.
      env: {
        PATH: process.env['PATH'] ?? '',
        NO_COLOR: '1',
        QUEUE_PREFIX: `e2e-${randomUUID().slice(0, 8)}`,
        ...(process.env['EVENT_STORE_GROUP_COMMIT'] ? { EVENT_STORE_GROUP_COMMIT: process.env['EVENT_STORE_GROUP_COMMIT'] } : {}),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(child);
  }

  /** Resolves when the output matches, rejects when the process exits first or time runs out. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`process exited before printing ${pattern}:\n${this.output}`);
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
