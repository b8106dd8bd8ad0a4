import { changeOverDays, formatDate, formatMomentIn, formatNumber, formatPercent, formatSigned, gapToExpected, isCurrency } from './format';

describe('numbers in Chinese', () => {
  it('shows ten thousands as 万 and hundred millions as 亿 in the compact form', () => {
    expect(formatNumber(1_925_806, 'zh-CN', { compact: true })).toBe('192.6万');
    expect(formatNumber(300_000_000, 'zh-CN', { compact: true })).toBe('3亿');
    expect(formatNumber(125_000_000, 'zh-CN', { compact: true })).toBe('1.3亿');
    expect(formatNumber(9_999, 'zh-CN', { compact: true })).toBe('9999'); // below 万 the compact form is the plain number
  });

  it('writes a yuan amount with its symbol, in full and compact', () => {
    expect(formatNumber(3_000_000, 'zh-CN', { unit: 'CNY' })).toBe('¥3,000,000');
    expect(formatNumber(3_000_000, 'zh-CN', { unit: 'CNY', compact: true })).toBe('¥300万');
  });
});

describe('numbers in English', () => {
  it('shows thousands and millions as K and M in the compact form', () => {
    expect(formatNumber(1_925_806, 'en', { compact: true })).toBe('1.9M');
    expect(formatNumber(621_831, 'en', { compact: true })).toBe('621.8K');
  });

  it('writes currencies with their symbol and other units after the number', () => {
    expect(formatNumber(621_831, 'en', { unit: 'CNY' })).toBe('¥621,831');
    expect(formatNumber(1_250.5, 'en', { unit: 'USD' })).toBe('$1,251');
    expect(formatNumber(4.25, 'en', { unit: 'score' })).toBe('4.25 score');
    expect(formatNumber(12.5, 'en', { unit: '%' })).toBe('12.5%');
  });

  it('shows a dash where there is no figure yet', () => {
    expect(formatNumber(null, 'en')).toBe('—');
    expect(formatPercent(null, 'zh-CN')).toBe('—');
    expect(formatNumber(Number.NaN, 'en')).toBe('—');
  });

  it('tells a currency code from a unit word', () => {
    expect(isCurrency('CNY')).toBe(true);
    expect(isCurrency('EUR')).toBe(true);
    expect(isCurrency('pcs')).toBe(false);
    expect(isCurrency('ABC')).toBe(false);
  });
});

describe('attainment and gaps', () => {
  it('writes attainment as a whole percent', () => {
    // Wang Fang in the demo: 621,831 of 900,000.
    expect(formatPercent(621_831 / 900_000, 'en')).toBe('69%');
    expect(formatPercent(1.053, 'zh-CN')).toBe('105%');
  });

  it('counts being above the expected as ahead when higher is better', () => {
    expect(gapToExpected(621_831, 577_742, 'higher_is_better')).toBe(44_089);
    expect(gapToExpected(185_797, 449_355, 'higher_is_better')).toBe(-263_558);
  });

  it('counts being under the expected as ahead when lower is better', () => {
    // Cost per lead: expected 120 by now, actual 95: 25 ahead; actual 150: 30 behind.
    expect(gapToExpected(95, 120, 'lower_is_better')).toBe(25);
    expect(gapToExpected(150, 120, 'lower_is_better')).toBe(-30);
    expect(gapToExpected(null, 120, 'lower_is_better')).toBeNull();
  });

  it('signs a gap with a true minus sign', () => {
    expect(formatSigned(-263_558, 'en', { unit: 'CNY' })).toBe('−¥263,558');
    expect(formatSigned(44_089, 'zh-CN', { unit: 'CNY', compact: true })).toBe('+¥4.4万');
    expect(formatSigned(0, 'en')).toBe('0');
  });
});

describe('dates', () => {
  it('writes a business day in each language without moving it across time zones', () => {
    expect(formatDate('2026-12-01', 'zh-CN')).toBe('2026年12月1日');
    expect(formatDate('2026-12-01', 'en')).toBe('1 Dec 2026');
    expect(formatDate(null, 'en')).toBe('—');
  });
});

describe('the change over the last week', () => {
  const series = [
    { date: '2026-11-20', actual: 100 },
    { date: '2026-11-23', actual: 160 },
    { date: '2026-11-24', actual: 170 },
    { date: '2026-11-30', actual: 250 },
    { date: '2026-12-01', actual: null },
  ];

  it('is the last known actual less the one seven days before it', () => {
    // Last known 2026-11-30 (250); seven days before is 2026-11-23 (160).
    expect(changeOverDays(series)).toBe(90);
  });

  it('counts from zero when the series starts within the week', () => {
    expect(changeOverDays([{ date: '2026-10-02', actual: 40 }])).toBe(40);
    expect(changeOverDays([])).toBeNull();
  });
});

describe('moments in the project’s time zone', () => {
  // 17:14 UTC on 1 December is already 01:14 on 2 December in Shanghai (UTC+8), 22:44 in Kolkata (UTC+5:30).
  const raised = '2026-12-01T17:14:25.903Z';

  it('prints the time where the project works and says which zone it is', () => {
    expect(formatMomentIn(raised, 'en', 'Asia/Shanghai')).toBe('2 Dec 2026, 01:14 GMT+8');
    expect(formatMomentIn(raised, 'zh-CN', 'Asia/Shanghai')).toBe('2026年12月2日 01:14 GMT+8');
    expect(formatMomentIn(raised, 'en', 'Asia/Kolkata')).toBe('1 Dec 2026, 22:44 GMT+5:30');
  });

  it('shows a dash when there is no moment', () => {
    expect(formatMomentIn(null, 'en', 'Asia/Shanghai')).toBe('—');
  });
});
