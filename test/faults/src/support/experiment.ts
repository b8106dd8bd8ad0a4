import { appendFileSync } from 'node:fs';
import { summarise } from './load';
import type { Reconciliation } from './reconcile';
import type { FaultStack } from './stack';

export interface Findings {
  experiment: string;
  load: ReturnType<typeof summarise>;
  /** Before any retry: what the fault itself left. */
  beforeRetry: Reconciliation;
  /** After each ambiguous command with a key was sent again with its key. */
  afterRetry: Reconciliation;
  retried: number;
  alerts: Awaited<ReturnType<FaultStack['alertDeliveries']>>;
  readModels: { documents: number; differing: string[] };
  workerRestarts: number;
  /** How each worker that ended by itself ended (its first error line and last lines). */
  workerExits: string[];
  apiRestarts: number;
  /** Anything the experiment measured of its own (outage, recovery time, p99 …), and how long each step took. */
  figures: Record<string, number | string>;
}

/**
 * Stops the load and holds what it recorded against the log, the read models and the receiver:
 * first as the fault left it, then after retrying each ambiguous keyed command with its key.
 * Prints the findings as one JSON line (and appends it to FAULTS_REPORT when set).
 */
export async function findings(stack: FaultStack, experiment: string, figures: Record<string, number | string> = {}): Promise<Findings> {
  const records = await stack.load.stop();
  const load = summarise(records);
  await stack.settle();
  const beforeRetry = await stack.reconcile();
  const retried = (await stack.load.retryAmbiguous()).length;
  await stack.settle();
  const afterRetry = await stack.reconcile();
  const alerts = await stack.alertDeliveries();
  const result: Findings = {
    experiment,
    load,
    beforeRetry,
    afterRetry,
    retried,
    alerts,
    readModels: await stack.readModelsAgainstRebuild(),
    workerRestarts: stack.worker.restarts,
    workerExits: stack.worker.history.filter((h) => h.startsWith('exited') && !h.startsWith('exited 0')),
    apiRestarts: stack.api.restarts,
    figures,
  };
  const line = JSON.stringify({ ...result, beforeRetry: brief(beforeRetry), afterRetry: brief(afterRetry) });
  console.log(`fault findings: ${line}`);
  if (process.env['FAULTS_REPORT']) appendFileSync(process.env['FAULTS_REPORT'], `${line}\n`);
  return result;
}

/** The invariants every experiment holds today: none lost, none doubled, no gap, and every command once after its keyed retry. */
export function expectInvariants(f: Findings): void {
  expect(f.load.acknowledged).toBeGreaterThan(0);
  expect(f.beforeRetry.lost).toEqual([]);
  expect(f.beforeRetry.doubled).toEqual([]);
  expect(f.beforeRetry.refusedButWritten).toEqual([]);
  expect(f.beforeRetry.gaps).toEqual([]);
  expect(f.afterRetry.lost).toEqual([]);
  expect(f.afterRetry.doubled).toEqual([]);
  expect(f.afterRetry.refusedButWritten).toEqual([]);
  expect(f.afterRetry.gaps).toEqual([]);
  // Every keyed command got a definite answer on its retry.
  expect(f.afterRetry.ambiguous.keyed).toBe(0);
  // Unkeyed meetings cut in half cannot be completed (a retry without the key is refused as a
  // repeat): only keyed ones can, and all of them are whole after their retry.
  expect(f.afterRetry.halfWritten.keyed).toEqual([]);
  expect(f.alerts.missing).toBe(0);
  expect(f.readModels.documents).toBeGreaterThan(0);
  expect(f.readModels.differing).toEqual([]);
}

function brief(r: Reconciliation) {
  return {
    lost: r.lost.length,
    doubled: r.doubled.length,
    refusedButWritten: r.refusedButWritten.length,
    gaps: r.gaps.length,
    halfWritten: { keyed: r.halfWritten.keyed.length, unkeyed: r.halfWritten.unkeyed.length },
    ambiguous: r.ambiguous,
    events: r.events,
  };
}
