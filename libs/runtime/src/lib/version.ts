import { version } from '../../../../package.json';

/** PlanLedger's version, from the root package.json (bundled at build time). */
export const PLANLEDGER_VERSION: string = version;
