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

/** The calendar day of an ISO date-time, in UTC. */
export function dayOf(dateTime: string): string {
  return new Date(dateTime).toISOString().slice(0, 10);
}
