import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeText, encodeText } from './encoding';
import { columnFor, kindOfHeaders } from './header-map';
import { readSpreadsheet, SpreadsheetTooLarge, UnreadableSpreadsheet } from './read-tables';
import { parseDate, parseNumber, valueLocale } from './values';
import { templateCsv, templateWorkbook } from './write-workbook';

const en = valueLocale('en');
const de = valueLocale('de-DE');
const us = valueLocale('en-US');

describe('dates finance sends', () => {
  it.each([
    ['2027-01-15', en, '2027-01-15'],
    ['2027/1/15', en, '2027-01-15'],
    ['2027年1月15日', en, '2027-01-15'],
    ['15.01.2027', en, '2027-01-15'],
    ['15/01/2027', de, '2027-01-15'],
    ['1/15/2027', us, '2027-01-15'],
  ])('reads %s', (text, locale, day) => expect(parseDate(text, locale)).toEqual({ ok: true, value: day }));

  it('reads an Excel serial number and a date cell', () => {
    expect(parseDate(46402, en)).toEqual({ ok: true, value: '2027-01-15' });
    expect(parseDate(new Date(Date.UTC(2027, 0, 15)), en)).toEqual({ ok: true, value: '2027-01-15' });
  });

  it('refuses a day that does not exist and text that is no date, saying so', () => {
    expect(parseDate('2027-02-30', en)).toMatchObject({ ok: false, reason: expect.stringContaining('not a calendar date') });
    expect(parseDate('1/15/2027', de)).toMatchObject({ ok: false, reason: expect.stringContaining('locale') });
    expect(parseDate('next Monday', en)).toMatchObject({ ok: false, reason: expect.stringContaining('not a date') });
  });
});

describe('numbers with separators and 万', () => {
  it.each([
    ['1,234,567', en, 1234567],
    ['1.234.567,5', de, 1234567.5],
    ['120万', en, 1_200_000],
    ['1.5万', en, 15_000],
    ['¥58,000', en, 58000],
    ['(1,200)', en, -1200],
    ['30%', en, 0.3],
    [' 42 ', en, 42],
  ])('reads %s', (text, locale, value) => expect(parseNumber(text, locale)).toEqual({ ok: true, value }));

  it('refuses text that is no number, and a separator in the wrong place', () => {
    expect(parseNumber('twelve', en).ok).toBe(false);
    expect(parseNumber('1,23,4', en).ok).toBe(false);
  });
});

describe('headers', () => {
  it('finds a column by its English or Chinese header, ignoring case, units and marks', () => {
    expect(columnFor('members', 'Weekly capacity (h)')).toBe('weeklyCapacityHours');
    expect(columnFor('members', '每周工时（小时）')).toBe('weeklyCapacityHours');
    expect(columnFor('actuals', '业务日期')).toBe('businessDate');
    expect(columnFor('goals', 'Title *')).toBe('title');
    expect(columnFor('goals', 'colour')).toBeUndefined();
  });

  it('tells a CSV of actuals from its headers', () => {
    expect(kindOfHeaders(['目标', '业务日期', '数值', '外部编号'])).toBe('actuals');
    expect(kindOfHeaders(['Name', 'Role', 'Weekly capacity'])).toBe('members');
  });
});

describe('CSV encodings', () => {
  const text = '目标,业务日期,数值\r\n华东区销售额,2027/1/15,5.8万\r\n';

  it.each(['utf-8', 'gb18030', 'utf-16le'] as const)('reads Chinese in %s', async (encoding) => {
    const bytes =
      encoding === 'utf-16le' ? Buffer.concat([Buffer.from([0xff, 0xfe]), encodeText(text, encoding)]) : encodeText(text, encoding);
    expect(decodeText(bytes).encoding).toBe(encoding);
    const read = await readSpreadsheet(bytes, { fileName: 'sales.csv', maxRows: 10 });
    expect(read.tables[0]).toMatchObject({
      kind: 'actuals',
      rows: [{ row: 2, cells: { goal: '华东区销售额', businessDate: '2027/1/15', value: '5.8万' } }],
    });
  });

  it('stops at the row limit', async () => {
    await expect(
      readSpreadsheet(encodeText(text + text.split('\r\n')[1].repeat(1) + '\r\n', 'utf-8'), { fileName: 'a.csv', maxRows: 1 }),
    ).rejects.toThrow(SpreadsheetTooLarge);
  });
});

describe('workbooks', () => {
  it('reads a workbook with Chinese sheet names and headers, dates and formulas', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('实绩');
    sheet.addRow(['目标', '业务日期', '数值', '备注']);
    sheet.addRow(['q1', new Date(Date.UTC(2027, 0, 15)), { formula: '1+1', result: 2 }, { richText: [{ text: '订' }, { text: '单' }] }]);
    workbook.addWorksheet('Notes').addRow(['anything']);
    const read = await readSpreadsheet(Buffer.from(await workbook.xlsx.writeBuffer()), { fileName: 'a.xlsx', maxRows: 10 });
    expect(read.tables).toHaveLength(1);
    expect(read.tables[0].rows[0].cells).toEqual({ goal: 'q1', businessDate: new Date(Date.UTC(2027, 0, 15)), value: 2, note: '订单' });
    expect(read.problems).toEqual([expect.objectContaining({ sheet: 'Notes', code: 'SHEET_IGNORED', severity: 'warning' })]);
  });

  it('reads its own templates back as one example row per sheet, with drop-down lists', async () => {
    for (const language of ['en', 'zh'] as const) {
      const bytes = await templateWorkbook(language);
      const read = await readSpreadsheet(bytes, { fileName: 't.xlsx', maxRows: 100 });
      expect(read.tables.map((t) => [t.kind, t.rows.length])).toEqual([
        ['members', 1],
        ['goals', 1],
        ['tasks', 1],
        ['actuals', 1],
      ]);
      expect(read.problems).toEqual([]);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
      expect(workbook.worksheets[1].getCell('E2').dataValidation).toMatchObject({ type: 'list' });
      const csv = await readSpreadsheet(templateCsv('actuals', language), { fileName: 'actuals.csv', maxRows: 10 });
      expect(csv.tables[0]).toMatchObject({ kind: 'actuals', rows: [{ row: 2 }] });
    }
  });
});

describe('files streamed from disk', () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'planledger-sheets-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const file = async (name: string, bytes: Buffer) => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return { path };
  };

  it('reads a GB18030 CSV of many rows from its path, and stops at the row limit on the way', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `华东区销售额,2027/1/${(i % 28) + 1},${i},订单-${i}`);
    const source = await file('gb.csv', encodeText(`目标,业务日期,数值,外部编号\r\n${rows.join('\r\n')}\r\n`, 'gb18030'));
    const read = await readSpreadsheet(source, { fileName: 'gb.csv', maxRows: 20_000 });
    expect(read).toMatchObject({ format: 'csv', encoding: 'gb18030', problems: [] });
    expect(read.tables[0].rows).toHaveLength(20_000);
    expect(read.tables[0].rows[19_999]).toEqual({
      row: 20_001,
      cells: { goal: '华东区销售额', businessDate: '2027/1/8', value: '19999', externalRef: '订单-19999' },
    });
    await expect(readSpreadsheet(source, { fileName: 'gb.csv', maxRows: 19_999 })).rejects.toThrow(SpreadsheetTooLarge);
  });

  it('says so when a file that began as UTF-8 is not UTF-8 further on', async () => {
    const head = `Goal,Date,Value\r\n${'Revenue,2027-01-15,1\r\n'.repeat(5000)}`;
    const source = await file('mixed.csv', Buffer.concat([Buffer.from(head), encodeText('华东区销售额,2027-01-15,2\r\n', 'gb18030')]));
    const read = await readSpreadsheet(source, { fileName: 'mixed.csv', maxRows: 10_000 });
    expect(read.problems).toEqual([expect.objectContaining({ code: 'ENCODING_MISMATCH', severity: 'error' })]);
  });

  it('reads a workbook from its path with the streaming reader', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Notes').addRow(['anything']);
    const sheet = workbook.addWorksheet('Actuals');
    sheet.addRow(['Goal', 'Date', 'Value']);
    for (let i = 0; i < 3000; i++) sheet.addRow([`g${i % 3}`, new Date(Date.UTC(2027, 0, (i % 28) + 1)), i]);
    const source = await file('a.xlsx', Buffer.from(await workbook.xlsx.writeBuffer()));
    const read = await readSpreadsheet(source, { fileName: 'a.xlsx', maxRows: 3000 });
    expect(read.tables.map((t) => [t.sheet, t.kind, t.rows.length])).toEqual([['Actuals', 'actuals', 3000]]);
    expect(read.tables[0].rows[2999]).toEqual({
      row: 3001,
      cells: { goal: 'g2', businessDate: new Date(Date.UTC(2027, 0, 4)), value: 2999 },
    });
    expect(read.problems).toEqual([expect.objectContaining({ sheet: 'Notes', code: 'SHEET_IGNORED' })]);
    await expect(readSpreadsheet(source, { fileName: 'a.xlsx', maxRows: 2999 })).rejects.toThrow(SpreadsheetTooLarge);
  });

  it('reads a workbook whose sheets come before its workbook part in the zip, from a path and from memory', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('实绩');
    sheet.addRow(['目标', '业务日期', '数值']);
    sheet.addRow(['q1', new Date(Date.UTC(2027, 0, 15)), 7]);
    workbook.addWorksheet('Notes').addRow(['anything']);
    // The shared strings and the relationships first, then the sheets, the workbook part last: the
    // streamed reader meets each sheet before it knows the sheet's name.
    const written = await JSZip.loadAsync(await workbook.xlsx.writeBuffer());
    const names = Object.keys(written.files).filter((n) => !written.files[n].dir);
    const rank = (n: string) => (n === 'xl/workbook.xml' ? 3 : n.startsWith('xl/worksheets/sheet') ? 2 : 1);
    const reordered = new JSZip();
    for (const name of [...names].sort((a, b) => rank(a) - rank(b))) reordered.file(name, await written.files[name].async('uint8array'));
    const bytes = Buffer.from(await reordered.generateAsync({ type: 'uint8array', compression: 'DEFLATE' }));
    const order = Object.keys((await JSZip.loadAsync(bytes)).files);
    expect(order.indexOf('xl/sharedStrings.xml')).toBeLessThan(order.indexOf('xl/worksheets/sheet1.xml'));
    expect(order.indexOf('xl/worksheets/sheet1.xml')).toBeLessThan(order.indexOf('xl/workbook.xml'));
    for (const source of [await file('late-workbook.xlsx', bytes), bytes]) {
      const read = await readSpreadsheet(source, { fileName: 'late-workbook.xlsx', maxRows: 10 });
      expect(read.tables.map((t) => [t.sheet, t.kind])).toEqual([['实绩', 'actuals']]);
      expect(read.tables[0].rows).toEqual([{ row: 2, cells: { goal: 'q1', businessDate: new Date(Date.UTC(2027, 0, 15)), value: 7 } }]);
      expect(read.problems).toEqual([expect.objectContaining({ sheet: 'Notes', code: 'SHEET_IGNORED' })]);
    }
  });

  it('refuses a broken workbook as unreadable', async () => {
    const bytes = Buffer.from(await templateWorkbook('en'));
    const source = await file('broken.xlsx', bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(readSpreadsheet(source, { fileName: 'broken.xlsx', maxRows: 10 })).rejects.toThrow(UnreadableSpreadsheet);
  });
});
