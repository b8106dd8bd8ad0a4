import { randomUUID } from 'node:crypto';
import type { EventStore, NewEvent } from '../event-store.port';
import { decodePosition } from '../position';
import type { GroupCommitLimits } from '../sql/group-commit';
import { sqlClientOf } from '../sql/sql-event-store';

/** Opens a PostgreSQL or PGlite store with the group commit settings given. */
export type OpenSqlStore = (groupCommit: boolean | Partial<GroupCommitLimits>) => Promise<EventStore>;

const event = (i: number): NewEvent => ({ type: 'Batched', data: { i }, metadata: { actor: 'user:batch' } });
const txOf = (position: string) => decodePosition(position).transactionId;

/** Group commit as the SQL adapters do it: batches in one transaction, bounded, and each append answered alone. */
export function describeGroupCommitCases(name: string, open: OpenSqlStore): void {
  describe(`group commit: ${name}`, () => {
    it('writes the appends that queue behind a committing batch together in the next transaction, a lone one at once', async () => {
      // One batch at a time, so the queued appends are exactly those behind the first.
      const store = await open({ maxBatches: 1 });
      try {
        const run = randomUUID().slice(0, 8);
        const lone = await store.appendToStream(`gc-lone-${run}`, [event(0)], { expected: 'no_stream' });
        // The store takes its next batch at the end of this turn of the event loop; let it find none.
        await new Promise((resolve) => setImmediate(resolve));
        const [lead, ...queued] = await Promise.all(
          Array.from({ length: 9 }, (_, i) => store.appendToStream(`gc-${run}-${i}`, [event(i), event(i)], { expected: 'no_stream' })),
        );
        const txs = new Set(queued.flatMap((r) => r.positions.map(txOf)));
        expect(txs.size).toBe(1);
        expect(txs.has(txOf(lead.positions[0]))).toBe(false);
        expect(txOf(lone.positions[0])).not.toBe(txOf(lead.positions[0]));
      } finally {
        await store.close();
      }
    });

    it('bounds a batch by its number of appends and by its bytes', async () => {
      const store = await open({ maxAppends: 3, maxBytes: 64 * 1024, maxBatches: 1 });
      try {
        const run = randomUUID().slice(0, 8);
        const transactionsOf = async (count: number, data: NewEvent['data']) => {
          const [, ...queued] = await Promise.all(
            Array.from({ length: count + 1 }, (_, i) =>
              store.appendToStream(`gc-bound-${run}-${i}-${count}`, [{ ...event(i), data }], { expected: 'no_stream' }),
            ),
          );
          return new Set(queued.map((r) => txOf(r.positions[0]))).size;
        };
        expect(await transactionsOf(7, { small: true })).toBe(3); // 3 + 3 + 1
        // About 40 kB each: one append a transaction under a 64 kB bound.
        expect(await transactionsOf(3, { big: 'x'.repeat(40_000) })).toBe(3);
      } finally {
        await store.close();
      }
    });

    it('writes every append of a batch in its own transaction when group commit is off', async () => {
      const store = await open(false);
      try {
        const run = randomUUID().slice(0, 8);
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) => store.appendToStream(`gc-off-${run}-${i}`, [event(i)], { expected: 'no_stream' })),
        );
        expect(new Set(results.map((r) => txOf(r.positions[0]))).size).toBe(6);
      } finally {
        await store.close();
      }
    });

    it('has the database answer each unit on its own, input only it refuses included, and commit the others', async () => {
      const store = await open(true);
      try {
        const sql = sqlClientOf(store);
        if (!sql) throw new Error('not a SQL store');
        const run = randomUUID().slice(0, 8);
        const ids = Array.from({ length: 4 }, () => randomUUID());
        const doc = (i: number) => ({ type: 'Batched', schemaVersion: 1, data: { i }, metadata: { actor: 'user:batch' } });
        // Four units: good, a schema version that is not a number (its stream row is written before
        // the event fails), good, events that are not a JSON array.
        const rows = await sql.query<{ unit: number; part: number | null; code: string | null; revision: string | null }>(
          `SELECT o_unit AS unit, o_part AS part, o_code AS code, o_revision::text AS revision
             FROM pl_append_batch($1::integer[], $2::integer[], $3::text[], $4::text[], $5::boolean[], $6::integer[], $7::uuid[],
               $8::jsonb, $9::text[], $10::bigint[])`,
          [
            [1, 1, 1, 1],
            [0, 0, 0, 0],
            [`gc-sql-${run}-0`, `gc-sql-${run}-1`, `gc-sql-${run}-2`, `gc-sql-${run}-3`],
            ['no_stream', 'any', 'any', 'any'],
            [true, true, true, true],
            [1, 1, 1, 1],
            ids,
            JSON.stringify([[doc(0)], [{ ...doc(1), schemaVersion: 'one' }], [doc(2)], { not: 'an array' }]),
            [],
            [],
          ],
        );
        expect(rows.map((r) => [r.unit, r.code === null ? 'ok' : 'refused'])).toEqual([
          [0, 'ok'],
          [1, 'refused'],
          [2, 'ok'],
          [3, 'refused'],
        ]);
        expect(rows[1].code).toBe('22P02'); // invalid text representation: 'one' as an integer
        expect(rows[3].code).toBe('22023'); // cannot extract elements from an object
        expect(await Promise.all([0, 1, 2, 3].map((i) => store.streamRevision(`gc-sql-${run}-${i}`)))).toEqual([
          0,
          undefined,
          0,
          undefined,
        ]);
      } finally {
        await store.close();
      }
    });
  });
}
