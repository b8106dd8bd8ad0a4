import { ISSUE_SEVERITIES, PROJECT_OUTCOMES } from '@planledger/contracts';
import { InMemoryEventStore } from '@planledger/event-store';
import { alertText, type AlertView } from './alerts/alert-text';
import { DEMO_PREVIOUS_PROJECT_ID, DEMO_PROJECT_ID, loadDemo } from './demo/demo-project';
import { Planning } from './planning';
import { ProjectLife } from './project-life/project-life';
import { buildReport, reportMarkdown } from './project-life/report';

/** Enum values a report or an alert could leak untranslated into Chinese text. */
const ENUM_WORDS = [
  ...PROJECT_OUTCOMES,
  ...ISSUE_SEVERITIES,
  'open',
  'closed',
  'resolved',
  'active',
  'withdrawn',
  'on_track',
  'at_risk',
  'off_track',
  'team',
  'customer',
  'success',
  'failure',
  'market_analysis',
  'segment',
  'channel',
  'pricing',
  'promotion',
  'KpiDriftDetected',
  'KpiBackOnTrack',
  'GoalWentStale',
  'TaskReminderRaised',
];
const enumWord = new RegExp(`(^|[^A-Za-z_])(${ENUM_WORDS.join('|')})($|[^A-Za-z_])`);

/** The cells of every Markdown table, with the line each came from. */
const cells = (markdown: string) =>
  markdown
    .split('\n')
    .filter((line) => line.startsWith('|') && !line.startsWith('| ---') && !line.startsWith('|---'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((c) => c.trim()),
    );

describe('the Chinese report', () => {
  const now = new Date('2026-11-20T10:00:00.000Z');
  let zh: string[];
  beforeAll(async () => {
    const store = new InMemoryEventStore();
    await loadDemo(store, now);
    const planning = new Planning(store);
    const life = new ProjectLife(store, planning, undefined, () => now);
    zh = await Promise.all(
      [DEMO_PROJECT_ID, DEMO_PREVIOUS_PROJECT_ID].map(async (id) => reportMarkdown(await buildReport(store, planning, life, id), 'zh')),
    );
  }, 60_000);

  it('prints no English enum word: every status, severity, source, outcome and kind is translated', () => {
    for (const report of zh) {
      // User-written text (titles, names, notes) may be English; enum values are whole cells or follow a label.
      const enumCells = cells(report).flatMap((row) => row.filter((cell) => ENUM_WORDS.includes(cell) || /^[a-z]+_[a-z_]+$/.test(cell)));
      expect(enumCells).toEqual([]);
      const statusLine = report.split('\n').find((line) => line.startsWith('- 状态'));
      expect(statusLine).toBeDefined();
      expect(statusLine).not.toMatch(enumWord);
    }
  });

  it('has a header for every column, names owners by name, and prints yuan amounts in 万 with the ¥ sign', () => {
    const [current] = zh;
    const lines = current.split('\n');
    const headers = lines.filter(
      (_, i) => lines[i + 1]?.startsWith('| --- ') || lines[i + 1]?.startsWith('|---') || lines[i + 1]?.startsWith('| ---|'),
    );
    expect(headers.length).toBeGreaterThan(5);
    for (const header of headers) expect(cells(header)[0]?.every((c) => c !== '')).toBe(true);
    const goalsTable = current.slice(current.indexOf('## 目标'), current.indexOf('## 目标调整'));
    expect(goalsTable).toContain('| 目标 | 负责人 | 目标值 | 实际值 | 达成率 | 状态 |');
    expect(goalsTable).toContain('| East region revenue | 团队 | ¥250万 |');
    expect(goalsTable).toContain('Wang Fang');
    expect(goalsTable).not.toContain('wang-fang');
    expect(current).toContain('| 问题 | 严重程度 | 状态 | 处理结果 |');
  });
});

describe('the Chinese alert texts', () => {
  const base = { alertId: 'a1', projectId: 'p1', goalId: 'g1', subject: '华东区销售额', raisedAt: '2026-11-20T02:00:00.000Z', unit: 'CNY' };
  const numbers = {
    goalId: 'g1',
    from: 'on_track',
    asOf: '2026-11-20',
    pace: 0.3916,
    expectedToDate: 919_354.84,
    actualToDate: 360_000,
    trailingForecast: 655_000,
    reason: 'at 39% of plan to date, more than twice the tolerance behind',
  };
  const alerts: AlertView[] = [
    { ...base, type: 'KpiDriftDetected', data: { ...numbers, to: 'off_track' } },
    { ...base, type: 'KpiBackOnTrack', data: numbers },
    { ...base, type: 'GoalWentStale', data: { ...numbers, daysSinceLastActual: 9 } },
    { ...base, type: 'TaskReminderRaised', data: { kind: 'overdue', days: 3, dueDate: '2026-11-17' } },
    { ...base, type: 'AlertEscalated', data: { alertType: 'KpiDriftDetected', afterMinutes: 240 } },
  ];

  it.each(alerts.map((a) => [a.type, a]))(
    '%s reads as Chinese only: no English sentence, no enum word, amounts as amounts',
    (_type, alert) => {
      const { title, body } = alertText(alert, 'zh');
      const text = `${title}\n${body}`.replace('PlanLedger', '');
      expect(text).not.toMatch(enumWord);
      expect(text).not.toMatch(/[A-Za-z]{3,}/);
      expect(text).not.toContain('919354.84');
    },
  );

  it('prints the drift amounts with the yuan sign and 万', () => {
    expect(alertText(alerts[0], 'zh').body).toBe(
      '截至 2026-11-20：计划完成 ¥91.94万，实际完成 ¥36万，为计划进度的 39.2%；按近期速度，截止日预计达到 ¥65.5万。',
    );
  });
});
