import { parseEvent, type GoalEvent } from '@planledger/contracts';
import { projectFigures } from '@planledger/domain';
import { dayWhere, formatAmount, formatPercent } from '../format';
import type { EventStore } from '@planledger/event-store';
import type { Planning } from '../planning';
import { goalStream } from '../streams';
import type { ProjectLife } from './project-life';

/**
 * The project report, from the events alone: goals with target, actual and attainment, every
 * target change and correction with its reason, the team with appraisals and awards, issues,
 * feedback and satisfaction, lessons, and the strategy with what served it.
 */
export async function buildReport(store: EventStore, planning: Planning, life: ProjectLife, projectId: string) {
  const facts = life.goalFacts(projectId);
  const [{ state: project }, team, strategy, meetings, issues, voice, wrapUp, { goals: goalStates, asOf }] = await Promise.all([
    planning.project(projectId),
    planning.team(projectId),
    life.strategy(projectId),
    life.meetings(projectId),
    life.issues(projectId),
    life.feedback(projectId),
    life.wrapUp(projectId, facts),
    facts,
  ]);
  const figures = projectFigures(goalStates, asOf);
  const names = new Map(team.members.map((m) => [m.memberId, m.name]));
  const goals = goalStates
    .filter((g) => g.definition)
    .map((g) => ({
      goalId: g.goalId as string,
      title: g.definition?.title ?? '',
      status: g.status,
      kpi: g.definition?.kpi.name ?? '',
      unit: g.definition?.kpi.unit ?? '',
      owner: g.definition?.owner.kind === 'member' ? g.definition.owner.memberId : 'team',
      /** The owner as people read it: the member's name, or null for the team. */
      ownerName: g.definition?.owner.kind === 'member' ? (names.get(g.definition.owner.memberId) ?? g.definition.owner.memberId) : null,
      target: g.definition?.target ?? 0,
      // The one figure function: a level KPI's latest value, a parent's roll-up, corrections applied.
      actual: figures.get(g.goalId as string)?.actualToDate ?? null,
      attainment: figures.get(g.goalId as string)?.attainment ?? null,
      figures: figures.get(g.goalId as string) ?? null,
    }));
  const changes: {
    goalId: string;
    title: string;
    kind: 'target' | 'correction';
    before: number;
    after: number;
    reason: string;
    at: string;
    by: string;
    actualId?: string;
  }[] = [];
  for (const goal of goals) {
    for (const stored of await store.readStream(goalStream(goal.goalId))) {
      if (stored.type !== 'GoalTargetAdjusted' && stored.type !== 'ActualCorrected') continue;
      const event = parseEvent(stored.type, stored.data) as GoalEvent;
      if (event.type === 'GoalTargetAdjusted')
        changes.push({
          goalId: goal.goalId,
          title: goal.title,
          kind: 'target',
          before: event.data.before,
          after: event.data.after,
          reason: event.data.reason,
          at: stored.recordedAt,
          by: stored.metadata.actor,
        });
      if (event.type === 'ActualCorrected')
        changes.push({
          goalId: goal.goalId,
          title: goal.title,
          kind: 'correction',
          actualId: event.data.actualId,
          before: event.data.before,
          after: event.data.after,
          reason: event.data.reason,
          at: stored.recordedAt,
          by: stored.metadata.actor,
        });
    }
  }
  changes.sort((a, b) => a.at.localeCompare(b.at));
  const { standings } = wrapUp;
  const appraisals = new Map(wrapUp.appraisals.map((a) => [a.memberId, a]));
  return {
    projectId,
    generatedAsOf: asOf,
    project: {
      name: project.charter?.name ?? projectId,
      periodStart: project.charter?.periodStart ?? null,
      periodEnd: project.charter?.periodEnd ?? null,
      managerId: project.charter?.managerId ?? null,
      currency: project.charter?.currency ?? null,
      timeZone: project.charter?.timeZone ?? 'UTC',
      status: project.status,
      outcome: project.outcome ?? null,
    },
    goals,
    changes,
    teamAttainment: standings.teamAttainment,
    team: team.members.map((m) => ({
      memberId: m.memberId,
      name: m.name,
      role: m.role,
      attainment: standings.attainments.find((a) => a.memberId === m.memberId)?.attainment ?? null,
      appraisal: appraisals.get(m.memberId) ?? null,
      awards: standings.awards.filter((a) => a.memberId === m.memberId),
      trainings: wrapUp.trainings.filter((t) => t.memberId === m.memberId),
    })),
    teamAwards: standings.awards.filter((a) => a.memberId === null),
    incentiveScheme: standings.scheme,
    evaluations: wrapUp.evaluations,
    issues: { opened: issues.issues.length, resolved: issues.issues.filter((i) => i.status === 'resolved').length, list: issues.issues },
    feedback: voice.feedback,
    satisfaction: voice.satisfaction,
    lessons: wrapUp.lessons,
    strategy: {
      elements: strategy.elements.map((e) => ({
        elementId: e.elementId,
        kind: e.kind,
        name: e.name,
        servedByGoals: e.servedByGoals,
        servedByTasks: e.servedByTasks,
        unserved: e.unserved,
      })),
      unservedElements: strategy.unservedElements,
      goalsServingNoElement: strategy.goalsServingNoElement,
    },
    meetings: {
      held: meetings.meetings.length,
      decisions: meetings.meetings.flatMap((m) => (m['decisions'] as string[]).map((d) => ({ date: m['date'] as string, decision: d }))),
    },
  };
}

export type ProjectReport = Awaited<ReturnType<typeof buildReport>>;
export type ReportLanguage = 'en' | 'zh';

const LABELS = {
  en: {
    title: 'Project report',
    period: 'Period',
    status: 'Status',
    outcome: 'Outcome',
    goals: 'Goals',
    goal: 'Goal',
    owner: 'Owner',
    target: 'Target',
    actual: 'Actual',
    attainment: 'Attainment',
    withdrawnGoals: 'Withdrawn goals',
    changes: 'Target changes and corrections',
    change: 'Change',
    reason: 'Reason',
    resolution: 'Resolution',
    when: 'When',
    targetChange: 'target',
    correction: 'actual corrected',
    team: 'Team',
    member: 'Member',
    role: 'Role',
    appraisal: 'Appraisal',
    awards: 'Awards',
    teamAwards: 'Team awards',
    training: 'Training',
    evaluation: 'Published evaluations',
    issues: 'Issues',
    opened: 'opened',
    resolved: 'resolved',
    severity: 'Severity',
    feedback: 'Feedback',
    source: 'Source',
    rating: 'Rating',
    satisfaction: 'Customer satisfaction',
    responses: 'responses',
    lessons: 'Lessons learned',
    lesson: 'Lesson',
    kind: 'Kind',
    strategy: 'Strategy',
    element: 'Element',
    servedBy: 'Served by',
    unserved: 'Nothing serves',
    goalsNoElement: 'Goals serving no strategy element',
    meetings: 'Meetings held',
    decisions: 'Decisions',
    none: 'none',
    teamAttainment: 'Team attainment',
    strengths: 'strengths',
    improvements: 'to improve',
    score: 'score',
    csat: 'CSAT',
    nps: 'NPS',
  },
  zh: {
    title: '项目报告',
    period: '周期',
    status: '状态',
    outcome: '结果',
    goals: '目标',
    goal: '目标',
    owner: '负责人',
    target: '目标值',
    actual: '实际值',
    attainment: '达成率',
    withdrawnGoals: '已撤回的目标',
    changes: '目标调整与数据更正',
    change: '变更',
    reason: '原因',
    resolution: '处理结果',
    when: '日期',
    targetChange: '目标值',
    correction: '实际值更正',
    team: '团队',
    member: '成员',
    role: '角色',
    appraisal: '考评',
    awards: '奖励',
    teamAwards: '团队奖励',
    training: '培训',
    evaluation: '已发布的评估',
    issues: '问题',
    opened: '已提出',
    resolved: '已解决',
    severity: '严重程度',
    feedback: '反馈',
    source: '来源',
    rating: '评分',
    satisfaction: '客户满意度',
    responses: '份回复',
    lessons: '经验教训',
    lesson: '内容',
    kind: '类型',
    strategy: '策略',
    element: '策略要素',
    servedBy: '支撑',
    unserved: '无任何支撑',
    goalsNoElement: '未关联策略的目标',
    meetings: '已召开会议',
    decisions: '决议',
    none: '无',
    teamAttainment: '团队达成率',
    strengths: '优势',
    improvements: '待改进',
    score: '评分',
    csat: '满意度（CSAT）',
    nps: '净推荐值（NPS）',
  },
} as const;

/** Every enum value a report prints, in each language: nothing English is left inside Chinese text. */
const WORDS: Record<ReportLanguage, Record<string, string>> = {
  en: {
    open: 'open',
    closed: 'closed',
    none: 'not opened',
    achieved: 'achieved',
    partially_achieved: 'partially achieved',
    missed: 'missed',
    cancelled: 'cancelled',
    on_track: 'on track',
    at_risk: 'at risk',
    off_track: 'off track',
    withdrawn: 'withdrawn',
    low: 'low',
    medium: 'medium',
    high: 'high',
    critical: 'critical',
    resolved: 'resolved',
    team: 'team',
    customer: 'customer',
    success: 'what worked',
    failure: 'what did not',
    market_analysis: 'market analysis',
    segment: 'customer segment',
    channel: 'channel',
    pricing: 'pricing',
    promotion: 'promotion',
  },
  zh: {
    open: '进行中',
    closed: '已结束',
    none: '未开始',
    achieved: '已达成',
    partially_achieved: '部分达成',
    missed: '未达成',
    cancelled: '已取消',
    on_track: '进度正常',
    at_risk: '有落后风险',
    off_track: '已偏离计划',
    withdrawn: '已撤回',
    low: '低',
    medium: '中',
    high: '高',
    critical: '严重',
    resolved: '已解决',
    team: '团队',
    customer: '客户',
    success: '成功经验',
    failure: '失败教训',
    market_analysis: '市场分析',
    segment: '客户细分',
    channel: '渠道',
    pricing: '定价',
    promotion: '推广',
  },
};
/** The word for an enum value; an unknown value (a newer enum) prints as it is. */
const word = (lang: ReportLanguage, value: string | null | undefined) => (value ? (WORDS[lang][value] ?? value) : '');
/** Issue status: "open" of an issue reads differently from "open" of a project in Chinese. */
const issueStatus = (lang: ReportLanguage, status: string) => (lang === 'zh' && status === 'open' ? '未解决' : word(lang, status));

const pct = formatPercent;

/** One report as sections of rows, in either language: the Markdown and HTML renderings share it. */
function sections(report: ProjectReport, lang: ReportLanguage) {
  const l = LABELS[lang];
  const zone = report.project.timeZone;
  const day = (moment: string) => dayWhere(moment, zone);
  const money = (v: number | null, unit: string) => formatAmount(v, unit, lang);
  const names = new Map(report.team.map((m) => [m.memberId, m.name]));
  const person = (memberId: string | null) => (memberId === null ? l.team : (names.get(memberId) ?? memberId));
  const sep = lang === 'zh' ? '；' : '; ';
  const awardText = (a: ProjectReport['teamAwards'][number]) =>
    a.award.kind === 'bonus' ? `${a.title}: ${money(a.award.amount, a.award.currency)}` : `${a.title}: ${a.award.title}`;
  const active = report.goals.filter((g) => g.status !== 'withdrawn');
  const withdrawn = report.goals.filter((g) => g.status === 'withdrawn');
  return [
    {
      heading: l.goals,
      head: [l.goal, l.owner, l.target, l.actual, l.attainment, l.status],
      rows: active.map((g) => [
        g.title,
        g.ownerName ?? l.team,
        money(g.target, g.unit),
        money(g.actual, g.unit),
        pct(g.attainment),
        word(lang, g.figures?.status ?? g.status),
      ]),
      after: [
        `${l.teamAttainment}: ${pct(report.teamAttainment)}`,
        ...(withdrawn.length > 0 ? [`${l.withdrawnGoals}: ${withdrawn.map((g) => g.title).join(lang === 'zh' ? '、' : ', ')}`] : []),
      ],
    },
    {
      heading: l.changes,
      head: [l.goal, l.change, l.reason, l.when],
      rows: report.changes.map((c) => {
        const unit = report.goals.find((g) => g.goalId === c.goalId)?.unit ?? '';
        return [
          c.title,
          `${c.kind === 'target' ? l.targetChange : `${l.correction} (${c.actualId})`}: ${money(c.before, unit)} → ${money(c.after, unit)}`,
          c.reason,
          day(c.at),
        ];
      }),
    },
    {
      heading: l.team,
      head: [l.member, l.role, l.attainment, l.appraisal, l.awards, l.training],
      rows: report.team.map((m) => [
        m.name,
        m.role,
        pct(m.attainment),
        m.appraisal
          ? `${l.score} ${m.appraisal.score}/5${sep}${l.strengths}: ${m.appraisal.strengths.join(', ') || l.none}${sep}${l.improvements}: ${m.appraisal.improvements.join(', ') || l.none}`
          : l.none,
        m.awards.map(awardText).join(sep) || l.none,
        m.trainings.map((t) => `${t.topic} (${t.date})`).join(sep) || l.none,
      ]),
      after: [`${l.teamAwards}: ${report.teamAwards.map(awardText).join(sep) || l.none}`],
    },
    {
      heading: l.evaluation,
      head: [l.when, l.teamAttainment, l.awards],
      rows: report.evaluations.map((e) => [
        day(e.recordedAt),
        pct(e.teamAttainment),
        e.awards.map((a) => `${person(a.memberId)}: ${awardText(a)}`).join(sep) || l.none,
      ]),
    },
    {
      heading: `${l.issues} (${report.issues.opened} ${l.opened}, ${report.issues.resolved} ${l.resolved})`,
      head: [l.issues, l.severity, l.status, l.resolution],
      rows: report.issues.list.map((i) => [i.title ?? '', word(lang, i.severity), issueStatus(lang, i.status), i.resolution ?? '']),
    },
    {
      heading: l.feedback,
      head: [l.source, l.feedback, l.rating],
      rows: report.feedback.map((f) => [word(lang, f.source), `${f.topic}: ${f.text}`, f.rating === undefined ? '—' : `${f.rating}/5`]),
      after: [
        `${l.satisfaction}: ${l.csat} ${report.satisfaction.csat ?? '—'} (${report.satisfaction.csatResponses} ${l.responses}), ${l.nps} ${report.satisfaction.nps ?? '—'} (${report.satisfaction.npsResponses} ${l.responses})`,
      ],
    },
    {
      heading: l.lessons,
      head: [l.kind, l.lesson],
      rows: report.lessons.map((x) => [word(lang, x.outcome), x.text]),
    },
    {
      heading: l.strategy,
      head: [l.element, l.kind, l.servedBy],
      rows: report.strategy.elements.map((e) => [
        e.name,
        word(lang, e.kind),
        [...e.servedByGoals.map((g) => g.title), ...e.servedByTasks.map((t) => t.title)].join(', ') || `⚠ ${l.unserved}`,
      ]),
      after: [
        `${l.goalsNoElement}: ${report.strategy.goalsServingNoElement.map((id) => report.goals.find((g) => g.goalId === id)?.title ?? id).join(', ') || l.none}`,
      ],
    },
    {
      heading: `${l.meetings}: ${report.meetings.held}`,
      head: [l.when, l.decisions],
      rows: report.meetings.decisions.map((d) => [d.date, d.decision]),
    },
  ];
}

/**
 * Text as Markdown shows it and does nothing else: on one line (no injected headings or lists),
 * HTML as entities, and the characters of links, images, emphasis, code and tables escaped, so
 * `[x](javascript:…)`, `<img onerror=…>` or `# Heading` from an issue or feedback stay words.
 */
const mdText = (text: string) =>
  text
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] as string)
    .replace(/[\\`*_[\]|]/g, (c) => `\\${c}`);
const mdCell = mdText;

export function reportMarkdown(report: ProjectReport, lang: ReportLanguage): string {
  const l = LABELS[lang];
  const lines = [
    `# ${l.title}: ${mdText(report.project.name)}`,
    '',
    `- ${l.period}: ${report.project.periodStart} – ${report.project.periodEnd}`,
    `- ${l.status}: ${word(lang, report.project.status)}${report.project.outcome ? `; ${l.outcome}: ${word(lang, report.project.outcome)}` : ''}`,
  ];
  for (const section of sections(report, lang)) {
    lines.push('', `## ${mdText(section.heading)}`, '');
    if (section.rows.length === 0) lines.push(`_${l.none}_`);
    else
      lines.push(
        `| ${section.head.map(mdCell).join(' | ')} |`,
        `|${section.head.map(() => ' --- ').join('|')}|`,
        ...section.rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`),
      );
    if (section.after) lines.push('', ...section.after.map(mdText));
  }
  return `${lines.join('\n')}\n`;
}

const esc = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

export function reportHtml(report: ProjectReport, lang: ReportLanguage): string {
  const l = LABELS[lang];
  const body = sections(report, lang)
    .map((s) => {
      const table =
        s.rows.length === 0
          ? `<p><em>${esc(l.none)}</em></p>`
          : `<table><thead><tr>${s.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${s.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
      return `<section><h2>${esc(s.heading)}</h2>${table}${(s.after ?? []).map((a) => `<p>${esc(a)}</p>`).join('')}</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><title>${esc(`${l.title}: ${report.project.name}`)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f4f4f4}</style>
</head><body>
<h1>${esc(`${l.title}: ${report.project.name}`)}</h1>
<p>${esc(`${l.period}: ${report.project.periodStart} – ${report.project.periodEnd}; ${l.status}: ${word(lang, report.project.status)}${report.project.outcome ? `; ${l.outcome}: ${word(lang, report.project.outcome)}` : ''}`)}</p>
${body}
</body></html>
`;
}
