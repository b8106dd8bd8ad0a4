import type { GoalDefinition, GoalOwner, ProjectOutcome, MemberProfile, Phasing, PlanLedgerEvent, ProjectCharter, ProjectHistoryQuery, TaskPlan } from '@planledger/contracts';
import {
  checkDecomposition,
  refuse,
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
import { CommandHandler, loadAggregate, type CommandResult, type ContextReader, type Folding, type Idempotency } from './command-handler';
import { goalDecider, projectDecider, strategyDecider, taskDecider, teamDecider } from './deciders';
import { goalStream, projectStream, strategyStream, taskStream, teamStream } from './streams';

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
  | { type: 'MemberLeaves'; data: { memberId: string; handOverTo?: string; reason: string } }
  | { type: 'SetSkillRequirement'; data: { skill: string; minLevel: number; headcount: number } };

export type RequestMetadata = CommandMetadata & { correlationId: string; idempotency?: Idempotency };

type GoalChange =
  | { type: 'AdjustGoalTarget'; data: { target: number; reason: string } }
  | { type: 'MoveGoalDeadline'; data: { deadline: string; reason: string } }
  | { type: 'ChangeGoalOwner'; data: { owner: GoalOwner; reason: string } }
  | { type: 'RephaseGoal'; data: { phasing: Phasing; reason: string } }
  | { type: 'WithdrawGoal'; data: { reason: string } }
  | { type: 'RecordActual'; data: ActualInput }
  | { type: 'RecordActuals'; data: { actuals: ActualInput[] } }
  | { type: 'CorrectActual'; data: { actualId: string; value: number; reason: string } }
  | { type: 'CheckDrift'; data: { asOf: string; settings?: DriftSettings } }
  | { type: 'LinkGoalStrategy'; data: { strategyRefs: string[]; reason: string } };

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
    return this.commands.handle(projectStream(projectId), projectDecider, { type: 'OpenProject', data: { projectId, ...charter }, metadata }, async () => undefined, {
      projectId,
      metadata,
      creates: true,
    });
  }

  amendProjectCharter(projectId: string, changes: Partial<ProjectCharter>, reason: string, metadata: RequestMetadata, ifMatch?: number): Promise<CommandResult> {
    return this.commands.handle(
      projectStream(projectId),
      projectDecider,
      { type: 'AmendProjectCharter', data: { projectId, changes, reason }, metadata },
      async () => undefined,
      { projectId, metadata, ifMatch },
    );
  }

  closeProject(projectId: string, reason: string, metadata: RequestMetadata, ifMatch?: number, outcome?: ProjectOutcome): Promise<CommandResult> {
    return this.commands.handle(projectStream(projectId), projectDecider, { type: 'CloseProject', data: { projectId, reason, ...(outcome ? { outcome } : {}) }, metadata }, async () => undefined, {
      projectId,
      metadata,
      ifMatch,
    });
  }

  async setGoal(projectId: string, goalId: string, definition: GoalDefinition, metadata: RequestMetadata): Promise<CommandResult> {
    await this.requireStrategyRefs(projectId, definition.strategyRefs ?? []);
    return this.commands.handle(
      goalStream(goalId),
      goalDecider,
      { type: 'SetGoal', data: { goalId, projectId, ...definition }, metadata },
      (_, read) => this.goalContext(read, projectId, definition.parentGoalId),
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

  /** Any change to an existing task; its stream says which project it belongs to. */
  async changeTask(taskId: string, change: TaskChange, metadata: RequestMetadata, ifMatch?: number): Promise<CommandResult> {
    const projectId = await this.projectOf(taskStream(taskId), taskDecider);
    if (!projectId) refuse('TASK_NOT_FOUND', `task ${taskId} does not exist`);
    const command = { ...change, data: { ...change.data, taskId }, metadata } as TaskCommand;
    return this.commands.handle(taskStream(taskId), taskDecider, command, (_, read) => this.taskContext(read, projectId), { projectId, metadata, ifMatch });
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
    const projectId = await this.projectOf(goalStream(goalId), goalDecider);
    if (!projectId) refuse('GOAL_NOT_FOUND', `goal ${goalId} does not exist`);
    if (change.type === 'LinkGoalStrategy') await this.requireStrategyRefs(projectId, change.data.strategyRefs);
    const command = { ...change, data: { ...change.data, goalId }, metadata } as GoalCommand;
    return this.commands.handle(goalStream(goalId), goalDecider, command, (current, read) => this.goalContext(read, projectId, current.definition?.parentGoalId), {
      projectId,
      metadata,
      ifMatch,
    });
  }

  /**
   * The drift check for one goal on `asOf`: records KpiDriftDetected, KpiBackOnTrack or
   * GoalWentStale only when the state changed. Appended at the goal's revision, so two checks
   * racing (a duplicated job) record the change once: the loser is decided again and finds it.
   */
  async checkDrift(goalId: string, asOf: string, metadata: RequestMetadata, settings?: DriftSettings): Promise<CommandResult> {
    // Judged on the store's state: a cached goal may miss actuals another process recorded, and a
    // check that decides nothing is never confirmed by an append. The cached goal is brought up to
    // date with the events appended since, rather than read whole.
    await this.commands.fresh(goalStream(goalId), goalDecider);
    return this.changeGoal(goalId, { type: 'CheckDrift', data: { asOf, ...(settings ? { settings } : {}) } }, metadata);
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
  async projectGoals(projectId: string) {
    const goalIds = await this.idsCreatedIn(projectId, 'GoalSet', 'goalId');
    const goals = await Promise.all(goalIds.map(async (goalId) => ({ goalId, ...(await loadAggregate(this.store, goalStream(goalId), goalDecider)) })));
    return goals.map(({ goalId, state, revision }) => {
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
        strategyRefs: state.definition?.strategyRefs ?? [],
        smart: state.smart,
        decomposition: children.length > 0 ? checkDecomposition(state, children) : undefined,
      };
    });
  }

  /**
   * One page of projects in the order they were opened; `next` continues the list. `visible` keeps
   * only the projects the caller may see, so a page can hold fewer than `limit`.
   */
  async listProjects(limit: number, after?: string, visible: (projectId: string) => boolean = () => true) {
    const page = await this.store.readAll({ after, types: ['ProjectOpened'], limit });
    const projects = await Promise.all(
      page.events.filter((event) => visible(String(event.data['projectId']))).map(async (event) => {
        const projectId = String(event.data['projectId']);
        const { state, revision } = await loadAggregate(this.store, projectStream(projectId), projectDecider);
        return { projectId, status: state.status, revision, name: state.charter?.name, managerId: state.charter?.managerId, periodStart: state.charter?.periodStart, periodEnd: state.charter?.periodEnd, openedAt: event.recordedAt };
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
    const tasks = await Promise.all(taskIds.map(async (taskId) => ({ taskId, ...(await loadAggregate(this.store, taskStream(taskId), taskDecider)) })));
    return tasks.map(({ taskId, state, revision }) => ({ taskId, revision, status: state.status, percent: state.percent, ...state.plan }));
  }

  /** Strategy elements a goal or task references must be active in the project's strategy. */
  private async requireStrategyRefs(projectId: string, refs: readonly string[]): Promise<void> {
    if (refs.length === 0) return;
    const { state } = await loadAggregate(this.store, strategyStream(projectId), strategyDecider);
    const unknown = refs.filter((id) => !state.elements.get(id)?.active);
    if (unknown.length > 0) refuse('STRATEGY_ELEMENT_NOT_FOUND', `strategy element ${unknown.join(', ')} does not exist in this project or was withdrawn`);
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
  private async projectOf<State extends { projectId?: string }, Event extends PlanLedgerEvent>(streamId: string, decider: Folding<State, Event>): Promise<string | undefined> {
    return (await this.existing(streamId, decider)).projectId;
  }

  /**
   * A goal's or task's state from the cache when it holds the aggregate; one the cache knows as
   * absent is read again, as another process may have created it since.
   */
  private async existing<State extends { projectId?: string }, Event extends PlanLedgerEvent>(streamId: string, decider: Folding<State, Event>): Promise<State> {
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

  private async goalContext(read: ContextReader, projectId: string, parentGoalId: string | undefined): Promise<GoalContext> {
    const [project, parent, team] = await Promise.all([
      read.read(projectStream(projectId), projectDecider),
      parentGoalId ? read.read(goalStream(parentGoalId), goalDecider) : undefined,
      read.read(teamStream(projectId), teamDecider),
    ]);
    // The history of similar goals needs the read side (issue 5); until then achievability is
    // judged against the baseline alone.
    return { project, parent, currentMemberIds: new Set(team.members.keys()), similarGoalResults: [] };
  }
}
