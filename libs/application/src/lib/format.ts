/** How reports and alerts print numbers, amounts and shares, in one language each. */
export type TextLanguage = 'en' | 'zh';

const LOCALE: Record<TextLanguage, string> = { en: 'en-US', zh: 'zh-CN' };

const isCurrency = (unit: string) => {
  if (!/^[A-Z]{3}$/.test(unit)) return false;
  try {
    new Intl.NumberFormat('en-US', { style: 'currency', currency: unit });
    return true;
  } catch {
    return false;
  }
};

/** A plain number with the locale's grouping, at most two decimals. */
export function formatNumber(value: number, lang: TextLanguage): string {
  return value.toLocaleString(LOCALE[lang], { maximumFractionDigits: 2 });
}

/**
 * An amount in its unit: currencies with their symbol (¥2,000,000; in Chinese large yuan amounts in
 * 万 and 亿, as a Chinese reader counts: ¥447.4万), other units after the number (300 customers).
 */
export function formatAmount(value: number | null | undefined, unit: string, lang: TextLanguage): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (!isCurrency(unit)) return `${formatNumber(value, lang)} ${unit}`;
  if (lang === 'zh' && (unit === 'CNY' || unit === 'RMB')) {
    const abs = Math.abs(value);
    const sign = value < 0 ? '-' : '';
    if (abs >= 100_000_000) return `${sign}¥${formatNumber(Math.round((abs / 100_000_000) * 100) / 100, lang)}亿`;
    if (abs >= 10_000) return `${sign}¥${formatNumber(Math.round((abs / 10_000) * 100) / 100, lang)}万`;
  }
  return new Intl.NumberFormat(LOCALE[lang], {
    style: 'currency',
    currency: unit,
    maximumFractionDigits: 2,
    minimumFractionDigits: 0,
  }).format(value);
}

/** A share (0.815) as a percentage with one decimal (81.5%). */
export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : `${Math.round(value * 1000) / 10}%`;
}

/** A moment's calendar day where the project works (what a report prints next to a change). */
export function dayWhere(moment: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(moment));
}
