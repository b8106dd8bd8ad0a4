import type { GoalDefinition, SmartAssessment, SmartPolicy } from '@planledger/contracts';

export interface SmartContext {
  projectPeriod: { start: string; end: string };
  policy: SmartPolicy;
  /** Best results of earlier goals with the same KPI name and unit, newest first (may be empty). */
  similarGoalResults: readonly number[];
}

const pass = { ok: true } as const;
const fail = (reason: string) => ({ ok: false, reason });

/**
 * Assesses a goal against the five SMART criteria, with a reason for each failed one. Pure: the
 * same goal and context always give the same assessment.
 */
export function assessSmart(goal: GoalDefinition, context: SmartContext): SmartAssessment {
  const { kpi } = goal;
  const specific =
    kpi.name.trim().length >= 3 && kpi.unit.trim().length > 0 ? pass : fail('name the KPI (at least 3 characters) and its unit');
  const measurable = goal.actualsSource?.trim() ? pass : fail('name the source actual results will come from');

  const multiple = context.policy.achievableMultiple;
  const higher = kpi.direction === 'higher_is_better';
  let achievable: SmartAssessment['achievable'] = pass;
  const reference = goal.baseline !== 0 ? goal.baseline : context.similarGoalResults[0];
  if (reference !== undefined && reference > 0) {
    if (higher && goal.target > reference * multiple) {
      achievable = fail(
        `target ${goal.target} is more than ${multiple}× the ${goal.baseline !== 0 ? 'baseline' : 'best similar result'} ${reference}`,
      );
    } else if (!higher && goal.target < reference / multiple) {
      achievable = fail(
        `target ${goal.target} is below the ${goal.baseline !== 0 ? 'baseline' : 'best similar result'} ${reference} divided by ${multiple}`,
      );
    }
  }

  const relevant =
    goal.parentGoalId || goal.relevance?.trim()
      ? pass
      : fail('link the goal to a parent goal or say how it serves the project or company aim');

  const { start, end } = context.projectPeriod;
  const timeBound =
    goal.startDate > goal.deadline
      ? fail(`start ${goal.startDate} is after the deadline ${goal.deadline}`)
      : goal.startDate < start || goal.deadline > end
        ? fail(`${goal.startDate}–${goal.deadline} is not inside the project period ${start}–${end}`)
        : pass;

  return { specific, measurable, achievable, relevant, timeBound };
}

export function failedCriteria(assessment: SmartAssessment): string[] {
  return Object.entries(assessment)
    .filter(([, criterion]) => !criterion.ok)
    .map(([name, criterion]) => `${name}: ${criterion.reason}`);
}
