import type { Direction, GoalStatus } from './api/types';

/** The dashboard's two languages; the browser's language decides by default. */
export type Language = 'zh-CN' | 'en';

const ISO_CURRENCY = /^[A-Z]{3}$/;

/** Whether a KPI unit is an ISO 4217 currency code (CNY, USD …), shown with its symbol. */
export function isCurrency(unit: string | undefined): boolean {
  return unit !== undefined && ISO_CURRENCY.test(unit) && Intl.supportedValuesOf('currency').includes(unit);
}

export interface NumberOptions {
  /** The KPI's unit: a currency code gets its symbol, `%` a percent of the value, any other word follows the number. */
  unit?: string;
  /** Short form for cards and axes: 万 and 亿 in Chinese, K and M in English. */
  compact?: boolean;
}

/**
 * A KPI value as people in that language read it: 1,925,806 (en), 192.6万 (zh-CN, compact),
 * ¥3,000,000.00 → ¥300万 (zh-CN, compact CNY). null (no actual yet) shows a dash.
 */
export function formatNumber(value: number | null | undefined, language: Language, options: NumberOptions = {}): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const { unit, compact = false } = options;
  const base: Intl.NumberFormatOptions = compact
    ? { notation: 'compact', minimumFractionDigits: 0, maximumFractionDigits: Math.abs(value) >= 1e4 ? 1 : 0 }
    : { minimumFractionDigits: 0, maximumFractionDigits: Math.abs(value) >= 100 ? 0 : 2 };
  if (isCurrency(unit)) {
    return new Intl.NumberFormat(language, { ...base, style: 'currency', currency: unit, currencyDisplay: 'narrowSymbol' }).format(value);
  }
  const number = new Intl.NumberFormat(language, base).format(value);
  if (!unit) return number;
  if (unit === '%') return `${number}%`;
  return `${number} ${unit}`;
}

/** A share (0.6909 → 69%, 1.053 → 105%); null (nothing to compare against) shows a dash. */
export function formatPercent(share: number | null | undefined, language: Language, fractionDigits = 0): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  return new Intl.NumberFormat(language, {
    style: 'percent',
    maximumFractionDigits: fractionDigits,
    minimumFractionDigits: fractionDigits,
  }).format(share);
}

/** A calendar day (2026-12-01) in the reader's form: 2026年12月1日 or 1 Dec 2026. Business days carry no time zone. */
export function formatDate(isoDate: string | null | undefined, language: Language): string {
  if (!isoDate) return '—';
  const [y, m, d] = isoDate.slice(0, 10).split('-').map(Number);
  return new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : language, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** A moment (an ISO instant) with its time, in the reader's time zone unless one is given. */
export function formatDateTime(iso: string | null | undefined, language: Language, timeZone?: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : language, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
    new Date(iso),
  );
}

/**
 * A moment in a given time zone (the project's), saying which, so it reads beside the project's
 * business dates: 2 Dec 2026, 01:14 GMT+8 / 2026年12月2日 01:14 GMT+8.
 */
export function formatMomentIn(iso: string | null | undefined, language: Language, timeZone: string): string {
  if (!iso) return '—';
  const zone = new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'shortOffset' })
    .formatToParts(new Date(iso))
    .find((p) => p.type === 'timeZoneName')?.value;
  return `${formatDateTime(iso, language, timeZone)} ${zone ?? timeZone}`;
}

/**
 * How far the actual is from where the plan expects it today, signed so that positive is always
 * good: for a lower-is-better KPI (cost, churn, days to close) being under the expected is ahead.
 */
export function gapToExpected(actual: number | null, expected: number, direction: Direction): number | null {
  if (actual === null || !Number.isFinite(actual) || !Number.isFinite(expected)) return null;
  return direction === 'lower_is_better' ? expected - actual : actual - expected;
}

/** A signed gap for display: +44,089 ahead / −263,558 behind (the word comes from the catalogue). */
export function formatSigned(value: number | null, language: Language, options: NumberOptions = {}): string {
  if (value === null) return '—';
  const text = formatNumber(Math.abs(value), language, options);
  if (value === 0) return text;
  return `${value > 0 ? '+' : '−'}${text}`;
}

/** Status order for sorting: the worst first. */
export const STATUS_RANK: Record<GoalStatus, number> = { off_track: 0, at_risk: 1, on_track: 2 };

/** The change of a cumulative series over the last `days` days (the API's own daily series). */
export function changeOverDays(series: readonly { date: string; actual: number | null }[], days = 7): number | null {
  const known = series.filter((p) => p.actual !== null);
  if (known.length === 0) return null;
  const last = known[known.length - 1];
  const from = new Date(`${last.date}T00:00:00Z`);
  from.setUTCDate(from.getUTCDate() - days);
  const cutoff = from.toISOString().slice(0, 10);
  const before = [...known].reverse().find((p) => p.date <= cutoff);
  return (last.actual as number) - (before?.actual ?? 0);
}
