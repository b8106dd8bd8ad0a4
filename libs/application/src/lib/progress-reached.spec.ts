import { InMemoryEventStore, type EventStore } from '@planledger/event-store';
import { InMemoryReadModelStore, ProjectionRunner } from '@planledger/projections';
import { goalProgressProjection, projectionsReached } from './progress';

/**
 * Read-your-writes asks whether the progress view has applied a write at a position. A write the
 * log does not show yet (an older transaction elsewhere is still open, on PostgreSQL) must not
 * count as applied just because no event is pending in what the log shows.
 */
describe('projectionsReached', () => {
  const written = async () => {
    const store = new InMemoryEventStore();
    const { positions } = await store.appendToStream(
      'goal-g1',
      [
        {
          type: 'ActualRecorded',
          data: { goalId: 'g1', actualId: 'a1', value: 5, businessDate: '2027-01-15' },
          metadata: { actor: 'user:t', projectId: 'p1' },
        },
      ],
      { expected: 'any' },
    );
    return { store, position: positions[0] };
  };

  /** The same store, showing nothing of its log yet. */
  const heldBack = (store: EventStore): EventStore =>
    new Proxy(store, {
      get(target, property) {
        if (property === 'headPosition') return async () => undefined;
        if (property === 'readAll') return async () => ({ events: [], position: undefined });
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });

  it('is not reached while the log does not show the write yet, though nothing is pending in what it shows', async () => {
    const { store, position } = await written();
    await expect(projectionsReached(new InMemoryReadModelStore(), heldBack(store), [goalProgressProjection], position, 100)).resolves.toBe(
      false,
    );
  });

  it('is not reached while the write is pending, and is once the view applied it', async () => {
    const { store, position } = await written();
    const models = new InMemoryReadModelStore();
    await expect(projectionsReached(models, store, [goalProgressProjection], position, 100)).resolves.toBe(false);
    await new ProjectionRunner(store, models, goalProgressProjection).catchUp();
    await expect(projectionsReached(models, store, [goalProgressProjection], position, 100)).resolves.toBe(true);
  });

  it('is reached at once when no position is asked for', async () => {
    const { store } = await written();
    await expect(projectionsReached(new InMemoryReadModelStore(), heldBack(store), [goalProgressProjection], undefined, 100)).resolves.toBe(
      true,
    );
  });
});
