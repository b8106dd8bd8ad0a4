import type { PlanLedgerConfig } from '@planledger/config';
import { openEventStore } from '@planledger/event-store';

/**
 * Before anything else starts, connects once to a KurrentDB store, so that a server that cannot be
 * reached stops the process with one line naming it (exit code 1) rather than a framework's stack
 * trace. Other stores are opened as usual, by EventStoreModule.
 */
export async function eventStoreReachableOrExit(config: PlanLedgerConfig, name: string): Promise<void> {
  if (config.eventStore.kind !== 'kurrentdb') return;
  try {
    const store = await openEventStore(config.eventStore);
    await store.close();
  } catch (error) {
    process.stderr.write(`${name} failed to start: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
