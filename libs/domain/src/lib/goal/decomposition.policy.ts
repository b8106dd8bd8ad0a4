import type { GoalState } from './goal.decider';

export interface DecompositionCheck {
  parentTarget: number;
  childrenTargetSum: number;
  /** Parent target minus the children's sum: positive when the children fall short. */
  gap: number;
  addsUp: boolean;
  activeChildren: number;
}

/**
 * Whether the active children's targets add up to the parent's (cumulative KPIs). A warning for
 * the manager, never a block: plans are rebalanced over several steps.
 */
export function checkDecomposition(parent: GoalState, children: readonly GoalState[]): DecompositionCheck | undefined {
  if (!parent.definition) return undefined;
  const active = children.filter((c) => c.status === 'active' && c.definition);
  const sum = active.reduce((total, child) => total + (child.definition?.target ?? 0), 0);
  const gap = round(parent.definition.target - sum);
  return {
    parentTarget: parent.definition.target,
    childrenTargetSum: round(sum),
    gap,
    addsUp: Math.abs(gap) < 1e-9,
    activeChildren: active.length,
  };
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
