import { InMemoryEventStore } from './in-memory.adapter';
import { describeEventStoreContract } from './testing/event-store.contract';

describeEventStoreContract('in-memory', {
  open: async (options) => new InMemoryEventStore(options),
});

describe('InMemoryEventStore', () => {
  it('keeps history safe from later mutation of the objects the caller appended or read', async () => {
    const store = new InMemoryEventStore();
    const data = { items: ['a'] };
    await store.appendToStream('s-1', [{ type: 'X', data, metadata: { actor: 'u' } }], { expected: 'no_stream' });
    data.items.push('b');
    const [first] = await store.readStream('s-1');
    (first.data['items'] as string[]).push('c');
    const [again] = await store.readStream('s-1');
    expect(again.data).toEqual({ items: ['a'] });
  });
});
