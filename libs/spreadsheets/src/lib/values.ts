/** A cell as read from a workbook or CSV: what the file holds, before any column's rules. */
export type CellValue = string | number | boolean | Date | null;

/** How day-first, month-first and number formats are read: from the locale the file was made in. */
export interface ValueLocale {
  /** Order of a date written with the year last, such as 15.01.2027 or 1/15/2027. */
  dateOrder: 'dmy' | 'mdy';
  /** The decimal mark of numbers written as text. */
  decimal: '.' | ',';
}

const MONTH_FIRST = new Set(['en-US', 'en-PH', 'es-US', 'fil']);
const COMMA_DECIMAL = /^(de|fr|es|it|nl|pt|ru|pl|cs|sv|da|fi|nb|tr|id|vi)\b/;

/** The reading rules of a BCP 47 locale: zh-CN and en read 1,234.5 and 2027/1/15; de-DE reads 1.234,5 and 15.01.2027. */
export function valueLocale(locale: string | undefined): ValueLocale {
  const tag = locale ?? 'en';
  return {
    dateOrder: MONTH_FIRST.has(tag) ? 'mdy' : 'dmy',
    decimal: COMMA_DECIMAL.test(tag) ? ',' : '.',
  };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(reason: string): Parsed<T> => ({ ok: false, reason });

/** Days from Excel's day 0 (1899-12-30, which absorbs the 1900 leap-year bug) to 1970-01-01. */
const EXCEL_EPOCH_DAYS = 25569;
const DAY_MS = 86_400_000;

function isoDate(year: number, month: number, day: number): string | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || year > 9999 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return undefined;
  return date.toISOString().slice(0, 10);
}

export function cellText(value: CellValue): string {
  if (value === null) return '';
  if (value instanceof Date) return value.toISOString();
  return String(value).trim();
}

/**
 * A calendar day from what finance sends: an Excel date cell or serial number, 2027-01-15,
 * 2027/1/15, 2027.1.15, 2027年1月15日, or a year-last date read in the locale's order
 * (15.01.2027 in de-DE, 1/15/2027 in en-US). Answers YYYY-MM-DD.
 */
export function parseDate(value: CellValue, locale: ValueLocale): Parsed<string> {
  if (value instanceof Date) {
    // Workbook dates carry no zone: ExcelJS reads them as UTC midnight of the day shown.
    if (Number.isNaN(value.getTime())) return bad('is not a valid date');
    return ok(value.toISOString().slice(0, 10));
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 1 || value > 2_958_465) return bad(`${value} is not an Excel date serial`);
    return ok(new Date((Math.floor(value) - EXCEL_EPOCH_DAYS) * DAY_MS).toISOString().slice(0, 10));
  }
  const text = cellText(value);
  if (text === '') return bad('is empty');
  let match = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  if (match) {
    const day = isoDate(Number(match[1]), Number(match[2]), Number(match[3]));
    return day ? ok(day) : bad(`"${text}" is not a calendar date`);
  }
  match = /^(\d{1,2})([./-])(\d{1,2})\2(\d{4})$/.exec(text);
  if (match) {
    const [a, b] = [Number(match[1]), Number(match[3])];
    // Dots are day-first wherever they are used; slashes and dashes follow the declared locale.
    const dayFirst = match[2] === '.' || locale.dateOrder === 'dmy';
    const day = isoDate(Number(match[4]), dayFirst ? b : a, dayFirst ? a : b);
    return day
      ? ok(day)
      : bad(
          `"${text}" is not a calendar date read ${dayFirst ? 'day first' : 'month first'} (declare the file's locale if it is the other way)`,
        );
  }
  if (/^\d+(\.\d+)?$/.test(text)) return parseDate(Number(text), locale);
  return bad(`"${text}" is not a date (write 2027-01-15, 2027/1/15 or 15.01.2027)`);
}

function numberForm(decimal: '.' | ',') {
  const group = decimal === ',' ? '.' : ',';
  return {
    group,
    decimal,
    grouped: new RegExp(`^[-+]?\\d{1,3}(\\${group}\\d{3})+(\\${decimal}\\d+)?$`),
    plain: new RegExp(`^[-+]?(\\d+(\\${decimal}\\d*)?|\\${decimal}\\d+)$`),
  };
}
/** Built once per decimal mark: parsing runs for every number cell of a file. */
const NUMBER_FORMS = { '.': numberForm('.'), ',': numberForm(',') } as const;

const MULTIPLIERS: Readonly<Record<string, number>> = { 万: 1e4, 萬: 1e4, 亿: 1e8, 億: 1e8, k: 1e3, K: 1e3, m: 1e6, M: 1e6 };

/**
 * A number from a number cell or text: thousands separators (1,234,567 or 1.234.567,5 in a
 * comma-decimal locale, spaces, apostrophes), a currency sign or code, a 万/亿 (or k/M) multiplier,
 * a trailing %, and (1,234) for a negative amount.
 */
export function parseNumber(value: CellValue, locale: ValueLocale): Parsed<number> {
  if (typeof value === 'number') return Number.isFinite(value) ? ok(value) : bad('is not a finite number');
  if (typeof value === 'boolean' || value instanceof Date) return bad(`${cellText(value)} is not a number`);
  const original = cellText(value);
  let text = original.normalize('NFKC').replace(/[\s\u00a0'’]/g, '');
  if (text === '') return bad('is empty');
  let sign = 1;
  if (/^\(.*\)$/.test(text)) {
    sign = -1;
    text = text.slice(1, -1);
  }
  text = text.replace(/^(?:[A-Z]{3}|[¥$€£元])|(?:[A-Z]{3}|[¥$€£元])$/g, '').replace(/元$/, '');
  let factor = 1;
  const last = text.slice(-1);
  if (last === '%') {
    factor = 0.01;
    text = text.slice(0, -1);
  } else if (MULTIPLIERS[last] !== undefined && /\d/.test(text.slice(-2, -1))) {
    factor = MULTIPLIERS[last];
    text = text.slice(0, -1);
  }
  const { group, decimal, grouped, plain } = NUMBER_FORMS[locale.decimal];
  if (!plain.test(text) && !grouped.test(text)) return bad(`"${original}" is not a number`);
  const parsed = Number(text.split(group).join('').replace(decimal, '.'));
  if (!Number.isFinite(parsed)) return bad(`"${original}" is not a number`);
  // Rounded to 12 significant digits: 1.5万 is 15000, not 15000.000000000002.
  return ok(Number((sign * parsed * factor).toPrecision(12)));
}

/**
 * Items of a list cell: separated by ; 、 ； | or new lines, and by commas unless `commas` is false
 * (numbers in a comma-decimal locale); each trimmed, empty ones dropped.
 */
export function parseList(value: CellValue, commas = true): string[] {
  return cellText(value)
    .split(commas ? /[;；,，、\n|]/ : /[;；、\n|]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
