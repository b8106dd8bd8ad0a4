import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { detectEncoding, decodingStream, type TextEncodingName } from './encoding';
import { COLUMNS, columnFor, kindOfHeaders, kindOfSheetName, SHEET_KINDS, SHEET_NAMES, type SheetKind } from './header-map';
import type { CellValue } from './values';

export interface SheetRow {
  /** The row's number as the spreadsheet shows it (the header is row 1). */
  row: number;
  cells: Readonly<Record<string, CellValue>>;
}

export interface ImportTable {
  /** The sheet's name in the workbook, or the CSV file's name. */
  sheet: string;
  kind: SheetKind;
  /** Per column key: the header as written and the column's letter, for messages that point at a cell. */
  columns: Readonly<Record<string, { header: string; letter: string }>>;
  rows: SheetRow[];
}

/** Something about the file as a whole, before any row is read. */
export interface FileProblem {
  sheet: string;
  row: number | null;
  column: string | null;
  code: string;
  message: string;
  /** A warning does not stop the import (an ignored sheet or column). */
  severity: 'error' | 'warning';
}

export interface ReadOptions {
  fileName: string;
  /** For a CSV: which kind of rows it holds; guessed from its headers when absent. */
  kind?: SheetKind;
  /** For a CSV: its encoding; found from the BOM or the bytes when absent. */
  encoding?: TextEncodingName;
  /** Most data rows over all sheets. */
  maxRows: number;
}

export interface ReadResult {
  format: 'xlsx' | 'csv';
  /** The CSV's encoding (null for a workbook). */
  encoding: TextEncodingName | null;
  tables: ImportTable[];
  problems: FileProblem[];
}

/**
 * A spreadsheet to read: its bytes, or the path of a file, which is streamed (a workbook through
 * ExcelJS's streaming reader, a CSV through csv-parse), never read whole.
 */
export type SpreadsheetSource = Buffer | { path: string };

/** More rows than the limit: answered 413 by the API, before anything is checked. */
export class SpreadsheetTooLarge extends Error {
  constructor(
    readonly rows: number,
    readonly limit: number,
  ) {
    super(`the file holds more than ${limit} data rows; split it into files of at most ${limit} rows`);
    this.name = 'SpreadsheetTooLarge';
  }
}

/** The file cannot be read at all (not a workbook, not text, a workbook with no sheet): answered 422. */
export class UnreadableSpreadsheet extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'UnreadableSpreadsheet';
  }
}

export function columnLetter(index: number): string {
  let letter = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) letter = String.fromCharCode(65 + ((n - 1) % 26)) + letter;
  return letter;
}

/** The first bytes of the source (what it is, its BOM, enough text to guess its encoding and delimiter). */
async function head(source: SpreadsheetSource, length: number): Promise<Buffer> {
  if (Buffer.isBuffer(source)) return source.subarray(0, length);
  const file = await open(source.path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

function streamOf(source: SpreadsheetSource, start = 0): Readable {
  if (Buffer.isBuffer(source)) return Readable.from([source.subarray(start)], { objectMode: false });
  return createReadStream(source.path, { start });
}

/** Reads a .xlsx workbook or a CSV into tables of rows keyed by column, whichever the bytes are. */
export async function readSpreadsheet(source: SpreadsheetSource, options: ReadOptions): Promise<ReadResult> {
  const bytes = await head(source, 4);
  if (bytes.length >= 4 && bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0)
    throw new UnreadableSpreadsheet('XLS_NOT_SUPPORTED', 'this is an Excel 97–2003 .xls file; save it as .xlsx (Excel Workbook) or CSV');
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50) return readWorkbook(source, options);
  return readCsv(source, options);
}

function plainCell(value: ExcelJS.CellValue | undefined): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('result' in value) return plainCell(value.result as ExcelJS.CellValue);
  if ('formula' in value || 'sharedFormula' in value) return null;
  if ('text' in value) return plainCell(value.text as ExcelJS.CellValue);
  if ('error' in value) return String(value.error);
  return null;
}

function isEmpty(cells: readonly CellValue[]): boolean {
  return cells.every((c) => c === null || (typeof c === 'string' && c.trim() === ''));
}

/** Maps a header row to column keys; problems for missing required columns and unknown headers. */
function headerColumns(kind: SheetKind, sheet: string, headers: readonly CellValue[], problems: FileProblem[]) {
  const byIndex = new Map<number, string>();
  const columns: Record<string, { header: string; letter: string }> = {};
  headers.forEach((cell, index) => {
    const header = cell === null ? '' : String(cell).trim();
    if (header === '') return;
    const key = columnFor(kind, header);
    if (!key) {
      problems.push({
        sheet,
        row: 1,
        column: `${columnLetter(index)} (${header})`,
        code: 'UNKNOWN_COLUMN',
        message: `the column "${header}" is not one of the ${kind} columns and is ignored`,
        severity: 'warning',
      });
      return;
    }
    if (columns[key]) {
      problems.push({
        sheet,
        row: 1,
        column: `${columnLetter(index)} (${header})`,
        code: 'DUPLICATE_COLUMN',
        message: `"${header}" names the same column as "${columns[key].header}" in ${columns[key].letter}`,
        severity: 'error',
      });
      return;
    }
    byIndex.set(index, key);
    columns[key] = { header, letter: columnLetter(index) };
  });
  for (const spec of COLUMNS[kind]) {
    if (spec.required && !columns[spec.key])
      problems.push({
        sheet,
        row: 1,
        column: null,
        code: 'MISSING_COLUMN',
        message: `the ${kind} sheet has no "${spec.en}" (${spec.zh}) column`,
        severity: 'error',
      });
  }
  return { byIndex, columns };
}

type GridLine = { row: number; cells: CellValue[] };

/** One sheet's rows as they stream by: the first non-empty line is the header, each later one a row, counted against the limit. */
async function tableOf(
  kind: SheetKind,
  sheet: string,
  grid: AsyncIterable<GridLine>,
  problems: FileProblem[],
  count: { rows: number; max: number },
): Promise<ImportTable> {
  let header: ReturnType<typeof headerColumns> | undefined;
  const rows: SheetRow[] = [];
  for await (const line of grid) {
    if (!header) {
      if (isEmpty(line.cells)) continue;
      header = headerColumns(kind, sheet, line.cells, problems);
      continue;
    }
    if (isEmpty(line.cells)) continue;
    if (++count.rows > count.max) throw new SpreadsheetTooLarge(count.rows, count.max);
    const cells: Record<string, CellValue> = {};
    for (const [index, key] of header.byIndex) {
      const value = line.cells[index] ?? null;
      cells[key] = typeof value === 'string' && value.trim() === '' ? null : value;
    }
    rows.push({ row: line.row, cells });
  }
  return { sheet, kind, columns: header?.columns ?? {}, rows };
}

function rowCells(row: ExcelJS.Row): CellValue[] {
  const cells: CellValue[] = [];
  for (let c = 1; c <= row.cellCount; c++) cells.push(plainCell(row.getCell(c).value));
  return cells;
}

type StreamedWorksheet = AsyncIterable<ExcelJS.Row> & { name: string };

/** The worksheets of a workbook in file order, each with its rows, read as the zip is inflated. */
async function* streamedWorksheets(source: SpreadsheetSource): AsyncIterable<StreamedWorksheet> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Buffer.isBuffer(source) ? streamOf(source) : source.path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  yield* reader as unknown as AsyncIterable<StreamedWorksheet>;
}

/** The same from the workbook read whole: for the files the streamed reader cannot follow. */
async function* wholeWorksheets(source: SpreadsheetSource): AsyncIterable<StreamedWorksheet> {
  const book = new ExcelJS.Workbook();
  if (Buffer.isBuffer(source)) await book.xlsx.load(source as unknown as ArrayBuffer);
  else await book.xlsx.readFile(source.path);
  for (const sheet of book.worksheets) {
    const rows: ExcelJS.Row[] = [];
    sheet.eachRow((row) => rows.push(row));
    yield Object.assign(
      (async function* () {
        yield* rows;
      })(),
      { name: sheet.name },
    );
  }
}

async function readWorkbook(source: SpreadsheetSource, options: ReadOptions): Promise<ReadResult> {
  // Streamed: the rows are read as the zip is inflated, never as a whole workbook in memory. The
  // streamed reader cannot name a sheet whose workbook part it has not met (the zip's order, and
  // under load its own timing, decide that); before any row is taken, such a file is read whole.
  let rowsTaken = false;
  try {
    return await workbookTables(streamedWorksheets(source), options, () => (rowsTaken = true));
  } catch (error) {
    if (error instanceof SpreadsheetTooLarge || rowsTaken) throw error;
    return await workbookTables(wholeWorksheets(source), options, () => undefined);
  }
}

async function workbookTables(worksheets: AsyncIterable<StreamedWorksheet>, options: ReadOptions, onRow: () => void): Promise<ReadResult> {
  const problems: FileProblem[] = [];
  const tables: ImportTable[] = [];
  const count = { rows: 0, max: options.maxRows };
  const seen = new Set<SheetKind>();
  try {
    for await (const worksheet of worksheets) {
      const kind = kindOfSheetName(worksheet.name);
      if (!kind || seen.has(kind)) {
        let used = false;
        for await (const row of worksheet) {
          onRow();
          used ||= !isEmpty(rowCells(row));
        }
        if (used)
          problems.push({
            sheet: worksheet.name,
            row: null,
            column: null,
            code: 'SHEET_IGNORED',
            message: kind
              ? `a second ${kind} sheet is ignored; put all ${kind} in one sheet`
              : `the sheet is not read: name it ${SHEET_KINDS.map((k) => `${SHEET_NAMES[k].en} (${SHEET_NAMES[k].zh})`).join(', ')}`,
            severity: 'warning',
          });
        continue;
      }
      seen.add(kind);
      const grid = async function* () {
        for await (const row of worksheet) {
          onRow();
          yield { row: row.number, cells: rowCells(row) };
        }
      };
      tables.push(await tableOf(kind, worksheet.name, grid(), problems, count));
    }
  } catch (error) {
    if (error instanceof SpreadsheetTooLarge) throw error;
    throw new UnreadableSpreadsheet('WORKBOOK_UNREADABLE', `the file is not a readable .xlsx workbook (${(error as Error).message})`);
  }
  if (tables.length === 0 && !problems.some((p) => p.severity === 'error'))
    problems.push({
      sheet: options.fileName,
      row: null,
      column: null,
      code: 'NO_SHEETS',
      message: `the workbook has no sheet named ${SHEET_KINDS.map((k) => `${SHEET_NAMES[k].en} (${SHEET_NAMES[k].zh})`).join(', ')}`,
      severity: 'error',
    });
  // Members first, then goals, tasks and actuals: each may refer to what the earlier ones create.
  tables.sort((a, b) => SHEET_KINDS.indexOf(a.kind) - SHEET_KINDS.indexOf(b.kind));
  return { format: 'xlsx', encoding: null, tables, problems };
}

function delimiterOf(firstLine: string): string {
  const counts = [',', ';', '\t'].map((d) => ({ d, n: firstLine.split(d).length - 1 }));
  return counts.reduce((a, b) => (b.n > a.n ? b : a)).d;
}

/** Enough of a CSV to tell its encoding, its delimiter and (from its header) its kind. */
const SNIFF_BYTES = 64 * 1024;

async function readCsv(source: SpreadsheetSource, options: ReadOptions): Promise<ReadResult> {
  const start = await head(source, SNIFF_BYTES);
  const { encoding, bomLength, sample } = detectEncoding(source, start, options.encoding);
  if (sample.includes('\u0000'))
    throw new UnreadableSpreadsheet('NOT_A_SPREADSHEET', 'the file is neither an .xlsx workbook nor a CSV text file');
  const firstLine = sample.slice(0, sample.search(/\r?\n|$/));
  const decoded = decodingStream(encoding);
  const parser = streamOf(source, bomLength)
    .pipe(decoded.stream)
    .pipe(parse({ delimiter: delimiterOf(firstLine), relax_column_count: true, skip_empty_lines: false, bom: true }));
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  let line = 0;
  const next = async (): Promise<GridLine | undefined> => {
    const record = await records.next();
    return record.done ? undefined : { row: ++line, cells: record.value };
  };
  const problems: FileProblem[] = [];
  try {
    // The header says which kind of rows follow; the lines before it are kept for the table.
    const before: GridLine[] = [];
    let headerLine: GridLine | undefined;
    for (let read = await next(); read; read = headerLine ? undefined : await next()) {
      before.push(read);
      if (!isEmpty(read.cells)) headerLine = read;
    }
    const headers = (headerLine?.cells ?? []) as string[];
    const kind = options.kind ?? kindOfHeaders(headers) ?? kindOfSheetName(options.fileName.replace(/\.[^.]*$/, ''));
    if (!kind) {
      parser.destroy();
      throw new UnreadableSpreadsheet(
        'CSV_KIND_UNKNOWN',
        `cannot tell which rows the CSV holds from its headers (${headers.join(', ')}); say kind=members, goals, tasks or actuals`,
      );
    }
    const grid = async function* () {
      yield* before;
      for (let read = await next(); read; read = await next()) yield read;
    };
    const table = await tableOf(kind, options.fileName, grid(), problems, { rows: 0, max: options.maxRows });
    if (decoded.replaced())
      problems.push({
        sheet: options.fileName,
        row: null,
        column: null,
        code: 'ENCODING_MISMATCH',
        message: `the file is not ${encoding} throughout (its beginning is): save it as UTF-8, or say encoding=gb18030`,
        severity: 'error',
      });
    return { format: 'csv', encoding, tables: [table], problems };
  } catch (error) {
    parser.destroy();
    if (error instanceof SpreadsheetTooLarge || error instanceof UnreadableSpreadsheet) throw error;
    throw new UnreadableSpreadsheet('CSV_UNREADABLE', `the CSV cannot be read: ${(error as Error).message}`);
  }
}
