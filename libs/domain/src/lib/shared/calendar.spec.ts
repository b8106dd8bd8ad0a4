import { dayOf, daysInclusive, periodCount } from './calendar';

describe('calendar arithmetic', () => {
  it.each([
    ['2026-10-01', '2026-12-31', 3],
    ['2026-10-15', '2026-10-16', 1],
    ['2026-11-30', '2027-02-01', 4],
  ])('counts the months %s–%s touches as %i', (from, to, months) => expect(periodCount(from, to, 'monthly')).toBe(months));

  it.each([
    // 2026-11-23 is a Monday, 2026-11-29 a Sunday.
    ['2026-11-23', '2026-11-29', 1],
    ['2026-11-22', '2026-11-23', 2],
    ['2026-10-01', '2026-12-31', 14],
  ])('counts the Monday-based weeks %s–%s touches as %i', (from, to, weeks) => expect(periodCount(from, to, 'weekly')).toBe(weeks));

  it('counts days inclusively and takes the UTC day of a date-time', () => {
    expect(daysInclusive('2026-10-01', '2026-12-31')).toBe(92);
    expect(dayOf('2026-11-20T23:59:59.000Z')).toBe('2026-11-20');
  });
});
