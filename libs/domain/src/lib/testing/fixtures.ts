import type { GoalDefinition, ProjectCharter, ProjectEvent } from '@planledger/contracts';
import type { CommandMetadata } from '../shared/domain-error';

export const meta: CommandMetadata = { actor: 'user:li.na', now: '2026-11-20T09:30:00.000Z' };

export const charter: ProjectCharter = {
  name: 'Q4 East region push',
  managerId: 'li-na',
  periodStart: '2026-10-01',
  periodEnd: '2026-12-31',
  currency: 'CNY',
  timeZone: 'Asia/Shanghai',
  description: 'Grow revenue in the east region before year end.',
  smartPolicy: { onFailure: 'warn', achievableMultiple: 3 },
};

export const projectOpened: ProjectEvent = { type: 'ProjectOpened', data: { projectId: 'p1', ...charter } };
export const projectClosed: ProjectEvent = { type: 'ProjectClosed', data: { projectId: 'p1', reason: 'quarter ended' } };

export const revenueGoal: GoalDefinition = {
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
