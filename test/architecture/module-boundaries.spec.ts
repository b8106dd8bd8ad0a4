import { join } from 'node:path';
import { ESLint } from 'eslint';

// Lints probe files as if they stood in the pure libs, with the workspace's real lint config,
// so this fails the day someone loosens the boundary rules.
const workspaceRoot = join(__dirname, '..', '..');
jest.setTimeout(60_000);

async function lintAs(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: workspaceRoot });
  const [result] = await eslint.lintText(code, { filePath: join(workspaceRoot, filePath) });
  return result.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('module boundaries', () => {
  it.each([
    ['libs/domain', "import { Pool } from 'pg';\nexport const p = Pool;\n"],
    ['libs/domain', "import { Injectable } from '@nestjs/common';\nexport const i = Injectable;\n"],
    ['libs/domain', "import { Queue } from 'bullmq';\nexport const q = Queue;\n"],
    ['libs/domain', "import Redis from 'ioredis';\nexport const r = Redis;\n"],
    ['libs/domain', "import { readFile } from 'node:fs/promises';\nexport const f = readFile;\n"],
    ['libs/domain', "import { readFileSync } from 'fs';\nexport const f = readFileSync;\n"],
    ['libs/domain', "import { InMemoryEventStore } from '@planledger/event-store';\nexport const s = InMemoryEventStore;\n"],
    ['libs/domain', "import { loadConfig } from '@planledger/config';\nexport const c = loadConfig;\n"],
    ['libs/contracts', "import { Pool } from 'pg';\nexport const p = Pool;\n"],
    ['libs/contracts', "import { Controller } from '@nestjs/common';\nexport const c = Controller;\n"],
    ['libs/contracts', "export * from '@planledger/domain';\n"],
    ['libs/event-store', "export * from '@planledger/application';\n"],
    ['libs/sdk', "export * from '@planledger/event-store';\n"],
  ])('refuses this import in %s: %s', async (lib, code) => {
    const errors = await lintAs(`${lib}/src/lib/boundary-probe.ts`, code);
    expect(errors.some((e) => /enforce-module-boundaries|no-restricted-imports/.test(e))).toBe(true);
  });

  it('accepts what the layers may use', async () => {
    expect(
      await lintAs(
        'libs/domain/src/lib/boundary-probe.ts',
        "import { z } from 'zod';\nexport * from '@planledger/contracts';\nexport const s = z.string();\n",
      ),
    ).toEqual([]);
    expect(
      await lintAs(
        'libs/application/src/lib/boundary-probe.ts',
        "export * from '@planledger/domain';\nexport * from '@planledger/event-store';\n",
      ),
    ).toEqual([]);
  });
});
