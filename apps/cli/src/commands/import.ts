import { SpreadsheetImports, type ImportProgress, type ImportReport } from '@planledger/application';
import type { EventStore } from '@planledger/event-store';
import {
  SHEET_KINDS,
  SpreadsheetTooLarge,
  TEXT_ENCODINGS,
  UnreadableSpreadsheet,
  type SheetKind,
  type TextEncodingName,
} from '@planledger/spreadsheets';
import { SingleBar } from 'cli-progress';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { userInfo } from 'node:os';
import { UsageError } from './projections';

export interface ImportCommandOptions {
  project: string;
  commit?: boolean;
  actor?: string;
  locale?: string;
  kind?: string;
  encoding?: string;
  /** Progress on stderr: a bar on a terminal, one line per step otherwise. Default: when stderr is a terminal. */
  progress?: boolean;
  json?: boolean;
}

/** Largest file the CLI reads (the API's limit is smaller: this runs where the file is). */
const MAX_BYTES = 200 * 1024 * 1024;

const PHASE_LABEL: Record<ImportProgress['phase'], string> = { reading: 'reading', checking: 'checking', writing: 'writing', done: 'done' };

function progressReporter(enabled: boolean): { update(p: ImportProgress): void; stop(): void } {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      format: '{phase} [{bar}] {value}/{total} rows | {eta_formatted} left',
      stream: process.stderr,
      hideCursor: true,
    });
    let phase: ImportProgress['phase'] | undefined;
    return {
      update(p) {
        if (p.phase !== phase) {
          if (phase) bar.stop();
          phase = p.phase;
          if (p.phase === 'checking' || p.phase === 'writing') bar.start(Math.max(p.total, 1), 0, { phase: PHASE_LABEL[p.phase] });
        }
        if (p.phase === 'checking' || p.phase === 'writing') bar.update(p.done, { phase: PHASE_LABEL[p.phase] });
      },
      stop: () => bar.stop(),
    };
  }
  let last = '';
  return {
    update(p) {
      const line = `${PHASE_LABEL[p.phase]} ${p.done}/${p.total}`;
      if (line !== last) process.stderr.write(`${line}\n`);
      last = line;
    },
    stop: () => undefined,
  };
}

function printReport(report: ImportReport): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(
    `${report.dryRun ? 'Dry run of' : 'Import of'} ${report.fileName} (${report.format}${report.encoding ? `, ${report.encoding}` : ''}) into ${report.projectId}`,
  );
  for (const sheet of report.sheets)
    out(
      `  ${sheet.sheet} (${sheet.kind}): ${sheet.rows} rows, ${sheet.written} ${report.committed ? 'written' : 'to write'}, ${sheet.alreadyPresent} already present, ${sheet.rejected} with errors`,
    );
  for (const p of report.problems.slice(0, 50))
    out(
      `  ${p.severity === 'error' ? 'error' : 'warning'}: ${p.sheet}${p.row === null ? '' : ` row ${p.row}`}${p.column ? ` column ${p.column}` : ''}: ${p.message} [${p.code}]`,
    );
  const more = report.problems.length - Math.min(50, report.problems.length) + report.moreProblems;
  if (more > 0) out(`  … and ${more} more problems (--json lists ${report.problems.length})`);
  if (!report.ok) out('Nothing was written: correct the rows above and run again.');
  else if (report.dryRun) out('No problems. Run again with --commit to import.');
  else out(`Imported: ${report.eventsWritten} events (correlation id ${report.importId}).`);
}

/** `planledger import <file> --project <id>`: a dry run, or with --commit the import itself. */
export async function importSpreadsheet(store: EventStore, file: string, options: ImportCommandOptions): Promise<number> {
  if (options.kind !== undefined && !SHEET_KINDS.includes(options.kind as SheetKind))
    throw new UsageError(`--kind must be one of ${SHEET_KINDS.join(', ')}`);
  if (options.encoding !== undefined && !TEXT_ENCODINGS.includes(options.encoding as TextEncodingName))
    throw new UsageError(`--encoding must be one of ${TEXT_ENCODINGS.join(', ')}`);
  const size = await stat(file).then(
    (s) => s.size,
    () => {
      throw new UsageError(`cannot read ${file}`);
    },
  );
  if (size > MAX_BYTES) throw new UsageError(`${file} is larger than ${MAX_BYTES / 1024 / 1024} MB`);
  const progress = progressReporter(options.progress ?? process.stderr.isTTY);
  try {
    const report = await new SpreadsheetImports(store).run({
      projectId: options.project,
      fileName: basename(file),
      source: { path: file },
      actor: options.actor ?? `user:${userInfo().username}`,
      dryRun: !options.commit,
      locale: options.locale,
      kind: options.kind as SheetKind | undefined,
      encoding: options.encoding as TextEncodingName | undefined,
      onProgress: (p) => progress.update(p),
    });
    progress.stop();
    if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else printReport(report);
    return report.ok ? 0 : 1;
  } catch (error) {
    progress.stop();
    if (error instanceof SpreadsheetTooLarge || error instanceof UnreadableSpreadsheet) throw new UsageError(error.message);
    throw error;
  }
}
