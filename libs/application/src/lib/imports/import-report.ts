import type { SheetKind } from '@planledger/spreadsheets';

/** One thing wrong with the file, pointing at the cell: sheet, row (as the spreadsheet numbers it) and column. */
export interface ImportProblem {
  sheet: string;
  row: number | null;
  /** The column's letter and header as written, e.g. `C (业务日期)`; null for the whole row or file. */
  column: string | null;
  /** The column's key in the header map (`businessDate`), when the problem is one cell. */
  field: string | null;
  /** Stable: `BAD_DATE`, `UNKNOWN_MEMBER`, `PHASING_WEIGHTS_SUM`, `DUPLICATE_REFERENCE`, … */
  code: string;
  message: string;
  /** Errors stop the import; warnings (an ignored column or sheet) do not. */
  severity: 'error' | 'warning';
}

export interface ImportSheetSummary {
  sheet: string;
  kind: SheetKind;
  /** Data rows read. */
  rows: number;
  /** Rows that are (or, in a dry run, would be) written now. */
  written: number;
  /** Rows already in the project (imported before): written nothing. */
  alreadyPresent: number;
  /** Rows with at least one error. */
  rejected: number;
}

export interface ImportReport {
  /** The correlation id every event of this import carries: `import:<file>:<digest>`. */
  importId: string;
  projectId: string;
  fileName: string;
  format: 'xlsx' | 'csv';
  encoding: string | null;
  dryRun: boolean;
  /** True when the file has no error: a dry run may be followed by the import itself. */
  ok: boolean;
  /** Whether anything was written (never in a dry run, never when a problem is an error). */
  committed: boolean;
  sheets: ImportSheetSummary[];
  problems: ImportProblem[];
  /** How many problems there were beyond those listed (the list is capped). */
  moreProblems: number;
  /** Events appended (0 in a dry run). */
  eventsWritten: number;
  actor: string;
  startedAt: string;
  finishedAt: string;
}

export interface ImportProgress {
  phase: 'reading' | 'checking' | 'writing' | 'done';
  /** Rows handled in this phase so far, and how many there are. */
  done: number;
  total: number;
}
