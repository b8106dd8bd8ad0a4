import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { redactUrl } from '@planledger/config';
import { comparePositions } from '../position';
import { restorerOf } from '../sql/sql-event-store';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { createKurrentDbEventStore } from './create-kurrentdb-event-store';
import type { KurrentDbEventStore } from './kurrentdb.adapter';
import { fromPosition } from './kurrentdb-position.codec';

jest.setTimeout(60_000);

// The shared contract against a real KurrentDB server, when one is named. No server can be had on
// the machines this project is built on (nor in its CI): there the run says so in one line, and
// checks only that a named server that cannot be reached fails the run loudly.
const url = process.env['KURRENTDB_URL']?.trim() || undefined;

async function open(options: Parameters<typeof createKurrentDbEventStore>[0]): Promise<KurrentDbEventStore> {
  try {
    return await createKurrentDbEventStore(options);
  } catch (error) {
    throw new Error(`KURRENTDB_URL is set, but the KurrentDB contract suite cannot run: ${(error as Error).message}`);
  }
}

if (url === undefined) {
  process.stdout.write(
    'KurrentDB contract suite not run: KURRENTDB_URL is not set (no KurrentDB server on this machine; README "KurrentDB" says how to run it)\n',
  );
  describe('the KurrentDB contract suite', () => {
    it('fails loudly, naming the server, when KURRENTDB_URL names one that cannot be reached', async () => {
      const port = await new Promise<number>((resolve) => {
        const server = createServer().listen(0, '127.0.0.1', () => {
          const address = server.address();
          server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
        });
      });
      await expect(open({ connectionString: `kurrentdb://127.0.0.1:${port}?tls=false` })).rejects.toThrow(
        new RegExp(
          `^KURRENTDB_URL is set, but the KurrentDB contract suite cannot run: Cannot reach the KurrentDB event store at kurrentdb://127\\.0\\.0\\.1:${port}`,
        ),
      );
    });
  });
} else {
  const connectionString = url;
  describeEventStoreContract(`KurrentDB at ${redactUrl(connectionString)}`, {
    open: (options) => open({ ...options, connectionString }),
    openSecond: () => open({ connectionString }),
  });

  describe(`KurrentDB adapter at ${redactUrl(connectionString)}`, () => {
    let store: KurrentDbEventStore;
    beforeAll(async () => {
      store = await open({ connectionString });
    });
    afterAll(() => store?.close());

    it('declares what the server it is connected to can do', () => {
      const [major, minor] = store.features.version.split('.').map(Number);
      const at = (m: number, n: number) => major > m || (major === m && minor >= n);
      expect(store.capabilities.conditions).toBe(at(26, 1) ? 'atomic' : 'refused');
      expect(store.capabilities.multiStreamAppends).toBe(at(25, 1) ? 'atomic' : 'refused');
    });

    it('keeps both halves of every position, ordered as the log', async () => {
      const stream = `pos-${randomUUID()}`;
      const result = await store.appendToStream(
        stream,
        Array.from({ length: 3 }, (_, i) => ({ type: 'Positioned', data: { i }, metadata: { actor: 'user:contract' } })),
        { expected: 'no_stream' },
      );
      const read = await store.readStream(stream);
      expect(read.map((e) => e.position)).toEqual(result.positions);
      for (let i = 1; i < read.length; i++) expect(comparePositions(read[i - 1].position, read[i].position)).toBeLessThan(0);
      // Reading $all from the first event's position hands out the next two: the start is exclusive.
      const page = await store.readAll({ after: result.positions[0], limit: 2 });
      expect(page.events.map((e) => e.position)).toEqual(result.positions.slice(1));
      for (const position of result.positions) expect(fromPosition(position).prepare).toBeGreaterThanOrEqual(0n);
    });

    it('restores events with their first recorded times, which reads prefer to the server’s', async () => {
      const restore = restorerOf(store);
      expect(restore).toBeDefined();
      const stream = `restored-${randomUUID()}`;
      const recordedAt = '2025-03-01T09:30:00.000Z';
      const eventId = randomUUID();
      await restore?.([
        {
          streamId: stream,
          expected: 'no_stream',
          events: [{ eventId, type: 'Restored', schemaVersion: 2, data: { a: 1 }, metadata: { actor: 'user:x' }, recordedAt }],
        },
      ]);
      const [restored] = await store.readStream(stream);
      expect(restored).toMatchObject({ eventId, schemaVersion: 2, data: { a: 1 }, recordedAt, revision: 0 });
      expect(restored.metadata).not.toHaveProperty('planledger');
    });
  });
}
