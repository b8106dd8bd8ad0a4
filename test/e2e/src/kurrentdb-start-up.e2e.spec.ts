import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ServiceProcess } from './support/service-process';
import { TEST_JWT_SECRET } from './support/tokens';

jest.setTimeout(60_000);

describe('starting on KurrentDB', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'planledger-e2e-kurrentdb-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(['api', 'worker'] as const)(
    'stops the %s with one line naming the server (without its password) when it cannot be reached',
    async (app) => {
      const port = await freePort();
      const proc = ServiceProcess.start(
        app,
        {
          EVENT_STORE_URL: `kurrentdb://admin:s3cret@127.0.0.1:${port}?tls=false`,
          AUTH_JWT_SECRET: TEST_JWT_SECRET,
          PORT: String(await freePort()),
        },
        dir,
      );
      const exit = await proc.exited;
      expect(exit.code).toBe(1);
      const name = app === 'api' ? 'PlanLedger API' : 'PlanLedger worker';
      expect(proc.output.trim().split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(
            `^${name} failed to start: Cannot reach the KurrentDB event store at kurrentdb://admin:\\*\\*\\*@127\\.0\\.0\\.1:${port}\\?tls=false: .*ECONNREFUSED`,
          ),
        ),
      ]);
      expect(proc.output).not.toContain('s3cret');
    },
  );
});
