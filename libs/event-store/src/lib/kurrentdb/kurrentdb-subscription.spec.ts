import { Readable } from 'node:stream';
import { encodePosition } from '../position';
import { resubscribing, untilAborted } from './kurrentdb-subscription';

const at = (n: number) => encodePosition(BigInt(n * 10), BigInt(n * 10));
const log = Array.from({ length: 12 }, (_, i) => ({ n: i + 1, position: at(i + 1) }));
type Item = (typeof log)[number];

/** A source over `log` that serves items after a position and fails after `failAfter` items, once per entry. */
function flakySource(failures: number[]) {
  const opened: (string | undefined)[] = [];
  const open = (after: string | undefined) => {
    opened.push(after);
    const failAfter = failures.shift();
    return (async function* () {
      let served = 0;
      // Like a server that starts at the position given: the item there comes again first.
      for (const item of log.filter((i) => after === undefined || i.position >= after)) {
        if (failAfter !== undefined && served === failAfter) throw Object.assign(new Error('14 UNAVAILABLE: dropped'), { transient: true });
        served++;
        yield item;
      }
    })();
  };
  return { open, opened };
}

async function collect(iterable: AsyncIterable<Item>, until: number, controller: AbortController): Promise<number[]> {
  const seen: number[] = [];
  for await (const item of iterable) {
    seen.push(item.n);
    if (seen.length === until) controller.abort();
  }
  return seen;
}

describe('a subscription that is dropped', () => {
  it('resubscribes after the last event handed out, losing none and repeating none', async () => {
    const { open, opened } = flakySource([3, 0, 4]);
    const controller = new AbortController();
    const drops: number[] = [];
    const seen = await collect(
      resubscribing({
        open,
        positionOf: (i: Item) => i.position,
        after: at(1),
        signal: controller.signal,
        retryable: (e) => (e as { transient?: boolean }).transient === true,
        delayMs: () => 1,
        onDrop: (_e, attempt) => drops.push(attempt),
      }),
      11,
      controller,
    );
    expect(seen).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // Each opening serves the item it was opened at again first (dropped): reopened after 3 once
    // 2 and 3 were handed out, again after 3 (it failed at once), then after 6.
    expect(opened).toEqual([at(1), at(3), at(3), at(6)]);
    expect(drops).toEqual([1, 2, 1]);
  });

  it('gives up at once on a failure that reopening cannot mend', async () => {
    const { open } = flakySource([2]);
    const denied = resubscribing({
      open,
      positionOf: (i: Item) => i.position,
      after: undefined,
      signal: new AbortController().signal,
      retryable: () => false,
    });
    await expect(collect(denied, 100, new AbortController())).rejects.toThrow(/dropped/);
  });

  it('stops when the signal aborts, even while waiting to resubscribe', async () => {
    const controller = new AbortController();
    const forever = resubscribing({
      // A source that ends at once, every time it is opened.
      open: () => Readable.from([]),
      positionOf: (i: Item) => i.position,
      after: undefined,
      signal: controller.signal,
      retryable: () => true,
      delayMs: () => 60_000,
    });
    setTimeout(() => controller.abort(), 20);
    await expect(collect(forever, 100, controller)).resolves.toEqual([]);
  });
});

describe('a live client subscription', () => {
  it('ends at once when aborted, without waiting for another event, and unsubscribes', async () => {
    // Pushed to by the test; nothing to do when the consumer asks for more.
    const stream = new Readable({ objectMode: true, read: () => undefined });
    let unsubscribed = false;
    const subscription = Object.assign(stream, { unsubscribe: async () => void (unsubscribed = true) });
    const controller = new AbortController();
    const seen: number[] = [];
    const done = (async () => {
      for await (const n of untilAborted<number>(subscription, controller.signal)) seen.push(n);
    })();
    stream.push(1);
    stream.push(2);
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    await done;
    expect(seen).toEqual([1, 2]);
    expect(unsubscribed).toBe(true);
    expect(stream.destroyed).toBe(true);
  });
});
