import { parseEvent, type PlanLedgerEvent } from '@planledger/contracts';
import type { EventStore, StoredEvent } from '@planledger/event-store';
import { fold, type Folding } from './command-handler';
import { goalDecider, projectDecider, taskDecider, teamDecider } from './deciders';

/** The plan of a project as the system knew it at one moment. */
export interface PlanSnapshot {
  projectId: string;
  asOf: string;
  /** Position of the last event the plan includes (null: none yet). */
  position: string | null;
  status: string;
  charter: unknown;
  members: { memberId: string; name: string; role: string; responsibilities: string[] }[];
  goals: { goalId: string; title: string; status: string; target: number; deadline: string; owner: unknown; parentGoalId: string | null }[];
  tasks: { taskId: string; title: string; status: string; assigneeId: string | null; dueDate: string; goalId: string | null }[];
}

export interface Change {
  id: string;
  change: string;
  before?: unknown;
  after?: unknown;
  /** The reasons recorded in between, oldest first, with who gave them and when. */
  reasons: { reason: string; actor: string; recordedAt: string; type: string }[];
}

export interface PlanDiff {
  projectId: string;
  from: string;
  to: string;
  goals: Change[];
  tasks: Change[];
  members: Change[];
}

const PAGE = 1000;

/** The project's events recorded up to `until`, in log order. */
async function eventsUntil(store: EventStore, projectId: string, until: string): Promise<StoredEvent[]> {
  const limit = Date.parse(until);
  const out: StoredEvent[] = [];
  for (let after: string | undefined, page; ; after = page.position) {
    page = await store.readAll({ projectId, after, limit: PAGE });
    for (const event of page.events) if (Date.parse(event.recordedAt) <= limit) out.push(event);
    if (page.events.length < PAGE) return out;
  }
}

/** Each stream with the prefix folded by its decider, keyed by the id after the prefix. */
function foldStreams<State, Event extends PlanLedgerEvent>(events: StoredEvent[], prefix: string, decider: Folding<State, Event>): Map<string, State> {
  const byStream = new Map<string, Event[]>();
  for (const event of events) {
    if (!event.streamId.startsWith(prefix)) continue;
    const list = byStream.get(event.streamId) ?? [];
    list.push(parseEvent(event.type, event.data) as Event);
    byStream.set(event.streamId, list);
  }
  const out = new Map<string, State>();
  for (const [streamId, list] of byStream) {
    out.set(streamId.slice(prefix.length), fold(decider, decider.initialState, list));
  }
  return out;
}

function snapshot(projectId: string, asOf: string, events: StoredEvent[]): PlanSnapshot {
  const project = foldStreams(events, 'project-', projectDecider).get(projectId);
  const team = foldStreams(events, 'team-', teamDecider).get(projectId);
  const goals = foldStreams(events, 'goal-', goalDecider);
  const tasks = foldStreams(events, 'task-', taskDecider);
  return {
    projectId,
    asOf,
    position: events.length > 0 ? events[events.length - 1].position : null,
    status: project?.status ?? 'none',
    charter: project?.charter ?? null,
    members: [...(team?.members.values() ?? [])].map(({ memberId, name, role, responsibilities }) => ({ memberId, name, role, responsibilities })),
    goals: [...goals]
      .filter(([, g]) => g.definition)
      .map(([goalId, g]) => ({
        goalId,
        title: g.definition?.title ?? '',
        status: g.status,
        target: g.definition?.target ?? 0,
        deadline: g.definition?.deadline ?? '',
        owner: g.definition?.owner ?? null,
        parentGoalId: g.definition?.parentGoalId ?? null,
      })),
    tasks: [...tasks]
      .filter(([, t]) => t.plan)
      .map(([taskId, t]) => ({ taskId, title: t.plan?.title ?? '', status: t.status, assigneeId: t.plan?.assigneeId ?? null, dueDate: t.plan?.dueDate ?? '', goalId: t.plan?.goalId ?? null })),
  };
}

/**
 * The whole plan as the system knew it at `asOf` (events recorded by then), folded from the
 * project's history in the log; undefined when the project did not exist yet.
 */
export async function planAsOf(store: EventStore, projectId: string, asOf: string): Promise<PlanSnapshot> {
  return snapshot(projectId, asOf, await eventsUntil(store, projectId, asOf));
}

/** What changed in the plan between two moments, each change with the reasons recorded in between. */
export async function planDiff(store: EventStore, projectId: string, from: string, to: string): Promise<PlanDiff> {
  const events = await eventsUntil(store, projectId, to);
  const cut = Date.parse(from);
  const before = snapshot(projectId, from, events.filter((e) => Date.parse(e.recordedAt) <= cut));
  const after = snapshot(projectId, to, events);
  const between = events.filter((e) => Date.parse(e.recordedAt) > cut);
  const reasonsFor = (field: string, id: string) =>
    between
      .filter((e) => e.data[field] === id && typeof e.data['reason'] === 'string')
      .map((e) => ({ reason: String(e.data['reason']), actor: e.metadata.actor, recordedAt: e.recordedAt, type: e.type }));

  const goals: Change[] = [];
  const oldGoals = new Map(before.goals.map((g) => [g.goalId, g]));
  for (const goal of after.goals) {
    const old = oldGoals.get(goal.goalId);
    const reasons = reasonsFor('goalId', goal.goalId);
    if (!old) goals.push({ id: goal.goalId, change: 'added', after: goal, reasons });
    else {
      if (old.status !== 'withdrawn' && goal.status === 'withdrawn') goals.push({ id: goal.goalId, change: 'withdrawn', reasons });
      if (old.target !== goal.target) goals.push({ id: goal.goalId, change: 'retargeted', before: old.target, after: goal.target, reasons });
      if (old.deadline !== goal.deadline) goals.push({ id: goal.goalId, change: 'deadline moved', before: old.deadline, after: goal.deadline, reasons });
      if (JSON.stringify(old.owner) !== JSON.stringify(goal.owner)) goals.push({ id: goal.goalId, change: 'owner changed', before: old.owner, after: goal.owner, reasons });
    }
  }

  const tasks: Change[] = [];
  const oldTasks = new Map(before.tasks.map((t) => [t.taskId, t]));
  for (const task of after.tasks) {
    const old = oldTasks.get(task.taskId);
    const reasons = reasonsFor('taskId', task.taskId);
    if (!old) tasks.push({ id: task.taskId, change: 'added', after: task, reasons });
    else {
      if (old.assigneeId !== task.assigneeId) tasks.push({ id: task.taskId, change: 'reassigned', before: old.assigneeId, after: task.assigneeId, reasons });
      if (old.dueDate !== task.dueDate) tasks.push({ id: task.taskId, change: 're-dated', before: old.dueDate, after: task.dueDate, reasons });
      if (old.status !== task.status) tasks.push({ id: task.taskId, change: 'status changed', before: old.status, after: task.status, reasons });
    }
  }

  const members: Change[] = [];
  const oldMembers = new Map(before.members.map((m) => [m.memberId, m]));
  const newMembers = new Map(after.members.map((m) => [m.memberId, m]));
  for (const [memberId, member] of newMembers) {
    const reasons = reasonsFor('memberId', memberId);
    const old = oldMembers.get(memberId);
    if (!old) members.push({ id: memberId, change: 'joined', after: member, reasons });
    else if (old.role !== member.role) members.push({ id: memberId, change: 'role changed', before: old.role, after: member.role, reasons });
  }
  for (const [memberId, member] of oldMembers) {
    if (!newMembers.has(memberId)) members.push({ id: memberId, change: 'left', before: member, reasons: reasonsFor('memberId', memberId) });
  }
  return { projectId, from, to, goals, tasks, members };
}
