import type { IssueEvent, MeetingEvent, VoiceEvent } from '@planledger/contracts';
import { requireOpen, type ProjectState } from '../project/project.decider';
import { refuse, type CommandMetadata } from '../shared/domain-error';
import type { StrategyState } from '../strategy/strategy.decider';

/** What these commands read beyond their own stream. */
export interface ExecutionContext {
  project: ProjectState;
  currentMemberIds: ReadonlySet<string>;
}

function requireMembers(ids: readonly string[], context: ExecutionContext, what: string): void {
  const missing = ids.filter((id) => !context.currentMemberIds.has(id));
  if (missing.length > 0)
    refuse('MEMBER_NOT_FOUND', `${what} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not on the team`);
}

/* Meetings: one stream per project ----------------------------------------------------------------- */

export interface MeetingsState {
  cadences: ReadonlyMap<string, { active: boolean; title: string }>;
  meetings: ReadonlySet<string>;
}
export const initialMeetingsState: MeetingsState = { cadences: new Map(), meetings: new Set() };

type MeetingData<T extends MeetingEvent['type']> = Omit<Extract<MeetingEvent, { type: T }>['data'], never>;
export type SetMeetingCadence = { type: 'SetMeetingCadence'; data: MeetingData<'MeetingCadenceSet'>; metadata: CommandMetadata };
export type EndMeetingCadence = { type: 'EndMeetingCadence'; data: MeetingData<'MeetingCadenceEnded'>; metadata: CommandMetadata };
export type RecordMeetingMinutes = { type: 'RecordMeetingMinutes'; data: MeetingData<'MeetingMinutesRecorded'>; metadata: CommandMetadata };
export type MeetingCommand = SetMeetingCadence | EndMeetingCadence | RecordMeetingMinutes;

export function evolveMeetings(state: MeetingsState, event: MeetingEvent): MeetingsState {
  switch (event.type) {
    case 'MeetingCadenceSet':
      return { ...state, cadences: new Map(state.cadences).set(event.data.cadenceId, { active: true, title: event.data.title }) };
    case 'MeetingCadenceEnded': {
      const cadence = state.cadences.get(event.data.cadenceId);
      return cadence ? { ...state, cadences: new Map(state.cadences).set(event.data.cadenceId, { ...cadence, active: false }) } : state;
    }
    case 'MeetingMinutesRecorded':
      return { ...state, meetings: new Set(state.meetings).add(event.data.meetingId) };
  }
}

export function decideMeetings(command: MeetingCommand, state: MeetingsState, context: ExecutionContext): MeetingEvent[] {
  requireOpen(context.project);
  switch (command.type) {
    case 'SetMeetingCadence':
      if (state.cadences.has(command.data.cadenceId)) refuse('CADENCE_EXISTS', `meeting cadence ${command.data.cadenceId} exists already`);
      if ((command.data.every === 'week' || command.data.every === 'two_weeks') && command.data.weekday === undefined)
        refuse('WEEKDAY_REQUIRED', `a meeting every ${command.data.every.replace('_', ' ')} needs its weekday`);
      requireMembers(command.data.attendees, context, 'attendee');
      return [{ type: 'MeetingCadenceSet', data: command.data }];
    case 'EndMeetingCadence':
      if (!state.cadences.get(command.data.cadenceId)?.active)
        refuse('CADENCE_NOT_FOUND', `meeting cadence ${command.data.cadenceId} does not exist or has ended`);
      return [{ type: 'MeetingCadenceEnded', data: command.data }];
    case 'RecordMeetingMinutes': {
      const { meetingId, cadenceId, date, attendees, actionItems } = command.data;
      if (state.meetings.has(meetingId)) refuse('MEETING_EXISTS', `the minutes of meeting ${meetingId} are recorded already`);
      if (cadenceId !== undefined && !state.cadences.get(cadenceId)?.active)
        refuse('CADENCE_NOT_FOUND', `meeting cadence ${cadenceId} does not exist or has ended`);
      if (context.project.charter && date > context.project.charter.periodEnd)
        refuse('MEETING_OUTSIDE_PERIOD', `the meeting on ${date} is after the project ends on ${context.project.charter.periodEnd}`);
      requireMembers(attendees, context, 'attendee');
      requireMembers(
        actionItems.map((a) => a.assigneeId),
        context,
        'action item assignee',
      );
      const early = actionItems.find((a) => a.dueDate < date);
      if (early) refuse('ACTION_DUE_BEFORE_MEETING', `action item "${early.title}" is due ${early.dueDate}, before the meeting on ${date}`);
      const ids = actionItems.map((a) => a.taskId);
      if (new Set(ids).size !== ids.length) refuse('DUPLICATE_ACTION_ITEM', 'two action items share a task id');
      return [{ type: 'MeetingMinutesRecorded', data: command.data }];
    }
  }
}

/* Issues log: one stream per issue ----------------------------------------------------------------- */

export interface IssueState {
  status: 'none' | 'open' | 'resolved';
  projectId?: string;
  assigneeId?: string;
}
export const initialIssueState: IssueState = { status: 'none' };

export type RaiseIssue = { type: 'RaiseIssue'; data: Extract<IssueEvent, { type: 'IssueRaised' }>['data']; metadata: CommandMetadata };
export type AssignIssue = { type: 'AssignIssue'; data: { issueId: string; assigneeId: string }; metadata: CommandMetadata };
export type ResolveIssue = { type: 'ResolveIssue'; data: { issueId: string; resolution: string }; metadata: CommandMetadata };
export type ReopenIssue = { type: 'ReopenIssue'; data: { issueId: string; reason: string }; metadata: CommandMetadata };
export type IssueCommand = RaiseIssue | AssignIssue | ResolveIssue | ReopenIssue;

export function evolveIssue(state: IssueState, event: IssueEvent): IssueState {
  switch (event.type) {
    case 'IssueRaised':
      return { status: 'open', projectId: event.data.projectId };
    case 'IssueAssigned':
      return { ...state, assigneeId: event.data.after };
    case 'IssueResolved':
      return { ...state, status: 'resolved' };
    case 'IssueReopened':
      return { ...state, status: 'open' };
  }
}

export function decideIssue(command: IssueCommand, state: IssueState, context: ExecutionContext): IssueEvent[] {
  requireOpen(context.project);
  const { issueId } = command.data;
  if (command.type === 'RaiseIssue') {
    if (state.status !== 'none') refuse('ISSUE_EXISTS', `issue ${issueId} exists already`);
    return [{ type: 'IssueRaised', data: command.data }];
  }
  if (state.status === 'none') refuse('ISSUE_NOT_FOUND', `issue ${issueId} does not exist`);
  switch (command.type) {
    case 'AssignIssue':
      if (state.status !== 'open') refuse('ISSUE_NOT_OPEN', `issue ${issueId} is resolved; reopen it first`);
      requireMembers([command.data.assigneeId], context, 'assignee');
      if (state.assigneeId === command.data.assigneeId)
        refuse('NOTHING_TO_CHANGE', `issue ${issueId} is already assigned to ${command.data.assigneeId}`);
      return [{ type: 'IssueAssigned', data: { issueId, before: state.assigneeId ?? null, after: command.data.assigneeId } }];
    case 'ResolveIssue':
      if (state.status !== 'open') refuse('ISSUE_NOT_OPEN', `issue ${issueId} is resolved already`);
      return [{ type: 'IssueResolved', data: { issueId, resolution: command.data.resolution } }];
    case 'ReopenIssue':
      if (state.status !== 'resolved') refuse('ISSUE_NOT_RESOLVED', `issue ${issueId} is open; only a resolved issue can be reopened`);
      return [{ type: 'IssueReopened', data: { issueId, reason: command.data.reason } }];
  }
}

/* Feedback and survey responses: one stream per project ---------------------------------------- */

export interface VoiceState {
  feedback: ReadonlySet<string>;
  responses: ReadonlySet<string>;
  /** `scale respondentRef` of every response: one response per respondent and scale counts. */
  respondents: ReadonlySet<string>;
}
export const initialVoiceState: VoiceState = { feedback: new Set(), responses: new Set(), respondents: new Set() };
const respondentKey = (r: { scale: string; respondentRef: string }) => `${r.scale} ${r.respondentRef.trim().toLowerCase()}`;

export interface VoiceContext extends ExecutionContext {
  strategy: StrategyState;
}

export type RecordFeedback = {
  type: 'RecordFeedback';
  data: Extract<VoiceEvent, { type: 'FeedbackRecorded' }>['data'];
  metadata: CommandMetadata;
};
export type RecordSurveyResponse = {
  type: 'RecordSurveyResponse';
  data: Extract<VoiceEvent, { type: 'SurveyResponseRecorded' }>['data'];
  metadata: CommandMetadata;
};
export type VoiceCommand = RecordFeedback | RecordSurveyResponse;

export function evolveVoice(state: VoiceState, event: VoiceEvent): VoiceState {
  return event.type === 'FeedbackRecorded'
    ? { ...state, feedback: new Set(state.feedback).add(event.data.feedbackId) }
    : {
        ...state,
        responses: new Set(state.responses).add(event.data.responseId),
        respondents: new Set(state.respondents ?? []).add(respondentKey(event.data)),
      };
}

/** Feedback is taken while the project runs; survey responses also after it closed (satisfaction is measured at the end). */
export function decideVoice(command: VoiceCommand, state: VoiceState, context: VoiceContext): VoiceEvent[] {
  if (command.type === 'RecordFeedback') {
    requireOpen(context.project);
    const { feedbackId, source, from, link } = command.data;
    if (state.feedback.has(feedbackId)) refuse('FEEDBACK_EXISTS', `feedback ${feedbackId} is recorded already`);
    if (source === 'team') requireMembers([from], context, 'team member');
    if (link?.kind === 'strategy' && !context.strategy.elements.get(link.id)?.active)
      refuse('STRATEGY_ELEMENT_NOT_FOUND', `strategy element ${link.id} does not exist or was withdrawn`);
    return [{ type: 'FeedbackRecorded', data: command.data }];
  }
  if (context.project.status === 'none') refuse('PROJECT_NOT_FOUND', 'the project does not exist');
  if (state.responses.has(command.data.responseId))
    refuse('SURVEY_RESPONSE_EXISTS', `survey response ${command.data.responseId} is recorded already`);
  // A survey tool resends, and one respondent answers once per scale: the repeat records nothing.
  if (state.respondents.has(respondentKey(command.data))) return [];
  return [{ type: 'SurveyResponseRecorded', data: command.data }];
}

/** CSAT: mean score (1–5); NPS: % promoters (9–10) − % detractors (0–6), −100 to 100. Null without responses. */
export function satisfaction(responses: readonly { scale: 'csat' | 'nps'; score: number }[]): {
  csat: number | null;
  csatResponses: number;
  nps: number | null;
  npsResponses: number;
} {
  const csat = responses.filter((r) => r.scale === 'csat');
  const nps = responses.filter((r) => r.scale === 'nps');
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    csat: csat.length === 0 ? null : round(csat.reduce((sum, r) => sum + r.score, 0) / csat.length),
    csatResponses: csat.length,
    nps:
      nps.length === 0
        ? null
        : round(((nps.filter((r) => r.score >= 9).length - nps.filter((r) => r.score <= 6).length) / nps.length) * 100),
    npsResponses: nps.length,
  };
}
