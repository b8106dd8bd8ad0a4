import { InMemoryEventStore } from '@planledger/event-store';
import { Feed } from './feed';

describe('the feed', () => {
  it('pages a sparse scope without losing an event between pages, in a few reads', async () => {
    const store = new InMemoryEventStore();
    for (let i = 0; i < 600; i++) {
      const projectId = i % 10 === 0 ? 'mine' : 'other';
      await store.appendToStream(
        `s-${i}`,
        [{ type: 'ProjectClosed', data: { projectId, reason: `r${i}` }, metadata: { actor: 'user:t', projectId } }],
        { expected: 'no_stream' },
      );
    }
    let reads = 0;
    const counting = Object.assign(Object.create(store) as InMemoryEventStore, {
      readAll: (...args: Parameters<InMemoryEventStore['readAll']>) => (reads++, store.readAll(...args)),
    });
    const feed = new Feed(counting);
    const seen: string[] = [];
    for (let after: string | undefined, caughtUp = false; !caughtUp;) {
      const page = await feed.page({ after, limit: 7 }, { all: false, projects: new Set(['mine']) });
      seen.push(...page.events.map((e) => e.subject));
      after = page.next ?? undefined;
      caughtUp = page.caughtUp;
    }
    expect(seen).toEqual(Array.from({ length: 60 }, (_, k) => `s-${k * 10}`));
    // 60 events, 7 a page: nine pages, each one read of up to 500 events (not one read per event skipped).
    expect(reads).toBeLessThanOrEqual(12);
  });
});
