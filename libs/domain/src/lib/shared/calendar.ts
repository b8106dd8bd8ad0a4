// Calendar arithmetic on ISO dates (YYYY-MM-DD) in UTC: pure, no clock, no time zone surprises.

const DAY_MS = 86_400_000;

export function toDayNumber(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

/** Calendar days from `from` to `to`, inclusive of both. */
export function daysInclusive(from: string, to: string): number {
  return toDayNumber(to) - toDayNumber(from) + 1;
}

export function fromDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Monday-based weekday index: 0 for Monday … 6 for Sunday. 1970-01-01 (day 0) was a Thursday. */
function weekday(day: number): number {
  return (day + 3) % 7;
}

/** The Sunday that ends the Monday-based week of `date`. */
export function sundayOf(date: string): string {
  const day = toDayNumber(date);
  return fromDayNumber(day + 6 - weekday(day));
}

export function lastOfMonth(date: string): string {
  const [y, m] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** How many Monday-based weeks or calendar months the span [from, to] touches. */
export function periodCount(from: string, to: string, kind: 'weekly' | 'monthly'): number {
  if (kind === 'monthly') {
    const [y1, m1] = from.split('-').map(Number);
    const [y2, m2] = to.split('-').map(Number);
    return (y2 - y1) * 12 + (m2 - m1) + 1;
  }
  return (toDayNumber(sundayOf(to)) - toDayNumber(sundayOf(from))) / 7 + 1;
}

/**
 * The calendar day of a moment where the project works (an IANA time zone): the project's "today".
 * Pure: the moment and the zone come in as arguments.
 */
export function dayIn(dateTime: string | Date, timeZone: string): string {
  const at = typeof dateTime === 'string' ? new Date(dateTime) : dateTime;
  return dayFormat(timeZone).format(at);
}

const formats = new Map<string, Intl.DateTimeFormat>();
function dayFormat(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    // en-CA formats a date as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    if (formats.size < 1000) formats.set(timeZone, format);
  }
  return format;
}

/** The calendar day of an ISO date-time, in UTC. */
export function dayOf(dateTime: string): string {
  return new Date(dateTime).toISOString().slice(0, 10);
}
