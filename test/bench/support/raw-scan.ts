import type { EventStore } from '@planledger/event-store';

/** Every event of the log read through the store, pages of 5,000: the baseline read benchmarks compare against. */
export async function rawScan(store: EventStore): Promise<{ events: number; seconds: number }> {
  const started = process.hrtime.bigint();
  let events = 0;
  for (let after: string | undefined, page; ; after = page.position) {
    page = await store.readAll({ after, limit: 5000 });
    events += page.events.length;
    if (page.events.length < 5000) break;
  }
  return { events, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
