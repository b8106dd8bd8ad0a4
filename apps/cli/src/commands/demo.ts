import { loadDemo, StoreNotEmpty } from '@planledger/application';
import type { EventStore } from '@planledger/event-store';

/**
 * Loads the demo sales project. It refuses a store that holds any event, so it never mixes with
 * real data; to reload, point it at an empty store.
 */
export async function demo(store: EventStore): Promise<number> {
  try {
    process.stderr.write(`Loading the demo project into the ${store.info.adapter} store at ${store.info.location}\n`);
    const projectId = await loadDemo(store, new Date(), (step) => void process.stderr.write(`  ${step}\n`));
    process.stdout.write(`Demo project loaded: GET /projects/${projectId}\n`);
    return 0;
  } catch (error) {
    if (error instanceof StoreNotEmpty) {
      process.stderr.write(`${error.message}: ${store.info.location}. Point EVENT_STORE_URL or DATA_DIR at an empty store.\n`);
      return 1;
    }
    throw error;
  }
}
