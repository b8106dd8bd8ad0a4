/**
 * `npm run demo`: loads the demo sales project into the configured store (EVENT_STORE_URL, or the
 * embedded store under DATA_DIR). It refuses a store that holds any event, so it never mixes with
 * real data; to reload, point it at an empty store.
 */
import { loadDemo, StoreNotEmpty } from '@planledger/application';
import { openEventStore } from '@planledger/event-store';
import { loadConfigOrExit } from '@planledger/runtime';

async function main(): Promise<number> {
  const config = loadConfigOrExit();
  const store = await openEventStore(config.eventStore, { poolSize: 2 });
  try {
    process.stderr.write(`Loading the demo project into the ${store.info.adapter} store at ${store.info.location}\n`);
    const projectId = await loadDemo(store, new Date(), (step) => process.stderr.write(`  ${step}\n`));
    process.stdout.write(`Demo project loaded: GET /projects/${projectId}\n`);
    return 0;
  } catch (error) {
    if (error instanceof StoreNotEmpty) {
      process.stderr.write(`${error.message}: ${store.info.location}. Point EVENT_STORE_URL or DATA_DIR at an empty store.\n`);
      return 1;
    }
    throw error;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`demo failed: ${error.message}\n`);
    process.exit(1);
  },
);
