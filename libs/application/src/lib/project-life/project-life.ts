import type {
  Attainment,
  FeedbackRecorded,
  IssueEvent,
  IssueRaised,
  MeetingEvent,
  PlanLedgerEvent,
  StrategyElement,
  SurveyResponseRecorded,
  VoiceEvent,
  WrapUpEvent,
} from '@planledger/contracts';
import { parseEvent } from '@planledger/contracts';
import {
  computeAwards,
  decideIssue,
  decideMeetings,
  decideVoice,
  decideWrapUp,
  evolveIssue,
  evolveMeetings,
  evolveVoice,
  evolveWrapUp,
  initialIssueState,
  initialMeetingsState,
  initialVoiceState,
  initialWrapUpState,
  memberAttainments,
  refuse,
  satisfaction,
  teamAttainment,
  traceStrategy,
  type ExecutionContext,
  type GoalState,
  type IssueCommand,
  type IssueState,
  type MeetingCommand,
  type MeetingsState,
  type ProjectState,
  type StrategyCommand,
  type VoiceCommand,
  type VoiceContext,
  type VoiceState,
  type WrapUpCommand,
  type WrapUpContext,
  type WrapUpState,
} from '@planledger/domain';
import type { EventStore, StoredEvent } from '@planledger/event-store';
import { AggregateCache } from '../aggregate-cache';
import { CommandHandler, commandPart, loadAggregate, type CommandResult, type ContextReader, type Decider } from '../command-handler';
import { goalDecider, projectDecider, strategyDecider, teamDecider } from '../deciders';
import type { Planning, RequestMetadata } from '../planning';
import { todayIn } from '../progress';
import { goalStream, issueStream, meetingsStream, projectStream, strategyStream, teamStream, voiceStream, wrapUpStream } from '../streams';

const meetingsDecider: Decider<MeetingsState, MeetingEvent, MeetingCommand, ExecutionContext> = {
  initialState: initialMeetingsState,
  evolve: evolveMeetings,
  decide: decideMeetings,
};
const issueDecider: Decider<IssueState, IssueEvent, IssueCommand, ExecutionContext> = {
  initialState: initialIssueState,
  evolve: evolveIssue,
  decide: decideIssue,
};
const voiceDecider: Decider<VoiceState, VoiceEvent, VoiceCommand, VoiceContext> = {
  initialState: initialVoiceState,
  evolve: evolveVoice,
  decide: decideVoice,
};
const wrapUpDecider: Decider<WrapUpState, WrapUpEvent, WrapUpCommand, WrapUpContext> = {
  initialState: initialWrapUpState,
  evolve: evolveWrapUp,
  decide: decideWrapUp,
};

/** Read the events of one stream, typed (for lists and the report). */
async function eventsOf<E extends PlanLedgerEvent>(store: EventStore, streamId: string): Promise<(E & { stored: StoredEvent })[]> {
  return (await store.readStream(streamId)).map((stored) => ({ ...(parseEvent(stored.type, stored.data) as E), stored }));
}

/**
 * The rest of a sales project's life as events: its strategy, meetings, issues, feedback and
 * satisfaction, and its wrap-up (appraisals, lessons, incentives, training, the evaluation).
 */
export class ProjectLife {
  private readonly commands: CommandHandler;

  constructor(
    private readonly store: EventStore,
    private readonly planning: Planning,
    cache: AggregateCache = new AggregateCache(),
    /** The clock "today" is read from where a view judges attainment now. */
    private readonly now: () => Date = () => new Date(),
  ) {
    this.commands = new CommandHandler(store, cache);
  }

  private async execution(read: ContextReader, projectId: string): Promise<ExecutionContext> {
    const [project, team] = [
      await read.read(projectStream(projectId), projectDecider),
      await read.read(teamStream(projectId), teamDecider),
    ];
    return { project, currentMemberIds: new Set(team.members.keys()) };
  }

  /** The execution context and the project's strategy, for commands that link to strategy elements. */
  private async withStrategy(read: ContextReader, projectId: string): Promise<VoiceContext & WrapUpContext> {
    return { ...(await this.execution(read, projectId)), strategy: await read.read(strategyStream(projectId), strategyDecider) };
  }

  /** A goal or task named by a command must be one of the project's. */
  private async requireInProject(projectId: string, kind: 'goal' | 'task', id: string | undefined): Promise<void> {
    if (id === undefined) return;
    const owned = await this.planning.ownership(kind, id);
    if (owned?.projectId !== projectId) refuse(`${kind.toUpperCase()}_NOT_FOUND`, `${kind} ${id} is not one of this project's`);
  }

  /* Strategy ---------------------------------------------------------------------------------------- */

  async defineStrategyElement(
    projectId: string,
    elementId: string,
    element: StrategyElement,
    metadata: RequestMetadata,
  ): Promise<CommandResult> {
    if (element.kind === 'promotion') await this.requireInProject(projectId, 'goal', element.expectedLift?.goalId);
    return this.strategyCommand(projectId, { type: 'DefineStrategyElement', data: { projectId, elementId, element }, metadata });
  }

  async reviseStrategyElement(
    projectId: string,
    elementId: string,
    element: StrategyElement,
    reason: string,
    metadata: RequestMetadata,
  ): Promise<CommandResult> {
    if (element.kind === 'promotion') await this.requireInProject(projectId, 'goal', element.expectedLift?.goalId);
    return this.strategyCommand(projectId, { type: 'ReviseStrategyElement', data: { projectId, elementId, element, reason }, metadata });
  }

  withdrawStrategyElement(projectId: string, elementId: string, reason: string, metadata: RequestMetadata): Promise<CommandResult> {
    return this.strategyCommand(projectId, { type: 'WithdrawStrategyElement', data: { projectId, elementId, reason }, metadata });
  }

  private strategyCommand(projectId: string, command: StrategyCommand): Promise<CommandResult> {
    return this.commands.handle(
      strategyStream(projectId),
      strategyDecider,
      command,
      async (_, read) => ({ project: await read.read(projectStream(projectId), projectDecider) }),
      {
        projectId,
        metadata: command.metadata as RequestMetadata,
      },
    );
  }

  /** Each active element with the goals and tasks that serve it, and what nothing serves. */
  async strategy(projectId: string) {
    await this.planning.project(projectId);
    const [{ state, revision }, goals, tasks] = await Promise.all([
      loadAggregate(this.store, strategyStream(projectId), strategyDecider),
      this.planning.projectGoals(projectId),
      this.planning.projectTasks(projectId),
    ]);
    const trace = traceStrategy(
      state,
      goals.map((g) => ({ goalId: g.goalId, title: g.title, status: g.status, strategyRefs: g.strategyRefs })),
      tasks.map((t) => ({ taskId: t.taskId, title: t.title, status: t.status, strategyRef: t.strategyRef })),
    );
    return { projectId, revision: revision ?? null, ...trace };
  }

  /* Meetings ---------------------------------------------------------------------------------------- */

  setMeetingCadence(
    projectId: string,
    data: Omit<Extract<MeetingCommand, { type: 'SetMeetingCadence' }>['data'], 'projectId'>,
    metadata: RequestMetadata,
  ): Promise<CommandResult> {
    return this.meetingCommand(projectId, { type: 'SetMeetingCadence', data: { ...data, projectId }, metadata });
  }

  endMeetingCadence(projectId: string, cadenceId: string, reason: string, metadata: RequestMetadata): Promise<CommandResult> {
    return this.meetingCommand(projectId, { type: 'EndMeetingCadence', data: { projectId, cadenceId, reason }, metadata });
  }

  /**
   * Records the minutes and plans each action item as a task with the id it carries, in one
   * atomic write: the minutes are never stored without their tasks, nor the tasks without the
   * minutes. A keyed retry answers with the first result; an action item whose task is planned
   * already (under that id) is left as it is.
   */
  async recordMeetingMinutes(
    projectId: string,
    data: Omit<Extract<MeetingCommand, { type: 'RecordMeetingMinutes' }>['data'], 'projectId'>,
    metadata: RequestMetadata,
  ): Promise<CommandResult & { tasks: { taskId: string; streamId: string; revision: number | null; position: string | null }[] }> {
    const command: MeetingCommand = { type: 'RecordMeetingMinutes', data: { ...data, projectId }, metadata };
    const [minutes, ...planned] = await this.commands.handleTogether(
      [
        commandPart(meetingsStream(projectId), meetingsDecider, command, (_, read) => this.execution(read, projectId)),
        ...data.actionItems.map((item) =>
          this.planning.planTaskPart(
            projectId,
            item.taskId,
            {
              title: item.title,
              description: `Action item of the meeting on ${data.date} (${data.meetingId})`,
              assigneeId: item.assigneeId,
              dueDate: item.dueDate,
            },
            metadata,
          ),
        ),
      ],
      { projectId, metadata },
    );
    const tasks = data.actionItems.map((item, i) => ({
      taskId: item.taskId,
      streamId: planned[i].streamId,
      revision: planned[i].revision ?? null,
      position: planned[i].position ?? null,
    }));
    // One write: its last position covers the tasks too, so a read with it as minPosition sees them.
    const position = [minutes.position, ...planned.map((t) => t.position)]
      .filter((p) => p !== undefined)
      .sort()
      .at(-1);
    return { ...minutes, position, tasks };
  }

  private meetingCommand(projectId: string, command: MeetingCommand): Promise<CommandResult> {
    return this.commands.handle(meetingsStream(projectId), meetingsDecider, command, (_, read) => this.execution(read, projectId), {
      projectId,
      metadata: command.metadata as RequestMetadata,
    });
  }

  async meetings(projectId: string) {
    await this.planning.project(projectId);
    const events = await eventsOf<MeetingEvent>(this.store, meetingsStream(projectId));
    const cadences = new Map<string, Record<string, unknown>>();
    const minutes: Record<string, unknown>[] = [];
    for (const e of events) {
      if (e.type === 'MeetingCadenceSet') cadences.set(e.data.cadenceId, { ...e.data, active: true, endedReason: null });
      else if (e.type === 'MeetingCadenceEnded')
        cadences.set(e.data.cadenceId, { ...cadences.get(e.data.cadenceId), active: false, endedReason: e.data.reason });
      else minutes.push({ ...e.data, recordedBy: e.stored.metadata.actor });
    }
    return {
      projectId,
      cadences: [...cadences.values()],
      meetings: minutes.sort((a, b) => String(b['date']).localeCompare(String(a['date']))),
    };
  }

  /* Issues ------------------------------------------------------------------------------------------- */

  async raiseIssue(
    projectId: string,
    issueId: string,
    issue: Omit<IssueRaised['data'], 'projectId' | 'issueId'>,
    metadata: RequestMetadata,
  ): Promise<CommandResult> {
    await this.requireInProject(projectId, 'task', issue.taskId);
    await this.requireInProject(projectId, 'goal', issue.goalId);
    return this.issueCommand(projectId, { type: 'RaiseIssue', data: { ...issue, projectId, issueId }, metadata });
  }

  async changeIssue(projectId: string, command: Exclude<IssueCommand, { type: 'RaiseIssue' }>): Promise<CommandResult> {
    const { state } = await loadAggregate(this.store, issueStream(command.data.issueId), issueDecider);
    if (state.projectId !== projectId) refuse('ISSUE_NOT_FOUND', `issue ${command.data.issueId} does not exist in project ${projectId}`);
    return this.issueCommand(projectId, command);
  }

  private issueCommand(projectId: string, command: IssueCommand): Promise<CommandResult> {
    return this.commands.handle(issueStream(command.data.issueId), issueDecider, command, (_, read) => this.execution(read, projectId), {
      projectId,
      metadata: command.metadata as RequestMetadata,
      creates: command.type === 'RaiseIssue',
    });
  }

  async issues(projectId: string) {
    await this.planning.project(projectId);
    const ids = await this.planning.idsCreatedIn(projectId, 'IssueRaised', 'issueId');
    const issues = await Promise.all(ids.map((id) => eventsOf<IssueEvent>(this.store, issueStream(id))));
    return { projectId, issues: issues.map((events) => issueView(events)) };
  }

  /* Feedback and satisfaction ----------------------------------------------------------------------- */

  async recordFeedback(
    projectId: string,
    feedbackId: string,
    data: Omit<FeedbackRecorded['data'], 'projectId' | 'feedbackId'>,
    metadata: RequestMetadata,
  ): Promise<CommandResult> {
    if (data.link?.kind === 'goal' || data.link?.kind === 'task') await this.requireInProject(projectId, data.link.kind, data.link.id);
    return this.voiceCommand(projectId, { type: 'RecordFeedback', data: { ...data, projectId, feedbackId }, metadata });
  }

  /**
   * Records a survey response; with `goalId`, the project's aggregate score of that scale (CSAT
   * mean, or NPS) after it becomes the goal's actual for the survey day, so a goal can target it.
   * Only a goal that declares it takes that score (`surveyFeed`, set by a manager) is fed: the
   * response and the actual are one atomic write, so a refusal of either stores neither.
   */
  async recordSurveyResponse(
    projectId: string,
    responseId: string,
    data: Omit<SurveyResponseRecorded['data'], 'projectId' | 'responseId'>,
    goalId: string | undefined,
    metadata: RequestMetadata,
  ): Promise<CommandResult> {
    await this.requireInProject(projectId, 'goal', goalId);
    const command: VoiceCommand = { type: 'RecordSurveyResponse', data: { ...data, projectId, responseId }, metadata };
    if (!goalId) return this.voiceCommand(projectId, command);
    const recorded = (await eventsOf<VoiceEvent>(this.store, voiceStream(projectId))).flatMap((e) =>
      e.type === 'SurveyResponseRecorded' && e.data.scale === data.scale ? [e.data] : [],
    );
    // The score with this response in it; a respondent answering again changes nothing.
    const respondent = (r: { respondentRef: string }) => r.respondentRef.trim().toLowerCase();
    const responses = recorded.some((r) => respondent(r) === respondent(data)) ? recorded : [...recorded, data];
    const score = satisfaction(responses)[data.scale] as number;
    const [response, actual] = await this.commands.handleTogether(
      [
        commandPart(voiceStream(projectId), voiceDecider, command, (_, read) => this.withStrategy(read, projectId)),
        // The same response recorded again finds its actual there already: the goal ignores a known id.
        await this.planning.changeGoalPart(
          goalId,
          {
            type: 'RecordActual',
            data: {
              actualId: `survey-${responseId}`,
              value: score,
              businessDate: data.surveyedOn,
              source: `${data.scale.toUpperCase()} survey (${responses.length} responses)`,
              surveyScale: data.scale,
            },
          },
          metadata,
        ),
      ],
      { projectId, metadata },
    );
    // One write: its last position covers the actual too.
    const position = [response.position, actual.position]
      .filter((p) => p !== undefined)
      .sort()
      .at(-1);
    return { ...response, position };
  }

  private voiceCommand(projectId: string, command: VoiceCommand): Promise<CommandResult> {
    return this.commands.handle(voiceStream(projectId), voiceDecider, command, (_, read) => this.withStrategy(read, projectId), {
      projectId,
      metadata: command.metadata as RequestMetadata,
    });
  }

  async feedback(projectId: string) {
    await this.planning.project(projectId);
    const events = await eventsOf<VoiceEvent>(this.store, voiceStream(projectId));
    const feedback = events.flatMap((e) => (e.type === 'FeedbackRecorded' ? [{ ...e.data, recordedAt: e.stored.recordedAt }] : []));
    const responses = events.flatMap((e) => (e.type === 'SurveyResponseRecorded' ? [e.data] : []));
    return { projectId, feedback, satisfaction: satisfaction(responses), surveyResponses: responses };
  }

  /* Wrap-up ---------------------------------------------------------------------------------------- */

  /** The project's goals folded from their streams, and the day attainment is judged on (today, or the period's end once past). */
  async goalFacts(projectId: string): Promise<{ goals: GoalState[]; asOf: string; project: ProjectState }> {
    const { state: project } = await this.planning.project(projectId);
    const ids = await this.planning.idsCreatedIn(projectId, 'GoalSet', 'goalId');
    const goals = await Promise.all(ids.map(async (id) => (await loadAggregate(this.store, goalStream(id), goalDecider)).state));
    const today = todayIn(project.charter?.timeZone ?? 'UTC', this.now());
    const end = project.charter?.periodEnd ?? today;
    return { goals, asOf: today < end ? today : end, project };
  }

  async appraiseMember(
    projectId: string,
    data: { memberId: string; score: number; strengths: string[]; improvements: string[]; reason?: string },
    metadata: RequestMetadata,
  ): Promise<CommandResult> {
    const { goals, asOf } = await this.goalFacts(projectId);
    const [attainment] = memberAttainments([data.memberId], goals, asOf);
    return this.wrapUpCommand(projectId, { type: 'AppraiseMember', data: { ...data, projectId, attainment }, metadata });
  }

  recordLesson(
    projectId: string,
    data: Omit<Extract<WrapUpCommand, { type: 'RecordLesson' }>['data'], 'projectId'>,
    metadata: RequestMetadata,
  ): Promise<CommandResult> {
    return this.wrapUpCommand(projectId, { type: 'RecordLesson', data: { ...data, projectId }, metadata });
  }

  setIncentiveScheme(
    projectId: string,
    data: Omit<Extract<WrapUpCommand, { type: 'SetIncentiveScheme' }>['data'], 'projectId'>,
    metadata: RequestMetadata,
  ): Promise<CommandResult> {
    return this.wrapUpCommand(projectId, { type: 'SetIncentiveScheme', data: { ...data, projectId }, metadata });
  }

  planTraining(
    projectId: string,
    data: Omit<Extract<WrapUpCommand, { type: 'PlanTraining' }>['data'], 'projectId'>,
    metadata: RequestMetadata,
  ): Promise<CommandResult> {
    return this.wrapUpCommand(projectId, { type: 'PlanTraining', data: { ...data, projectId }, metadata });
  }

  /** Attainment and awards as the facts stand now: what the evaluation publishes, and what the report shows live. */
  async standings(projectId: string, facts?: Promise<{ goals: GoalState[]; asOf: string }>) {
    const [{ goals, asOf }, team, wrapUp] = await Promise.all([
      facts ?? this.goalFacts(projectId),
      this.planning.team(projectId),
      loadAggregate(this.store, wrapUpStream(projectId), wrapUpDecider),
    ]);
    const attainments: Attainment[] = memberAttainments(
      team.members.map((m) => m.memberId),
      goals,
      asOf,
    );
    const team_ = teamAttainment(goals, asOf);
    return {
      asOf,
      teamAttainment: team_,
      attainments,
      awards: computeAwards(wrapUp.state.scheme ?? [], attainments, team_),
      scheme: wrapUp.state.scheme ?? null,
    };
  }

  async publishEvaluation(projectId: string, summary: string, metadata: RequestMetadata): Promise<CommandResult> {
    const { teamAttainment: team, attainments, awards } = await this.standings(projectId);
    return this.wrapUpCommand(projectId, {
      type: 'PublishEvaluation',
      data: { projectId, teamAttainment: team, attainments, awards, summary },
      metadata,
    });
  }

  private wrapUpCommand(projectId: string, command: WrapUpCommand): Promise<CommandResult> {
    return this.commands.handle(wrapUpStream(projectId), wrapUpDecider, command, (_, read) => this.withStrategy(read, projectId), {
      projectId,
      metadata: command.metadata as RequestMetadata,
    });
  }

  /** `facts`: the goals folded already (the report), so they are not read twice. */
  async wrapUp(projectId: string, facts?: Promise<{ goals: GoalState[]; asOf: string }>) {
    await this.planning.project(projectId);
    const events = await eventsOf<WrapUpEvent>(this.store, wrapUpStream(projectId));
    const pick = <T extends WrapUpEvent['type']>(type: T) =>
      events.flatMap((e) =>
        e.type === type
          ? [{ ...(e.data as Extract<WrapUpEvent, { type: T }>['data']), recordedAt: e.stored.recordedAt, by: e.stored.metadata.actor }]
          : [],
      );
    const appraisals = new Map(pick('MemberAppraised').map((a) => [a.memberId, a]));
    return {
      projectId,
      appraisals: [...appraisals.values()],
      lessons: pick('LessonRecorded'),
      scheme: pick('IncentiveSchemeSet').at(-1) ?? null,
      trainings: pick('TrainingPlanned'),
      evaluations: pick('EvaluationPublished'),
      standings: await this.standings(projectId, facts),
    };
  }
}

/** An issue's current state with its history, from its events. */
export function issueView(events: readonly (IssueEvent & { stored: StoredEvent })[]) {
  const raised = events[0] as Extract<IssueEvent, { type: 'IssueRaised' }> & { stored: StoredEvent };
  let status: 'open' | 'resolved' = 'open';
  let assigneeId: string | null = null;
  let resolution: string | null = null;
  let resolvedAt: string | null = null;
  for (const e of events) {
    if (e.type === 'IssueAssigned') assigneeId = e.data.after;
    if (e.type === 'IssueResolved') [status, resolution, resolvedAt] = ['resolved', e.data.resolution, e.stored.recordedAt];
    if (e.type === 'IssueReopened') [status, resolution, resolvedAt] = ['open', null, null];
  }
  const issue: Partial<IssueRaised['data']> = { ...raised.data };
  delete issue.projectId;
  return {
    ...issue,
    status,
    assigneeId,
    resolution,
    raisedAt: raised.stored.recordedAt,
    raisedBy: raised.stored.metadata.actor,
    resolvedAt,
    reopened: events.filter((e) => e.type === 'IssueReopened').length,
  };
}
