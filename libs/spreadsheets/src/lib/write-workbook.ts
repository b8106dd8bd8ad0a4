import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { encodeText } from './encoding';
import { COLUMNS, SHEET_KINDS, SHEET_NAMES, type SheetKind } from './header-map';
import type { CellValue } from './values';

export interface OutputColumn {
  key: string;
  header: string;
  /** Characters wide; from the header and the values when absent. */
  width?: number;
  /** An Excel number format: '#,##0', '0.0%', 'yyyy-mm-dd'. */
  numFmt?: string;
  /** A drop-down list of allowed values on the data rows. */
  choices?: readonly string[];
  /** Shown as the header cell's note. */
  note?: string;
}

export interface OutputSheet {
  name: string;
  columns: readonly OutputColumn[];
  rows: readonly Readonly<Record<string, CellValue | undefined>>[];
  /** Rows with drop-down lists beyond the data, for a template to be filled in. */
  validationRows?: number;
}

/** A formatted workbook: bold frozen header, widths that fit, number formats and drop-down lists. */
export async function writeWorkbook(
  sheets: readonly OutputSheet[],
  properties: { creator?: string; title?: string } = {},
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = properties.creator ?? 'PlanLedger';
  if (properties.title) workbook.title = properties.title;
  workbook.created = new Date();
  for (const sheet of sheets) {
    const worksheet = workbook.addWorksheet(sheet.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    worksheet.columns = sheet.columns.map((column) => ({
      key: column.key,
      header: column.header,
      width: column.width ?? fitWidth(column, sheet.rows),
      ...(column.numFmt ? { style: { numFmt: column.numFmt } } : {}),
    }));
    const header = worksheet.getRow(1);
    header.font = { bold: true };
    header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
    sheet.columns.forEach((column, index) => {
      if (column.note) header.getCell(index + 1).note = column.note;
    });
    for (const row of sheet.rows) worksheet.addRow(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v ?? null])));
    const last = Math.max(sheet.rows.length + 1, sheet.validationRows ?? 0);
    sheet.columns.forEach((column, index) => {
      if (!column.choices || column.choices.length === 0) return;
      const formula = `"${column.choices.join(',')}"`;
      for (let r = 2; r <= last; r++)
        worksheet.getCell(r, index + 1).dataValidation = {
          type: 'list',
          allowBlank: true,
          formulae: [formula],
          showErrorMessage: true,
          errorTitle: column.header,
          error: `${column.choices.join(', ')}`,
        };
    });
    if (sheet.rows.length > 0) worksheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: sheet.columns.length } };
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function fitWidth(column: OutputColumn, rows: OutputSheet['rows']): number {
  let widest = displayWidth(column.header);
  for (const row of rows.slice(0, 500)) {
    const value = row[column.key];
    const text = value instanceof Date ? '2027-01-15' : typeof value === 'number' ? value.toLocaleString('en') : String(value ?? '');
    widest = Math.max(widest, displayWidth(text));
  }
  return Math.min(60, Math.max(8, widest + 2));
}

/** Chinese characters take two columns of width. */
function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]/.test(ch) ? 2 : 1;
  return width;
}

export type TemplateLanguage = 'en' | 'zh';

/** Values the template's drop-down lists offer. */
export const TEMPLATE_CHOICES = {
  roles: {
    en: ['manager', 'account executive', 'sales representative', 'presales', 'analyst'],
    zh: ['经理', '客户经理', '销售代表', '售前', '分析师'],
  },
  directions: { en: ['higher_is_better', 'lower_is_better'], zh: ['越高越好', '越低越好'] },
  aggregations: { en: ['cumulative', 'level'], zh: ['累计', '水平'] },
  phasings: { en: ['linear', 'monthly', 'weekly'], zh: ['线性', '按月', '按周'] },
} as const;

/** The example row of each sheet, in the template's language. */
const EXAMPLES: Record<TemplateLanguage, Record<SheetKind, Record<string, CellValue>>> = {
  en: {
    members: {
      memberId: 'li-na',
      name: 'Li Na',
      role: 'manager',
      responsibilities: 'East region; key accounts',
      skills: 'negotiation:4; CRM:3',
      weeklyCapacityHours: 40,
      reportsTo: null,
    },
    goals: {
      goalId: 'q1-revenue',
      title: 'Q1 revenue',
      kpi: 'Revenue',
      unit: 'CNY',
      direction: 'higher_is_better',
      aggregation: 'cumulative',
      target: 1_200_000,
      baseline: 0,
      startDate: '2027-01-01',
      deadline: '2027-03-31',
      phasing: 'monthly',
      weights: '30%; 30%; 40%',
      owner: 'li-na',
      parent: null,
      tolerance: '10%',
      strategyRefs: null,
    },
    tasks: {
      taskId: 'visit-top-20',
      title: 'Visit the top 20 accounts',
      description: 'Plan and hold one meeting each',
      owner: 'li-na',
      dueDate: '2027-02-15',
      estimateHours: 30,
      goal: 'q1-revenue',
      strategyRef: null,
    },
    actuals: {
      goal: 'q1-revenue',
      owner: 'li-na',
      businessDate: '2027-01-15',
      value: 58_000,
      externalRef: 'CRM-10042',
      note: 'Order from Acme',
    },
  },
  zh: {
    members: {
      memberId: 'li-na',
      name: '李娜',
      role: '经理',
      responsibilities: '华东区、重点客户',
      skills: '谈判:4; CRM:3',
      weeklyCapacityHours: 40,
      reportsTo: null,
    },
    goals: {
      goalId: 'q1-revenue',
      title: '第一季度销售额',
      kpi: '销售额',
      unit: 'CNY',
      direction: '越高越好',
      aggregation: '累计',
      target: '120万',
      baseline: 0,
      startDate: '2027-01-01',
      deadline: '2027-03-31',
      phasing: '按月',
      weights: '30%; 30%; 40%',
      owner: '李娜',
      parent: null,
      tolerance: '10%',
      strategyRefs: null,
    },
    tasks: {
      taskId: 'visit-top-20',
      title: '拜访前20大客户',
      description: '每家安排一次会面',
      owner: '李娜',
      dueDate: '2027/2/15',
      estimateHours: 30,
      goal: 'q1-revenue',
      strategyRef: null,
    },
    actuals: {
      goal: 'q1-revenue',
      owner: '李娜',
      businessDate: '2027/1/15',
      value: '5.8万',
      externalRef: 'CRM-10042',
      note: '某某公司订单',
    },
  },
};

/** The import template: one sheet per kind with its headers, an example row and drop-down lists. */
export function templateWorkbook(language: TemplateLanguage): Promise<Buffer> {
  return writeWorkbook(
    SHEET_KINDS.map((kind) => ({
      name: SHEET_NAMES[kind][language],
      columns: COLUMNS[kind].map((spec) => ({
        key: spec.key,
        header: `${spec[language]}${spec.required ? ' *' : ''}`,
        note: spec.help,
        choices: spec.choices ? TEMPLATE_CHOICES[spec.choices][language] : undefined,
        ...(spec.type === 'number' ? { numFmt: '#,##0.##' } : {}),
      })),
      rows: [EXAMPLES[language][kind]],
      validationRows: 500,
    })),
    { title: language === 'zh' ? 'PlanLedger 导入模板' : 'PlanLedger import template' },
  );
}

/** One kind's CSV template: header and example row, UTF-8 with a BOM (Excel opens it as UTF-8). */
export function templateCsv(kind: SheetKind, language: TemplateLanguage): Buffer {
  const columns = COLUMNS[kind];
  const example = EXAMPLES[language][kind];
  const text = stringify([columns.map((c) => c[language]), columns.map((c) => example[c.key] ?? '')], { record_delimiter: '\r\n' });
  return encodeText(text, 'utf-8', true);
}
