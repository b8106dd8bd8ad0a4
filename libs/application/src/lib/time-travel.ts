import {
  goalEventSchemas,
  parseEvent,
  projectEventSchemas,
  taskEventSchemas,
  teamEventSchemas,
  type PlanLedgerEvent,
} from '@planledger/contracts';
import {
  dayIn,
  projectFigures,
  type GoalFigures,
  type GoalState,
  type ProjectState,
  type TaskState,
  type TeamState,
} from '@planledger/domain';
import { LRUCache } from 'lru-cache';
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
  goals: {
    goalId: string;
    title: string;
    status: string;
    target: number;
    deadline: string;
    owner: unknown;
    parentGoalId: string | null;
    /** The goal's figures as the system knew them at `asOf`, judged on that day where the project works. */
    figures: Omit<GoalFigures, 'goalId'> | null;
  }[];
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

const ACTUAL_EVENT_TYPES = new Set(['ActualRecorded', 'ActualCorrected']);
/** Everything that shapes the plan; actuals do not, so they never show up in a diff. */
export const PLAN_EVENT_TYPES: readonly string[] = [
  ...Object.keys(projectEventSchemas),
  ...Object.keys(teamEventSchemas),
  ...Object.keys(goalEventSchemas),
  ...Object.keys(taskEventSchemas),
].filter((type) => !ACTUAL_EVENT_TYPES.has(type));
/** What a fold reads: the plan and the actuals, so the goals' figures at a moment are those the system knew. */
const FOLD_EVENT_TYPES: readonly string[] = [...PLAN_EVENT_TYPES, ...ACTUAL_EVENT_TYPES];

/** Pages grow from the first to the largest: a question near a snapshot reads little. */
const FIRST_PAGE = 250;
const LARGEST_PAGE = 5000;
/**
 * An event's recorded time is its append transaction's start; a transaction commits (and takes its
 * place in the log) shortly after. Reading stops this long past the moment asked for, beyond any
 * append's duration (the stores bound a statement to far less).
 */
export const APPEND_SKEW_MS = 5 * 60_000;
/** A snapshot is kept every this many plan events, at most SNAPSHOTS_PER_PROJECT per project. */
export const SNAPSHOT_EVERY = 500;
const SNAPSHOTS_PER_PROJECT = 64;

/** The project's aggregates folded over a prefix of its plan events: complete up to `position`. */
interface PlanFold {
  project: ProjectState;
  team: TeamState;
  goals: Map<string, GoalState>;
  tasks: Map<string, TaskState>;
  /** Last event folded; undefined: none. */
  position: string | undefined;
  /** Latest recorded time among the folded events (ms): the fold is valid for any moment from then. */
  latest: number;
  count: number;
}

const emptyFold = (): PlanFold => ({
  project: projectDecider.initialState,
  team: teamDecider.initialState,
  goals: new Map(),
  tasks: new Map(),
  position: undefined,
  latest: 0,
  count: 0,
});
/** States are never mutated, so a copy of the maps is a snapshot. */
const copyFold = (f: PlanFold): PlanFold => ({ ...f, goals: new Map(f.goals), tasks: new Map(f.tasks) });

function step<State, Event extends PlanLedgerEvent>(decider: Folding<State, Event>, state: State, event: StoredEvent): State {
  return fold(decider, state, [parseEvent(event.type, event.data) as Event]);
}

function apply(f: PlanFold, projectId: string, event: StoredEvent): void {
  const id = event.streamId.slice(event.streamId.indexOf('-') + 1);
  if (event.streamId.startsWith('project-') && id === projectId) f.project = step(projectDecider, f.project, event);
  else if (event.streamId.startsWith('team-') && id === projectId) f.team = step(teamDecider, f.team, event);
  else if (event.streamId.startsWith('goal-')) f.goals.set(id, step(goalDecider, f.goals.get(id) ?? goalDecider.initialState, event));
  else if (event.streamId.startsWith('task-')) f.tasks.set(id, step(taskDecider, f.tasks.get(id) ?? taskDecider.initialState, event));
}

/**
 * Plans as of any moment, folded from the log. Folds of complete prefixes of a project's plan
 * events are kept as snapshots (a cache: dropping them changes no answer), so a question starts
 * from the latest snapshot no newer than its moment and folds only what follows.
 */
export class PlanTimeline {
  private readonly snapshots: LRUCache<string, PlanFold[]>;

  constructor(
    private readonly store: EventStore,
    projects = 100,
  ) {
    this.snapshots = new LRUCache({ max: Math.max(1, projects) });
  }

  /** The fold of every plan event recorded by `at` (ms), plus those events when `collect` asks. */
  async foldAt(projectId: string, at: number, collect?: (event: StoredEvent) => void): Promise<PlanFold> {
    const kept = this.snapshots.get(projectId) ?? [];
    const base = [...kept].reverse().find((s) => s.latest <= at);
    const f = base ? copyFold(base) : emptyFold();
    // While every event read so far is included, the fold is a complete prefix worth keeping.
    let complete = true;
    for (let after = f.position, limit = FIRST_PAGE, page; ; after = page.position, limit = Math.min(limit * 4, LARGEST_PAGE)) {
      page = await this.store.readAll({ projectId, after, types: [...FOLD_EVENT_TYPES], limit });
      for (const event of page.events) {
        const recorded = Date.parse(event.recordedAt);
        if (recorded > at + APPEND_SKEW_MS) return f;
        collect?.(event);
        if (recorded > at) {
          complete = false;
          continue;
        }
        apply(f, projectId, event);
        f.count += 1;
        f.position = event.position;
        f.latest = Math.max(f.latest, recorded);
        if (complete && f.count % SNAPSHOT_EVERY === 0) this.keep(projectId, copyFold(f));
      }
      if (page.events.length < limit) return f;
    }
  }

  private keep(projectId: string, snapshot: PlanFold): void {
    const kept = (this.snapshots.get(projectId) ?? []).filter((s) => s.count < snapshot.count);
    kept.push(snapshot);
    // Thin out evenly when full: keep every other snapshot, the newest always.
    this.snapshots.set(projectId, kept.length > SNAPSHOTS_PER_PROJECT ? kept.filter((_, i) => i % 2 === 1 || i === kept.length - 1) : kept);
  }

  async planAsOf(projectId: string, asOf: string): Promise<PlanSnapshot> {
    return view(projectId, asOf, await this.foldAt(projectId, Date.parse(asOf)));
  }

  async planDiff(projectId: string, from: string, to: string): Promise<PlanDiff> {
    const cut = Date.parse(from);
    const between: StoredEvent[] = [];
    const before = view(projectId, from, await this.foldAt(projectId, cut));
    const after = view(
      projectId,
      to,
      await this.foldAt(
        projectId,
        Date.parse(to),
        (e) =>
          Date.parse(e.recordedAt) > cut &&
          Date.parse(e.recordedAt) <= Date.parse(to) &&
          !ACTUAL_EVENT_TYPES.has(e.type) &&
          between.push(e),
      ),
    );
    return diff(projectId, from, to, before, after, between);
  }
}

function view(projectId: string, asOf: string, f: PlanFold): PlanSnapshot {
  const { project, team, goals, tasks } = f;
  const day = dayIn(asOf, project.charter?.timeZone ?? 'UTC');
  const figures = projectFigures([...goals.values()], day);
  const figuresOf = (goalId: string): Omit<GoalFigures, 'goalId'> | null => {
    const found = figures.get(goalId);
    if (!found) return null;
    const rest: Partial<GoalFigures> = { ...found };
    delete rest.goalId;
    return rest as Omit<GoalFigures, 'goalId'>;
  };
  return {
    projectId,
    asOf,
    position: f.position ?? null,
    status: project.status ?? 'none',
    charter: project.charter ?? null,
    members: [...team.members.values()].map(({ memberId, name, role, responsibilities }) => ({ memberId, name, role, responsibilities })),
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
        figures: figuresOf(goalId),
      })),
    tasks: [...tasks]
      .filter(([, t]) => t.plan)
      .map(([taskId, t]) => ({
        taskId,
        title: t.plan?.title ?? '',
        status: t.status,
        assigneeId: t.plan?.assigneeId ?? null,
        dueDate: t.plan?.dueDate ?? '',
        goalId: t.plan?.goalId ?? null,
      })),
  };
}

/** The plan at `asOf`, folded from scratch (see PlanTimeline for the cached way). */
export async function planAsOf(store: EventStore, projectId: string, asOf: string): Promise<PlanSnapshot> {
  return new PlanTimeline(store).planAsOf(projectId, asOf);
}

/** What changed in the plan between two moments, each change with the reasons recorded in between. */
export async function planDiff(store: EventStore, projectId: string, from: string, to: string): Promise<PlanDiff> {
  return new PlanTimeline(store).planDiff(projectId, from, to);
}

function diff(projectId: string, from: string, to: string, before: PlanSnapshot, after: PlanSnapshot, between: StoredEvent[]): PlanDiff {
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
      if (old.target !== goal.target)
        goals.push({ id: goal.goalId, change: 'retargeted', before: old.target, after: goal.target, reasons });
      if (old.deadline !== goal.deadline)
        goals.push({ id: goal.goalId, change: 'deadline moved', before: old.deadline, after: goal.deadline, reasons });
      if (JSON.stringify(old.owner) !== JSON.stringify(goal.owner))
        goals.push({ id: goal.goalId, change: 'owner changed', before: old.owner, after: goal.owner, reasons });
    }
  }

  const tasks: Change[] = [];
  const oldTasks = new Map(before.tasks.map((t) => [t.taskId, t]));
  for (const task of after.tasks) {
    const old = oldTasks.get(task.taskId);
    const reasons = reasonsFor('taskId', task.taskId);
    if (!old) tasks.push({ id: task.taskId, change: 'added', after: task, reasons });
    else {
      if (old.assigneeId !== task.assigneeId)
        tasks.push({ id: task.taskId, change: 'reassigned', before: old.assigneeId, after: task.assigneeId, reasons });
      if (old.dueDate !== task.dueDate)
        tasks.push({ id: task.taskId, change: 're-dated', before: old.dueDate, after: task.dueDate, reasons });
      if (old.status !== task.status)
        tasks.push({ id: task.taskId, change: 'status changed', before: old.status, after: task.status, reasons });
    }
  }

  const members: Change[] = [];
  const oldMembers = new Map(before.members.map((m) => [m.memberId, m]));
  const newMembers = new Map(after.members.map((m) => [m.memberId, m]));
  for (const [memberId, member] of newMembers) {
    const reasons = reasonsFor('memberId', memberId);
    const old = oldMembers.get(memberId);
    if (!old) members.push({ id: memberId, change: 'joined', after: member, reasons });
    else if (old.role !== member.role)
      members.push({ id: memberId, change: 'role changed', before: old.role, after: member.role, reasons });
  }
  for (const [memberId, member] of oldMembers) {
    if (!newMembers.has(memberId))
      members.push({ id: memberId, change: 'left', before: member, reasons: reasonsFor('memberId', memberId) });
  }
  return { projectId, from, to, goals, tasks, members };
}
