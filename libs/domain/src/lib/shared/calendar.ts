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

/** How many Monday-based weeks or calendar months the span [from, to] touches. */
export function periodCount(from: string, to: string, kind: 'weekly' | 'monthly'): number {
  if (kind === 'monthly') {
    const [y1, m1] = from.split('-').map(Number);
    const [y2, m2] = to.split('-').map(Number);
    return (y2 - y1) * 12 + (m2 - m1) + 1;
  }
  const monday = (date: string) => {
    const day = toDayNumber(date);
    // 1970-01-01 was a Thursday: day 0 → weekday index 3 with Monday as 0.
    return day - ((day + 3) % 7);
  };
  return (monday(to) - monday(from)) / 7 + 1;
}

/** The calendar day of an ISO date-time, in UTC. */
export function dayOf(dateTime: string): string {
  return new Date(dateTime).toISOString().slice(0, 10);
}
