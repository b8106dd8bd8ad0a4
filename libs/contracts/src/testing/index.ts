import type { GoalDefinition } from '../lib/goal/goal.events';
import type { ProjectCharter } from '../lib/project/project.events';

/** One sales project's charter, shared by the tests of every layer. */
export const sampleCharter: ProjectCharter = {
  name: 'Q4 East region push',
  managerId: 'li-na',
  periodStart: '2026-10-01',
  periodEnd: '2026-12-31',
  currency: 'CNY',
  timeZone: 'Asia/Shanghai',
  description: 'Grow revenue in the east region before year end.',
  smartPolicy: { onFailure: 'warn', achievableMultiple: 3 },
};

/** A goal of that project that passes every SMART criterion. */
export const sampleRevenueGoal: GoalDefinition = {
  title: 'East region revenue',
  kpi: { name: 'Revenue', unit: 'CNY', direction: 'higher_is_better', aggregation: 'cumulative' },
  target: 3_000_000,
  baseline: 2_000_000,
  startDate: '2026-10-01',
  deadline: '2026-12-31',
  phasing: { kind: 'monthly', weights: [0.3, 0.3, 0.4] },
  owner: { kind: 'team' },
  tolerance: 0.1,
  relevance: 'Year-end revenue target of the company',
  actualsSource: 'CRM closed-won export',
};
