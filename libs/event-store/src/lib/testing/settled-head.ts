import type { AppendResult, EventStore, MultiAppendResult, Position } from '../event-store.port';
import { comparePositions } from '../position';

const raws = new WeakMap<object, EventStore>();

export interface SettledHeadOptions {
  /** readAll also waits, so a reader that follows it (a projection runner) sees every acknowledged append. */
  reads?: boolean;
  /** How long to wait for the head before answering what there is (the test's assertion then says what is missing). */
  timeoutMs?: number;
}

/**
 * The store as a test that reads the log's head needs it. On the SQL stores an event is handed out
 * once every transaction that began before it has ended, in the whole PostgreSQL cluster: another
 * test's write in another schema holds it back for as long as that write is open, so a head read
 * just after an acknowledged append can fall short of it. That is the store's promise (nothing is
 * skipped), not a fault, but a test that takes the head as "after my writes" must wait for it: this
 * store answers `headPosition` (and, with `reads`, `readAll`) once the head has reached every append
 * made through it. Everything else goes to the store as it is.
 */
export function withSettledHead(store: EventStore, options: SettledHeadOptions = {}): EventStore {
  const timeoutMs = options.timeoutMs ?? 15_000;
  let last: Position | undefined;
  const note = (positions: readonly Position[]) => {
    for (const p of positions) if (last === undefined || comparePositions(p, last) > 0) last = p;
  };
  const settle = async () => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const head = await store.headPosition();
      if (last === undefined || (head !== undefined && comparePositions(head, last) >= 0) || Date.now() > deadline) return head;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const proxy = new Proxy(store, {
    get(target, property) {
      switch (property) {
        case 'appendToStream':
          return async (...args: Parameters<EventStore['appendToStream']>) => {
            const result: AppendResult = await target.appendToStream(...args);
            note(result.positions);
            return result;
          };
        case 'appendToStreams':
          return async (...args: Parameters<EventStore['appendToStreams']>) => {
            const result: MultiAppendResult = await target.appendToStreams(...args);
            note(result.streams.flatMap((s) => s.positions));
            return result;
          };
        case 'headPosition':
          return settle;
        case 'readAll':
          if (options.reads)
            return async (...args: Parameters<EventStore['readAll']>) => {
              await settle();
              return target.readAll(...args);
            };
          break;
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  raws.set(proxy, store);
  return proxy;
}

/** The store a `withSettledHead` store wraps (adapters' test harnesses key their own state by it). */
export function rawStore(store: EventStore): EventStore {
  return raws.get(store) ?? store;
}
