import { parseEvent, type GoalEvent } from '@planledger/contracts';
import { goalAttainment } from '@planledger/domain';
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
  const goals = goalStates.filter((g) => g.definition).map((g) => ({
    goalId: g.goalId as string,
    title: g.definition?.title ?? '',
    status: g.status,
    kpi: g.definition?.kpi.name ?? '',
    unit: g.definition?.kpi.unit ?? '',
    owner: g.definition?.owner.kind === 'member' ? g.definition.owner.memberId : 'team',
    target: g.definition?.target ?? 0,
    actual: [...g.actuals.values()].reduce((sum, a) => sum + a.value, 0),
    attainment: goalAttainment(g, asOf),
  }));
  const changes: { goalId: string; title: string; kind: 'target' | 'correction'; before: number; after: number; reason: string; at: string; by: string; actualId?: string }[] = [];
  for (const goal of goals) {
    for (const stored of await store.readStream(goalStream(goal.goalId))) {
      if (stored.type !== 'GoalTargetAdjusted' && stored.type !== 'ActualCorrected') continue;
      const event = parseEvent(stored.type, stored.data) as GoalEvent;
      if (event.type === 'GoalTargetAdjusted') changes.push({ goalId: goal.goalId, title: goal.title, kind: 'target', before: event.data.before, after: event.data.after, reason: event.data.reason, at: stored.recordedAt, by: stored.metadata.actor });
      if (event.type === 'ActualCorrected')
        changes.push({ goalId: goal.goalId, title: goal.title, kind: 'correction', actualId: event.data.actualId, before: event.data.before, after: event.data.after, reason: event.data.reason, at: stored.recordedAt, by: stored.metadata.actor });
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
      elements: strategy.elements.map((e) => ({ elementId: e.elementId, kind: e.kind, name: e.name, servedByGoals: e.servedByGoals, servedByTasks: e.servedByTasks, unserved: e.unserved })),
      unservedElements: strategy.unservedElements,
      goalsServingNoElement: strategy.goalsServingNoElement,
    },
    meetings: { held: meetings.meetings.length, decisions: meetings.meetings.flatMap((m) => (m['decisions'] as string[]).map((d) => ({ date: m['date'] as string, decision: d }))) },
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
    changes: 'Target changes and corrections',
    change: 'Change',
    reason: 'Reason',
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
    satisfaction: 'Customer satisfaction',
    responses: 'responses',
    lessons: 'Lessons learned',
    strategy: 'Strategy',
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
    changes: '目标调整与数据更正',
    change: '变更',
    reason: '原因',
    when: '时间',
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
    satisfaction: '客户满意度',
    responses: '份回复',
    lessons: '经验教训',
    strategy: '策略',
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
  },
} as const;

const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 1000) / 10}%`);
const num = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 2 });
const awardText = (a: ProjectReport['teamAwards'][number]) => (a.award.kind === 'bonus' ? `${a.title}: ${num(a.award.amount)} ${a.award.currency}` : `${a.title}: ${a.award.title}`);

/** One report as sections of rows, in either language: the Markdown and HTML renderings share it. */
function sections(report: ProjectReport, lang: ReportLanguage) {
  const l = LABELS[lang];
  return [
    {
      heading: l.goals,
      head: [l.goal, l.owner, l.target, l.actual, l.attainment],
      rows: report.goals.map((g) => [g.title, g.owner, `${num(g.target)} ${g.unit}`, num(g.actual), pct(g.attainment)]),
      after: [`${l.teamAttainment}: ${pct(report.teamAttainment)}`],
    },
    {
      heading: l.changes,
      head: [l.goal, l.change, l.reason, l.when],
      rows: report.changes.map((c) => [c.title, `${c.kind === 'target' ? l.targetChange : `${l.correction} (${c.actualId})`}: ${num(c.before)} → ${num(c.after)}`, c.reason, c.at.slice(0, 10)]),
    },
    {
      heading: l.team,
      head: [l.member, l.role, l.attainment, l.appraisal, l.awards, l.training],
      rows: report.team.map((m) => [
        m.name,
        m.role,
        pct(m.attainment),
        m.appraisal ? `${l.score} ${m.appraisal.score}/5; ${l.strengths}: ${m.appraisal.strengths.join(', ') || l.none}; ${l.improvements}: ${m.appraisal.improvements.join(', ') || l.none}` : l.none,
        m.awards.map(awardText).join('; ') || l.none,
        m.trainings.map((t) => `${t.topic} (${t.date})`).join('; ') || l.none,
      ]),
      after: [`${l.teamAwards}: ${report.teamAwards.map(awardText).join('; ') || l.none}`],
    },
    {
      heading: l.evaluation,
      head: [l.when, l.teamAttainment, l.awards],
      rows: report.evaluations.map((e) => [e.recordedAt.slice(0, 10), pct(e.teamAttainment), e.awards.map((a) => `${a.memberId ?? l.team}: ${awardText(a)}`).join('; ') || l.none]),
    },
    {
      heading: `${l.issues} (${report.issues.opened} ${l.opened}, ${report.issues.resolved} ${l.resolved})`,
      head: [l.issues, l.severity, l.status, l.reason],
      rows: report.issues.list.map((i) => [i.title ?? '', i.severity ?? '', i.status, i.resolution ?? '']),
    },
    {
      heading: l.feedback,
      head: ['', l.feedback, l.score],
      rows: report.feedback.map((f) => [f.source, `${f.topic}: ${f.text}`, f.rating === undefined ? '—' : `${f.rating}/5`]),
      after: [
        `${l.satisfaction}: CSAT ${report.satisfaction.csat ?? '—'} (${report.satisfaction.csatResponses} ${l.responses}), NPS ${report.satisfaction.nps ?? '—'} (${report.satisfaction.npsResponses} ${l.responses})`,
      ],
    },
    {
      heading: l.lessons,
      head: ['', l.lessons],
      rows: report.lessons.map((x) => [x.outcome, x.text]),
    },
    {
      heading: l.strategy,
      head: [l.strategy, '', l.servedBy],
      rows: report.strategy.elements.map((e) => [e.name, e.kind, [...e.servedByGoals.map((g) => g.title), ...e.servedByTasks.map((t) => t.title)].join(', ') || `⚠ ${l.unserved}`]),
      after: [`${l.goalsNoElement}: ${report.strategy.goalsServingNoElement.map((id) => report.goals.find((g) => g.goalId === id)?.title ?? id).join(', ') || l.none}`],
    },
    {
      heading: `${l.meetings}: ${report.meetings.held}`,
      head: [l.when, l.decisions],
      rows: report.meetings.decisions.map((d) => [d.date, d.decision]),
    },
  ];
}

const mdCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function reportMarkdown(report: ProjectReport, lang: ReportLanguage): string {
  const l = LABELS[lang];
  const lines = [
    `# ${l.title}: ${report.project.name}`,
    '',
    `- ${l.period}: ${report.project.periodStart} – ${report.project.periodEnd}`,
    `- ${l.status}: ${report.project.status}${report.project.outcome ? `; ${l.outcome}: ${report.project.outcome}` : ''}`,
  ];
  for (const section of sections(report, lang)) {
    lines.push('', `## ${section.heading}`, '');
    if (section.rows.length === 0) lines.push(`_${l.none}_`);
    else lines.push(`| ${section.head.map(mdCell).join(' | ')} |`, `|${section.head.map(() => ' --- ').join('|')}|`, ...section.rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`));
    if (section.after) lines.push('', ...section.after);
  }
  return `${lines.join('\n')}\n`;
}

const esc = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

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
<p>${esc(`${l.period}: ${report.project.periodStart} – ${report.project.periodEnd}; ${l.status}: ${report.project.status}${report.project.outcome ? `; ${l.outcome}: ${report.project.outcome}` : ''}`)}</p>
${body}
</body></html>
`;
}
