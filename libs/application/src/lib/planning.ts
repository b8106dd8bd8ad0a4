import type {
  GoalDefinition,
  GoalOwner,
  ProjectOutcome,
  MemberProfile,
  Phasing,
  PlanLedgerEvent,
  ProjectCharter,
  ProjectHistoryQuery,
  RollupRule,
  TaskPlan,
} from '@planledger/contracts';
import {
  checkDecomposition,
  currentSmart,
  dayIn,
  DomainRuleViolation,
  goalNodeOf,
  projectFigures,
  refuse,
  rollupOf,
  type GoalNode,
  type GoalState,
  skillCoverage,
  type ActualInput,
  type CommandMetadata,
  type DriftSettings,
  type GoalCommand,
  type GoalContext,
  type TaskCommand,
  type TaskContext,
  type TeamCommand,
} from '@planledger/domain';
import type { EventStore } from '@planledger/event-store';
import { AggregateCache } from './aggregate-cache';
import { projectHistory } from './history';
import { PlanTimeline } from './time-travel';
import {
  CommandHandler,
  commandPart,
  loadAggregate,
  type CommandPart,
  type CommandResult,
  type ContextReader,
  type Folding,
  type ChangeOrigin,
  type Idempotency,
} from './command-handler';
import { driftDecider, goalDecider, projectDecider, strategyDecider, taskDecider, teamDecider } from './deciders';
import { driftStream, goalStream, projectStream, strategyStream, taskStream, teamStream } from './streams';

export { goalDecider, projectDecider, taskDecider, teamDecider } from './deciders';

type TaskChange =
  | { type: 'AssignTask'; data: { assigneeId: string; reason?: string } }
  | { type: 'StartTask'; data: Record<string, never> }
  | { type: 'ReportTaskProgress'; data: { percent: number; note: string } }
  | { type: 'BlockTask'; data: { reason: string } }
  | { type: 'UnblockTask'; data: { note: string } }
  | { type: 'MoveTaskDueDate'; data: { dueDate: string; reason: string } }
  | { type: 'CompleteTask'; data: { note: string } }
  | { type: 'CancelTask'; data: { reason: string } };

type TeamChange =
  | { type: 'JoinMember'; data: MemberProfile & { memberId: string } }
  | { type: 'ChangeMemberRole'; data: { memberId: string; role: string; responsibilities: string[]; reason: string } }
  | {
      type: 'AmendMember';
      data: {
        memberId: string;
        changes: Partial<Pick<MemberProfile, 'name' | 'skills' | 'weeklyCapacityHours' | 'reportsTo'>>;
        reason: string;
      };
    }
  | { type: 'MemberLeaves'; data: { memberId: string; handOverTo?: string; reason: string } }
  | { type: 'SetSkillRequirement'; data: { skill: string; minLevel: number; headcount: number } };

export type RequestMetadata = CommandMetadata & { correlationId: string; idempotency?: Idempotency; origin?: ChangeOrigin };

type GoalChange =
  | { type: 'AdjustGoalTarget'; data: { target: number; reason: string } }
  | { type: 'MoveGoalDeadline'; data: { deadline: string; reason: string } }
  | { type: 'ChangeGoalOwner'; data: { owner: GoalOwner; reason: string } }
  | { type: 'RephaseGoal'; data: { phasing: Phasing; reason: string } }
  | { type: 'ChangeGoalRollup'; data: { rollup: RollupRule; reason: string } }
  | { type: 'WithdrawGoal'; data: { reason: string } }
  | { type: 'RecordActual'; data: ActualInput & { surveyScale?: 'csat' | 'nps' } }
  | { type: 'RecordActuals'; data: { actuals: ActualInput[] } }
  | { type: 'CorrectActual'; data: { actualId: string; value: number; reason: string } }
  | { type: 'LinkGoalStrategy'; data: { strategyRefs: string[]; reason: string } };

const kpiKey = (goal: Pick<GoalDefinition, 'kpi'>) => `${goal.kpi.name.trim().toLowerCase()}\n${goal.kpi.unit.trim().toLowerCase()}`;

/** The planning use cases: projects and goals, as load → decide → append. */
export class Planning {
  private readonly commands: CommandHandler;

  private readonly timeline: PlanTimeline;

  constructor(
    private readonly store: EventStore,
    cache: AggregateCache = new AggregateCache(),
  ) {
    this.commands = new CommandHandler(store, cache);
    this.timeline = new PlanTimeline(store);
  }

  openProject(projectId: string, charter: ProjectCharter, metadata: RequestMetadata): Promise<CommandResult> {
    return this.commands.handle(
      projectStream(projectId),
      projectDecider,
      { type: 'OpenProject', data: { projectId, ...charter }, metadata },
      async () => undefined,
      {
        projectId,
        metadata,
        creates: true,
      },
    );
  }

  amendProjectCharter(
    projectId: string,
    changes: Partial<ProjectCharter>,
    reason: string,
    metadata: RequestMetadata,
    ifMatch?: number,
  ): Promise<CommandResult> {
    return this.commands.handle(
      projectStream(projectId),
      projectDecider,
      { type: 'AmendProjectCharter', data: { projectId, changes, reason }, metadata },
      async () => undefined,
      { projectId, metadata, ifMatch },
    );
  }

  closeProject(
    projectId: string,
    reason: string,
    metadata: RequestMetadata,
    ifMatch?: number,
    outcome?: ProjectOutcome,
  ): Promise<CommandResult> {
    return this.commands.handle(
      projectStream(projectId),
      projectDecider,
      { type: 'CloseProject', data: { projectId, reason, ...(outcome ? { outcome } : {}) }, metadata },
      async () => undefined,
      {
        projectId,
        metadata,
        ifMatch,
      },
    );
  }

  async setGoal(projectId: string, goalId: string, definition: GoalDefinition, metadata: RequestMetadata): Promise<CommandResult> {
    await this.requireStrategyRefs(projectId, definition.strategyRefs ?? []);
    return this.commands.handle(
      goalStream(goalId),
      goalDecider,
      { type: 'SetGoal', data: { goalId, projectId, ...definition }, metadata },
      async (_, read) => this.goalContext(read, projectId, definition.parentGoalId, await this.similarGoalResults(definition)),
      { projectId, metadata, creates: true },
    );
  }

  /** Team changes live in the project's team stream, apart from the charter. */
  changeTeam(projectId: string, change: TeamChange, metadata: RequestMetadata, ifMatch?: number): Promise<CommandResult> {
    const command = { ...change, data: { ...change.data, projectId }, metadata } as TeamCommand;
    return this.commands.handle(
      teamStream(projectId),
      teamDecider,
      command,
      async (_, read) => ({ project: await read.read(projectStream(projectId), projectDecider) }),
      { projectId, metadata, ifMatch },
    );
  }

  async planTask(projectId: string, taskId: string, plan: TaskPlan, metadata: RequestMetadata): Promise<CommandResult> {
    await this.requireStrategyRefs(projectId, plan.strategyRef ? [plan.strategyRef] : []);
    return this.commands.handle(
      taskStream(taskId),
      taskDecider,
      { type: 'PlanTask', data: { taskId, projectId, ...plan }, metadata },
      (_, read) => this.taskContext(read, projectId, plan.goalId, plan.parentTaskId),
      { projectId, metadata, creates: true },
    );
  }

  /**
   * Planning a task as one part of a command that writes several streams (the tasks of a
   * meeting's action items). A task planned already under that id is left as it is.
   */
  planTaskPart(projectId: string, taskId: string, plan: TaskPlan, metadata: RequestMetadata): CommandPart {
    return commandPart(
      taskStream(taskId),
      taskDecider,
      { type: 'PlanTask', data: { taskId, projectId, ...plan }, metadata },
      (_, read) => this.taskContext(read, projectId, plan.goalId, plan.parentTaskId),
      {
        creates: true,
        // Planned already in this project: left as it is. A task of another project under that id
        // is refused, so a meeting never answers 201 for a task it did not create.
        unless: (refusal, state) =>
          refusal instanceof DomainRuleViolation && refusal.code === 'TASK_ALREADY_PLANNED' && state.projectId === projectId,
      },
    );
  }

  /** Any change to an existing task; its stream says which project it belongs to. */
  async changeTask(taskId: string, change: TaskChange, metadata: RequestMetadata, ifMatch?: number): Promise<CommandResult> {
    const projectId = await this.projectOf(taskStream(taskId), taskDecider);
    if (!projectId) refuse('TASK_NOT_FOUND', `task ${taskId} does not exist`);
    const command = { ...change, data: { ...change.data, taskId }, metadata } as TaskCommand;
    return this.commands.handle(taskStream(taskId), taskDecider, command, (_, read) => this.taskContext(read, projectId), {
      projectId,
      metadata,
      ifMatch,
    });
  }

  async task(taskId: string) {
    const loaded = await loadAggregate(this.store, taskStream(taskId), taskDecider);
    if (loaded.state.status === 'none') refuse('TASK_NOT_FOUND', `task ${taskId} does not exist`);
    return loaded;
  }

  /** Current members and which skill requirements they cover. */
  async team(projectId: string) {
    const { state, revision } = await loadAggregate(this.store, teamStream(projectId), teamDecider);
    return { revision, members: [...state.members.values()], skillCoverage: skillCoverage(state) };
  }

  /** Any change to an existing goal; the goal's own stream says which project it belongs to. */
  async changeGoal(goalId: string, change: GoalChange, metadata: RequestMetadata, ifMatch?: number): Promise<CommandResult> {
    const { projectId, command, context } = await this.goalChange(goalId, change, metadata);
    return this.commands.handle(goalStream(goalId), goalDecider, command, context, { projectId, metadata, ifMatch });
  }

  /**
   * A change to an existing goal as one part of a write to several streams (a survey response and
   * the actual it feeds), decided by the same rules as changeGoal.
   */
  async changeGoalPart(goalId: string, change: GoalChange, metadata: RequestMetadata): Promise<CommandPart> {
    const { command, context } = await this.goalChange(goalId, change, metadata);
    return commandPart(goalStream(goalId), goalDecider, command, context);
  }

  private async goalChange(goalId: string, change: GoalChange, metadata: RequestMetadata) {
    const projectId = await this.projectOf(goalStream(goalId), goalDecider);
    if (!projectId) refuse('GOAL_NOT_FOUND', `goal ${goalId} does not exist`);
    if (change.type === 'LinkGoalStrategy') await this.requireStrategyRefs(projectId, change.data.strategyRefs);
    const command = { ...change, data: { ...change.data, goalId }, metadata } as GoalCommand;
    const records = change.type === 'RecordActual' || change.type === 'RecordActuals';
    const activeChildren = records ? await this.activeChildCount(projectId, goalId) : undefined;
    const context = async (current: GoalState, read: ContextReader): Promise<GoalContext> => ({
      ...(await this.goalContext(
        read,
        projectId,
        current.definition?.parentGoalId,
        change.type === 'AdjustGoalTarget' || change.type === 'MoveGoalDeadline' ? await this.similarGoalResults(current.definition) : [],
      )),
      ...(activeChildren === undefined ? {} : { activeChildCount: activeChildren }),
    });
    return { projectId, command, context };
  }

  /**
   * The drift check for one goal on `asOf` (a parent on its roll-up): records KpiDriftDetected,
   * KpiBackOnTrack or GoalWentStale in the goal's drift stream, and only when the state changed.
   * Appended at the drift stream's revision, so two checks racing (a duplicated job) record the
   * change once; the goal's own stream is only read, so nobody's If-Match on the goal is beaten by it.
   */
  async checkDrift(goalId: string, asOf: string, metadata: RequestMetadata, settings?: DriftSettings): Promise<CommandResult> {
    const projectId = await this.projectOf(goalStream(goalId), goalDecider);
    if (!projectId) refuse('GOAL_NOT_FOUND', `goal ${goalId} does not exist`);
    // Judged on the store's state: a cached goal may miss actuals another process recorded.
    await this.commands.fresh(goalStream(goalId), goalDecider);
    const [tree, goalSetOn] = await Promise.all([this.goalTree(projectId), this.goalSetOn(projectId, goalId)]);
    return this.commands.handle(
      driftStream(goalId),
      driftDecider,
      { type: 'CheckDrift', data: { goalId, asOf, ...(settings ? { settings } : {}) }, metadata },
      async (_, read) => ({
        project: await read.read(projectStream(projectId), projectDecider),
        goal: await read.read(goalStream(goalId), goalDecider),
        descendants: tree.descendantsOf(goalId),
        ...(goalSetOn ? { goalSetOn } : {}),
      }),
      { projectId, metadata },
    );
  }

  /** Day each goal was set, where its project works (it never changes). */
  private readonly setOn = new Map<string, string>();

  /** The day the goal was set where the project works: staleness has a grace period from it. */
  private async goalSetOn(projectId: string, goalId: string): Promise<string | undefined> {
    const known = this.setOn.get(goalId);
    if (known) return known;
    const [first] = await this.store.readStream(goalStream(goalId), { limit: 1 });
    if (!first) return undefined;
    const { state } = await this.commands.current(projectStream(projectId), projectDecider);
    const day = dayIn(first.recordedAt, state.charter?.timeZone ?? 'UTC');
    if (this.setOn.size > 10_000) this.setOn.clear();
    this.setOn.set(goalId, day);
    return day;
  }

  /** The goal's drift state as its checks recorded it (in its drift stream, or its own stream before that existed). */
  async driftOf(goalId: string) {
    const [{ state: goal }, { state, revision }] = await Promise.all([
      this.commands.current(goalStream(goalId), goalDecider),
      loadAggregate(this.store, driftStream(goalId), driftDecider),
    ]);
    return { state: state.drift ?? goal.drift ?? 'on_track', revision };
  }

  /**
   * The drift check of a goal and then of each goal above it: a child's new actual moves its
   * parents' roll-up, so they are judged again too. Answers the types of the events written.
   */
  async checkDriftUpwards(goalId: string, asOf: string, metadata: RequestMetadata, settings?: DriftSettings): Promise<string[]> {
    const events = (await this.checkDrift(goalId, asOf, metadata, settings)).events.map((e) => e.type);
    const projectId = await this.projectOf(goalStream(goalId), goalDecider);
    if (!projectId) return events;
    for (const ancestor of (await this.goalTree(projectId)).ancestorsOf(goalId))
      events.push(...(await this.checkDrift(ancestor, asOf, metadata, settings)).events.map((e) => e.type));
    return events;
  }

  /** Parent of each goal set in a project and the goals withdrawn, read on from where the last look stopped. */
  private readonly childIndex = new Map<string, { position: string | undefined; parentOf: Map<string, string>; withdrawn: Set<string> }>();

  /** How many active goals name `goalId` as their parent: one indexed read of what changed since the last look. */
  private async activeChildCount(projectId: string, goalId: string): Promise<number> {
    const index = this.childIndex.get(projectId) ?? { position: undefined, parentOf: new Map(), withdrawn: new Set() };
    for (let page; ;) {
      page = await this.store.readAll({ projectId, after: index.position, types: ['GoalSet', 'GoalWithdrawn'], limit: 1000 });
      for (const event of page.events) {
        const id = String(event.data['goalId']);
        if (event.type === 'GoalWithdrawn') index.withdrawn.add(id);
        else if (typeof event.data['parentGoalId'] === 'string') index.parentOf.set(id, event.data['parentGoalId']);
      }
      index.position = page.position ?? index.position;
      if (page.events.length < 1000) break;
    }
    if (this.childIndex.size > 1000) this.childIndex.clear();
    this.childIndex.set(projectId, index);
    let count = 0;
    for (const [child, parent] of index.parentOf) if (parent === goalId && !index.withdrawn.has(child)) count += 1;
    return count;
  }

  /**
   * The project's goals as a tree, for the rules that read a goal's children (an actual refused on
   * a parent that rolls up, a parent's drift judged on its roll-up). The goals come from the store
   * (through the aggregate cache, brought up to date), not from a read model that may lag.
   */
  async goalTree(projectId: string) {
    const ids = await this.idsCreatedIn(projectId, 'GoalSet', 'goalId');
    const nodes = (await Promise.all(ids.map(async (id) => (await this.commands.fresh(goalStream(id), goalDecider)).state)))
      .map(goalNodeOf)
      .filter((n): n is GoalNode => n !== undefined);
    const childrenOf = (goalId: string) => nodes.filter((n) => n.status === 'active' && n.definition.parentGoalId === goalId);
    const descendantsOf = (goalId: string, seen = new Set<string>([goalId])): GoalNode[] =>
      childrenOf(goalId)
        .filter((c) => !seen.has(c.goalId) && seen.add(c.goalId))
        .flatMap((c) => [c, ...descendantsOf(c.goalId, seen)]);
    const ancestorsOf = (goalId: string): string[] => {
      const out: string[] = [];
      for (let at = nodes.find((n) => n.goalId === goalId)?.definition.parentGoalId; at && !out.includes(at);) {
        out.push(at);
        at = nodes.find((n) => n.goalId === at)?.definition.parentGoalId;
      }
      return out;
    };
    return { nodes, childrenOf, descendantsOf, ancestorsOf };
  }

  async project(projectId: string) {
    const loaded = await loadAggregate(this.store, projectStream(projectId), projectDecider);
    if (loaded.state.status === 'none') refuse('PROJECT_NOT_FOUND', `project ${projectId} does not exist`);
    return loaded;
  }

  async goal(goalId: string) {
    const loaded = await loadAggregate(this.store, goalStream(goalId), goalDecider);
    if (loaded.state.status === 'none') refuse('GOAL_NOT_FOUND', `goal ${goalId} does not exist`);
    return loaded;
  }

  /**
   * The project's goals, folded from their streams, each with the decomposition check when it has
   * children. Found through the project's indexed history; the read side will serve this later.
   */
  async projectGoals(projectId: string, now = new Date()) {
    const goalIds = await this.idsCreatedIn(projectId, 'GoalSet', 'goalId');
    const [goals, { state: project }] = await Promise.all([
      Promise.all(goalIds.map(async (goalId) => ({ goalId, ...(await loadAggregate(this.store, goalStream(goalId), goalDecider)) }))),
      loadAggregate(this.store, projectStream(projectId), projectDecider),
    ]);
    const figures = projectFigures(
      goals.map((g) => g.state as GoalState),
      dayIn(now, project.charter?.timeZone ?? 'UTC'),
    );
    return Promise.all(
      goals.map(async ({ goalId, state, revision }) => {
        const children = goals.filter((g) => g.state.definition?.parentGoalId === goalId).map((g) => g.state);
        return {
          goalId,
          revision,
          status: state.status,
          title: state.definition?.title,
          kpi: state.definition?.kpi,
          target: state.definition?.target,
          deadline: state.definition?.deadline,
          owner: state.definition?.owner,
          parentGoalId: state.definition?.parentGoalId,
          rollup: state.definition ? rollupOf(state.definition) : undefined,
          figures: figures.get(goalId) ?? null,
          strategyRefs: state.definition?.strategyRefs ?? [],
          // Judged on the goal as it stands now, under the project's current policy.
          smart: currentSmart(state as GoalState, project, await this.similarGoalResults(state.definition)),
          smartWhenSet: state.smart,
          decomposition: children.length > 0 ? checkDecomposition(state, children) : undefined,
        };
      }),
    );
  }

  /**
   * Final results of closed projects' goals, per KPI (name and unit), newest project first: the
   * history the SMART check's "achievable" reads. Kept in memory and read on from the last
   * ProjectClosed seen; a closed project takes no more actuals, so a result never changes.
   */
  private readonly finalResults = { position: undefined as string | undefined, byKpi: new Map<string, number[]>() };

  async similarGoalResults(definition: Pick<GoalDefinition, 'kpi'> | undefined): Promise<number[]> {
    if (!definition) return [];
    for (let page; ;) {
      page = await this.store.readAll({ after: this.finalResults.position, types: ['ProjectClosed'], limit: 100 });
      for (const event of page.events) {
        const projectId = String(event.data['projectId']);
        const [{ state: project }, ids] = await Promise.all([
          loadAggregate(this.store, projectStream(projectId), projectDecider),
          this.idsCreatedIn(projectId, 'GoalSet', 'goalId'),
        ]);
        const goals = await Promise.all(ids.map(async (id) => (await loadAggregate(this.store, goalStream(id), goalDecider)).state));
        const figures = projectFigures(goals, project.charter?.periodEnd ?? dayIn(event.recordedAt, 'UTC'));
        for (const goal of goals) {
          const actual = figures.get(goal.goalId as string)?.actualToDate;
          if (goal.status !== 'active' || !goal.definition || actual === null || actual === undefined) continue;
          const key = kpiKey(goal.definition);
          this.finalResults.byKpi.set(key, [actual, ...(this.finalResults.byKpi.get(key) ?? [])]);
        }
      }
      this.finalResults.position = page.position ?? this.finalResults.position;
      if (page.events.length < 100) break;
    }
    return this.finalResults.byKpi.get(kpiKey(definition)) ?? [];
  }

  /**
   * One page of projects in the order they were opened; `next` continues the list. `visible` keeps
   * only the projects the caller may see, so a page can hold fewer than `limit`.
   */
  async listProjects(limit: number, after?: string, visible: (projectId: string) => boolean = () => true) {
    const page = await this.store.readAll({ after, types: ['ProjectOpened'], limit });
    const projects = await Promise.all(
      page.events
        .filter((event) => visible(String(event.data['projectId'])))
        .map(async (event) => {
          const projectId = String(event.data['projectId']);
          const { state, revision } = await loadAggregate(this.store, projectStream(projectId), projectDecider);
          return {
            projectId,
            status: state.status,
            revision,
            name: state.charter?.name,
            managerId: state.charter?.managerId,
            periodStart: state.charter?.periodStart,
            periodEnd: state.charter?.periodEnd,
            openedAt: event.recordedAt,
          };
        }),
    );
    return { projects, next: page.events.length === limit ? (page.position ?? null) : null };
  }

  /** Every change to the project, its team, goals and tasks, filtered and a page at a time. */
  async history(projectId: string, query: ProjectHistoryQuery) {
    await this.project(projectId);
    return projectHistory(this.store, projectId, query);
  }

  /** The whole plan as the system knew it at `asOf`, folded from the log. */
  async planAsOf(projectId: string, asOf: string) {
    await this.project(projectId);
    return this.timeline.planAsOf(projectId, asOf);
  }

  /** What changed in the plan between two moments, with the reasons recorded in between. */
  async planDiff(projectId: string, from: string, to: string) {
    await this.project(projectId);
    return this.timeline.planDiff(projectId, from, to);
  }

  /** The project's tasks, folded from their streams. */
  async projectTasks(projectId: string) {
    const taskIds = await this.idsCreatedIn(projectId, 'TaskPlanned', 'taskId');
    const tasks = await Promise.all(
      taskIds.map(async (taskId) => ({ taskId, ...(await loadAggregate(this.store, taskStream(taskId), taskDecider)) })),
    );
    return tasks.map(({ taskId, state, revision }) => ({ taskId, revision, status: state.status, percent: state.percent, ...state.plan }));
  }

  /** Strategy elements a goal or task references must be active in the project's strategy. */
  private async requireStrategyRefs(projectId: string, refs: readonly string[]): Promise<void> {
    if (refs.length === 0) return;
    const { state } = await loadAggregate(this.store, strategyStream(projectId), strategyDecider);
    const unknown = refs.filter((id) => !state.elements.get(id)?.active);
    if (unknown.length > 0)
      refuse('STRATEGY_ELEMENT_NOT_FOUND', `strategy element ${unknown.join(', ')} does not exist in this project or was withdrawn`);
  }

  /** Ids of the aggregates a project created (its goals, tasks, issues), found through its indexed history. */
  async idsCreatedIn(projectId: string, creationEvent: string, idField: string): Promise<string[]> {
    const ids: string[] = [];
    for (let after: string | undefined, page; ; after = page.position) {
      page = await this.store.readAll({ after, projectId, types: [creationEvent], limit: 1000 });
      ids.push(...page.events.map((e) => String(e.data[idField])));
      if (page.events.length < 1000) return ids;
    }
  }

  /**
   * For access checks: the project a goal or task belongs to, and the member who owns the goal or
   * holds the task. Undefined when it does not exist.
   */
  async ownership(kind: 'goal' | 'task', id: string): Promise<{ projectId: string; memberId?: string } | undefined> {
    if (kind === 'goal') {
      const goal = await this.existing(goalStream(id), goalDecider);
      if (!goal.projectId) return undefined;
      const owner = goal.definition?.owner;
      return { projectId: goal.projectId, ...(owner?.kind === 'member' ? { memberId: owner.memberId } : {}) };
    }
    const task = await this.existing(taskStream(id), taskDecider);
    if (!task.projectId) return undefined;
    return { projectId: task.projectId, ...(task.plan?.assigneeId ? { memberId: task.plan.assigneeId } : {}) };
  }

  /** The project a goal or task belongs to (it never changes). */
  private async projectOf<State extends { projectId?: string }, Event extends PlanLedgerEvent>(
    streamId: string,
    decider: Folding<State, Event>,
  ): Promise<string | undefined> {
    return (await this.existing(streamId, decider)).projectId;
  }

  /**
   * A goal's or task's state from the cache when it holds the aggregate; one the cache knows as
   * absent is read again, as another process may have created it since.
   */
  private async existing<State extends { projectId?: string }, Event extends PlanLedgerEvent>(
    streamId: string,
    decider: Folding<State, Event>,
  ): Promise<State> {
    const cached = await this.commands.current(streamId, decider);
    return cached.state.projectId ? cached.state : (await this.commands.load(streamId, decider)).state;
  }

  private async taskContext(read: ContextReader, projectId: string, goalId?: string, parentTaskId?: string): Promise<TaskContext> {
    const [project, team, goal, parentTask] = await Promise.all([
      read.read(projectStream(projectId), projectDecider),
      read.read(teamStream(projectId), teamDecider),
      goalId ? read.read(goalStream(goalId), goalDecider) : undefined,
      parentTaskId ? read.read(taskStream(parentTaskId), taskDecider) : undefined,
    ]);
    return { project, currentMemberIds: new Set(team.members.keys()), goal, parentTask };
  }

  private async goalContext(
    read: ContextReader,
    projectId: string,
    parentGoalId: string | undefined,
    similarGoalResults: readonly number[] = [],
  ): Promise<GoalContext> {
    const [project, parent, team] = await Promise.all([
      read.read(projectStream(projectId), projectDecider),
      parentGoalId ? read.read(goalStream(parentGoalId), goalDecider) : undefined,
      read.read(teamStream(projectId), teamDecider),
    ]);
    return { project, parent, currentMemberIds: new Set(team.members.keys()), similarGoalResults };
  }
}
