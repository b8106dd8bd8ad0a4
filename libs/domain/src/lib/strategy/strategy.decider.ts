import type { StrategyElement, StrategyEvent } from '@planledger/contracts';
import { requireOpen, type ProjectState } from '../project/project.decider';
import { refuse, type CommandMetadata } from '../shared/domain-error';

export interface StrategyEntry {
  elementId: string;
  element: StrategyElement;
  active: boolean;
}

/** A project's strategy: its market analyses, segments, channels, pricing and promotions. */
export interface StrategyState {
  projectId?: string;
  elements: ReadonlyMap<string, StrategyEntry>;
}

export const initialStrategyState: StrategyState = { elements: new Map() };

export interface StrategyContext {
  project: ProjectState;
}

type Cmd<T extends string, D> = { type: T; data: D & { projectId: string; elementId: string }; metadata: CommandMetadata };
export type DefineStrategyElement = Cmd<'DefineStrategyElement', { element: StrategyElement }>;
export type ReviseStrategyElement = Cmd<'ReviseStrategyElement', { element: StrategyElement; reason: string }>;
export type WithdrawStrategyElement = Cmd<'WithdrawStrategyElement', { reason: string }>;
export type StrategyCommand = DefineStrategyElement | ReviseStrategyElement | WithdrawStrategyElement;

export function evolveStrategy(state: StrategyState, event: StrategyEvent): StrategyState {
  const elements = new Map(state.elements);
  switch (event.type) {
    case 'StrategyElementDefined':
      elements.set(event.data.elementId, { elementId: event.data.elementId, element: event.data.element, active: true });
      return { projectId: event.data.projectId, elements };
    case 'StrategyElementRevised':
      elements.set(event.data.elementId, { elementId: event.data.elementId, element: event.data.after, active: true });
      return { ...state, elements };
    case 'StrategyElementWithdrawn': {
      const entry = elements.get(event.data.elementId);
      if (entry) elements.set(entry.elementId, { ...entry, active: false });
      return { ...state, elements };
    }
  }
}

/** Element ids an element refers to, with the kind each must be. */
export function referencesOf(element: StrategyElement): { id: string; kind: 'segment' | 'channel' }[] {
  switch (element.kind) {
    case 'channel':
      return element.segmentIds.map((id) => ({ id, kind: 'segment' }));
    case 'promotion':
      return [
        ...element.segmentIds.map((id) => ({ id, kind: 'segment' as const })),
        ...(element.channelId ? [{ id: element.channelId, kind: 'channel' as const }] : []),
      ];
    default:
      return [];
  }
}

function active(state: StrategyState, elementId: string): StrategyEntry | undefined {
  const entry = state.elements.get(elementId);
  return entry?.active ? entry : undefined;
}

/** The rules every defined or revised element keeps: its references exist, channel shares fit, dates sit in the period. */
function checkElement(state: StrategyState, elementId: string, element: StrategyElement, project: ProjectState): void {
  for (const ref of referencesOf(element)) {
    const target = active(state, ref.id);
    if (!target || target.element.kind !== ref.kind)
      refuse(`${ref.kind.toUpperCase()}_NOT_FOUND`, `${ref.kind} ${ref.id} is not an active ${ref.kind} of this project's strategy`);
  }
  if (element.kind === 'channel') {
    const others = [...state.elements.values()].filter((e) => e.active && e.elementId !== elementId && e.element.kind === 'channel');
    const total = others.reduce((sum, e) => sum + (e.element.kind === 'channel' ? e.element.revenueShare : 0), element.revenueShare);
    if (total > 1 + 1e-9)
      refuse(
        'CHANNEL_SHARES_EXCEED_TARGET',
        `the active channels' revenue shares would add up to ${Math.round(total * 100)}% of the target, more than 100%`,
      );
  }
  if (element.kind === 'promotion' && project.charter) {
    const { periodStart, periodEnd } = project.charter;
    if (element.startDate < periodStart || element.endDate > periodEnd)
      refuse(
        'PROMOTION_OUTSIDE_PERIOD',
        `the promotion runs ${element.startDate} to ${element.endDate}, outside the project period ${periodStart} to ${periodEnd}`,
      );
  }
}

export function decideStrategy(command: StrategyCommand, state: StrategyState, context: StrategyContext): StrategyEvent[] {
  requireOpen(context.project);
  const { projectId, elementId } = command.data;
  const existing = state.elements.get(elementId);
  switch (command.type) {
    case 'DefineStrategyElement':
      if (existing) refuse('STRATEGY_ELEMENT_EXISTS', `strategy element ${elementId} exists already; revise it instead`);
      checkElement(state, elementId, command.data.element, context.project);
      return [{ type: 'StrategyElementDefined', data: { projectId, elementId, element: command.data.element } }];
    case 'ReviseStrategyElement': {
      if (!existing?.active) refuse('STRATEGY_ELEMENT_NOT_FOUND', `strategy element ${elementId} does not exist or was withdrawn`);
      if (existing.element.kind !== command.data.element.kind)
        refuse(
          'STRATEGY_KIND_CHANGED',
          `strategy element ${elementId} is a ${existing.element.kind}; a revision cannot make it a ${command.data.element.kind}`,
        );
      if (JSON.stringify(existing.element) === JSON.stringify(command.data.element))
        refuse('NOTHING_TO_CHANGE', `strategy element ${elementId} is already like this`);
      checkElement(state, elementId, command.data.element, context.project);
      return [
        {
          type: 'StrategyElementRevised',
          data: { projectId, elementId, before: existing.element, after: command.data.element, reason: command.data.reason },
        },
      ];
    }
    case 'WithdrawStrategyElement': {
      if (!existing?.active) refuse('STRATEGY_ELEMENT_NOT_FOUND', `strategy element ${elementId} does not exist or was withdrawn`);
      const users = [...state.elements.values()]
        .filter((e) => e.active && referencesOf(e.element).some((r) => r.id === elementId))
        .map((e) => e.elementId);
      if (users.length > 0)
        refuse('STRATEGY_ELEMENT_IN_USE', `strategy element ${elementId} is used by ${users.join(', ')}; revise or withdraw those first`);
      return [{ type: 'StrategyElementWithdrawn', data: { projectId, elementId, reason: command.data.reason } }];
    }
  }
}

/**
 * Traceability: each active element with the goals and tasks that reference it (a promotion's
 * expected-lift goal counts as served), the elements nothing serves, and the active goals that
 * serve no element.
 */
export function traceStrategy(
  state: StrategyState,
  goals: readonly { goalId: string; title?: string; status: string; strategyRefs?: readonly string[] }[],
  tasks: readonly { taskId: string; title?: string; status: string; strategyRef?: string }[],
) {
  const activeGoals = goals.filter((g) => g.status === 'active');
  const openTasks = tasks.filter((t) => t.status !== 'cancelled' && t.status !== 'none');
  const elements = [...state.elements.values()]
    .filter((e) => e.active)
    .map(({ elementId, element }) => {
      const lift = element.kind === 'promotion' ? element.expectedLift?.goalId : undefined;
      const servedByGoals = activeGoals
        .filter((g) => g.strategyRefs?.includes(elementId) || g.goalId === lift)
        .map((g) => ({ goalId: g.goalId, title: g.title ?? g.goalId }));
      const servedByTasks = openTasks
        .filter((t) => t.strategyRef === elementId)
        .map((t) => ({ taskId: t.taskId, title: t.title ?? t.taskId }));
      return {
        elementId,
        kind: element.kind,
        name: element.name,
        element,
        servedByGoals,
        servedByTasks,
        unserved: servedByGoals.length === 0 && servedByTasks.length === 0,
      };
    });
  const referenced = new Set(elements.flatMap((e) => e.servedByGoals.map((g) => g.goalId)));
  return {
    elements,
    unservedElements: elements.filter((e) => e.unserved).map((e) => e.elementId),
    goalsServingNoElement: activeGoals.filter((g) => !referenced.has(g.goalId)).map((g) => g.goalId),
  };
}
