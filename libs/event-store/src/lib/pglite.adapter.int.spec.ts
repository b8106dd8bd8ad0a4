import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgliteEventStore } from './pglite.adapter';
import { describeEventStoreContract } from './testing/event-store.contract';
import { describeGroupCommitCases } from './testing/group-commit.cases';

// initdb of a fresh PGlite takes a few seconds on two cores.
jest.setTimeout(60_000);

// The contract holds with group commit on (the default) and off.
for (const groupCommit of [true, false]) {
  describeEventStoreContract(`PGlite (in memory), ${groupCommit ? 'group commit' : 'a transaction per append'}`, {
    open: (options) => createPgliteEventStore({ ...options, groupCommit }),
  });
}

describeGroupCommitCases('PGlite', (groupCommit) => createPgliteEventStore({ groupCommit }));

describe('PGlite on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'planledger-pglite-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps events across a close and reopen, and refuses a second open of a directory in use', async () => {
    const first = await createPgliteEventStore({ dataDir: dir });
    await first.appendToStream('kept-1', [{ type: 'Kept', data: { n: 1 }, metadata: { actor: 'u' } }], { expected: 'no_stream' });
    await expect(createPgliteEventStore({ dataDir: dir })).rejects.toThrow(/already open in this process/);
    await first.close();

    const reopened = await createPgliteEventStore({ dataDir: dir });
    try {
      const events = await reopened.readStream('kept-1');
      expect(events.map((e) => e.data)).toEqual([{ n: 1 }]);
      expect(reopened.info).toEqual({ adapter: 'pglite', location: dir });
    } finally {
      await reopened.close();
    }
  });
});
