import type { IssueEvent, MeetingEvent, VoiceEvent } from '@planledger/contracts';
import { evolveProject, initialProjectState } from '../project/project.decider';
import { evolveStrategy, initialStrategyState } from '../strategy/strategy.decider';
import { meta, projectClosed, projectOpened } from '../testing/fixtures';
import { deciderSpec } from '../testing/given-when-then';
import {
  decideIssue,
  decideMeetings,
  decideVoice,
  evolveIssue,
  evolveMeetings,
  evolveVoice,
  initialIssueState,
  initialMeetingsState,
  initialVoiceState,
  satisfaction,
  type ExecutionContext,
  type IssueCommand,
  type IssueState,
  type MeetingCommand,
  type MeetingsState,
  type VoiceCommand,
  type VoiceContext,
  type VoiceState,
} from './execution.decider';

const members = new Set(['li-na', 'wang-fang']);
const open: ExecutionContext = { project: [projectOpened].reduce(evolveProject, initialProjectState), currentMemberIds: members };
const closed: ExecutionContext = { ...open, project: [projectOpened, projectClosed].reduce(evolveProject, initialProjectState) };
const missing: ExecutionContext = { project: initialProjectState, currentMemberIds: members };

const meetings = deciderSpec<MeetingsState, MeetingEvent, MeetingCommand, ExecutionContext>({
  initialState: initialMeetingsState,
  evolve: evolveMeetings,
  decide: decideMeetings,
});
const cadence = {
  projectId: 'p1',
  cadenceId: 'weekly',
  title: 'Pipeline review',
  kind: 'pipeline_review' as const,
  every: 'week' as const,
  weekday: 1,
  attendees: ['li-na', 'wang-fang'],
};
const setCadence = (data = cadence): MeetingCommand => ({ type: 'SetMeetingCadence', data, metadata: meta });
const cadenceSet: MeetingEvent = { type: 'MeetingCadenceSet', data: cadence };
const endCadence: MeetingCommand = {
  type: 'EndMeetingCadence',
  data: { projectId: 'p1', cadenceId: 'weekly', reason: 'merged into standup' },
  metadata: meta,
};
const cadenceEnded: MeetingEvent = {
  type: 'MeetingCadenceEnded',
  data: { projectId: 'p1', cadenceId: 'weekly', reason: 'merged into standup' },
};
const minutes = {
  projectId: 'p1',
  meetingId: 'm1',
  cadenceId: 'weekly',
  date: '2026-11-16',
  attendees: ['li-na', 'wang-fang'],
  notes: 'Pipeline thin in Suzhou',
  decisions: ['Move two accounts to Wang Fang'],
  actionItems: [{ taskId: 'ai-1', title: 'Call Suzhou accounts', assigneeId: 'wang-fang', dueDate: '2026-11-20' }],
};
const record = (data: typeof minutes = minutes): MeetingCommand => ({ type: 'RecordMeetingMinutes', data, metadata: meta });

describe('meetings', () => {
  it('given none: sets a cadence (weekday needed for weekly ones), refuses to end one, records minutes without a cadence only', () => {
    meetings().when(setCadence(), open).then([cadenceSet]);
    meetings()
      .when(setCadence({ ...cadence, weekday: undefined as never }), open)
      .thenRefuses('WEEKDAY_REQUIRED');
    meetings()
      .when(setCadence({ ...cadence, attendees: ['nobody'] }), open)
      .thenRefuses('MEMBER_NOT_FOUND');
    meetings().when(endCadence, open).thenRefuses('CADENCE_NOT_FOUND');
    meetings().when(record(), open).thenRefuses('CADENCE_NOT_FOUND');
    const adHoc: Partial<typeof minutes> = { ...minutes };
    delete adHoc.cadenceId;
    meetings()
      .when(record(adHoc as typeof minutes), open)
      .then([{ type: 'MeetingMinutesRecorded', data: adHoc as typeof minutes }]);
  });
  it('given an active cadence: refuses it again, ends it, records minutes with action items checked', () => {
    meetings([cadenceSet]).when(setCadence(), open).thenRefuses('CADENCE_EXISTS');
    meetings([cadenceSet]).when(endCadence, open).then([cadenceEnded]);
    meetings([cadenceSet])
      .when(record(), open)
      .then([{ type: 'MeetingMinutesRecorded', data: minutes }]);
    meetings([cadenceSet])
      .when(record({ ...minutes, actionItems: [{ ...minutes.actionItems[0], assigneeId: 'ghost' }] }), open)
      .thenRefuses('MEMBER_NOT_FOUND');
    meetings([cadenceSet])
      .when(record({ ...minutes, actionItems: [{ ...minutes.actionItems[0], dueDate: '2026-11-10' }] }), open)
      .thenRefuses('ACTION_DUE_BEFORE_MEETING');
    meetings([cadenceSet])
      .when(record({ ...minutes, actionItems: [minutes.actionItems[0], minutes.actionItems[0]] }), open)
      .thenRefuses('DUPLICATE_ACTION_ITEM');
    meetings([cadenceSet])
      .when(record({ ...minutes, date: '2027-01-05' }), open)
      .thenRefuses('MEETING_OUTSIDE_PERIOD');
  });
  it('given an ended cadence or recorded minutes: refuses to end it again, to use it, or to record the same meeting twice', () => {
    meetings([cadenceSet, cadenceEnded]).when(endCadence, open).thenRefuses('CADENCE_NOT_FOUND');
    meetings([cadenceSet, cadenceEnded]).when(record(), open).thenRefuses('CADENCE_NOT_FOUND');
    meetings([cadenceSet, cadenceEnded]).when(setCadence(), open).thenRefuses('CADENCE_EXISTS');
    meetings([cadenceSet, { type: 'MeetingMinutesRecorded', data: minutes }])
      .when(record(), open)
      .thenRefuses('MEETING_EXISTS');
  });
  it('in a closed or unknown project: refuses every command', () => {
    for (const command of [setCadence(), endCadence, record()]) {
      meetings([cadenceSet]).when(command, closed).thenRefuses('PROJECT_CLOSED');
      meetings([cadenceSet]).when(command, missing).thenRefuses('PROJECT_NOT_FOUND');
    }
  });
});

const issues = deciderSpec<IssueState, IssueEvent, IssueCommand, ExecutionContext>({
  initialState: initialIssueState,
  evolve: evolveIssue,
  decide: decideIssue,
});
const raised: IssueEvent = {
  type: 'IssueRaised',
  data: { projectId: 'p1', issueId: 'i1', title: 'CRM export fails', description: '', severity: 'high', taskId: 't1' },
};
const raise: IssueCommand = { type: 'RaiseIssue', data: raised.data as never, metadata: meta };
const assign = (assigneeId = 'wang-fang'): IssueCommand => ({ type: 'AssignIssue', data: { issueId: 'i1', assigneeId }, metadata: meta });
const assigned: IssueEvent = { type: 'IssueAssigned', data: { issueId: 'i1', before: null, after: 'wang-fang' } };
const resolve: IssueCommand = { type: 'ResolveIssue', data: { issueId: 'i1', resolution: 'vendor patched it' }, metadata: meta };
const resolved: IssueEvent = { type: 'IssueResolved', data: { issueId: 'i1', resolution: 'vendor patched it' } };
const reopen: IssueCommand = { type: 'ReopenIssue', data: { issueId: 'i1', reason: 'failed again' }, metadata: meta };
const reopened: IssueEvent = { type: 'IssueReopened', data: { issueId: 'i1', reason: 'failed again' } };

describe('issues log', () => {
  it('given no issue: raises it, and refuses everything else', () => {
    issues().when(raise, open).then([raised]);
    for (const command of [assign(), resolve, reopen]) issues().when(command, open).thenRefuses('ISSUE_NOT_FOUND');
  });
  it('given an open issue: refuses raising it again; assigns (a current member, a change), resolves, refuses to reopen', () => {
    issues([raised]).when(raise, open).thenRefuses('ISSUE_EXISTS');
    issues([raised]).when(assign(), open).then([assigned]);
    issues([raised]).when(assign('ghost'), open).thenRefuses('MEMBER_NOT_FOUND');
    issues([raised, assigned]).when(assign(), open).thenRefuses('NOTHING_TO_CHANGE');
    issues([raised, assigned])
      .when(assign('li-na'), open)
      .then([{ type: 'IssueAssigned', data: { issueId: 'i1', before: 'wang-fang', after: 'li-na' } }]);
    issues([raised]).when(resolve, open).then([resolved]);
    issues([raised]).when(reopen, open).thenRefuses('ISSUE_NOT_RESOLVED');
  });
  it('given a resolved issue: refuses to assign or resolve it, reopens it; reopened, it resolves again', () => {
    issues([raised, resolved]).when(assign(), open).thenRefuses('ISSUE_NOT_OPEN');
    issues([raised, resolved]).when(resolve, open).thenRefuses('ISSUE_NOT_OPEN');
    issues([raised, resolved]).when(reopen, open).then([reopened]);
    issues([raised, resolved, reopened]).when(resolve, open).then([resolved]);
  });
  it('in a closed project: refuses every command', () => {
    for (const command of [raise, assign(), resolve, reopen]) issues([raised]).when(command, closed).thenRefuses('PROJECT_CLOSED');
  });
});

const voice = deciderSpec<VoiceState, VoiceEvent, VoiceCommand, VoiceContext>({
  initialState: initialVoiceState,
  evolve: evolveVoice,
  decide: decideVoice,
});
const strategy = [
  {
    type: 'StrategyElementDefined' as const,
    data: {
      projectId: 'p1',
      elementId: 'seg',
      element: { kind: 'segment' as const, name: 'SMB', criteria: ['<50 staff'], needs: [], buyingBehaviour: '', priority: 'low' as const },
    },
  },
].reduce(evolveStrategy, initialStrategyState);
const voiceOpen: VoiceContext = { ...open, strategy };
const voiceClosed: VoiceContext = { ...closed, strategy };
const feedback = {
  projectId: 'p1',
  feedbackId: 'f1',
  source: 'customer' as const,
  from: 'crm-acme',
  topic: 'Pricing',
  rating: 2,
  text: 'Too dear for SMB',
  link: { kind: 'strategy' as const, id: 'seg' },
};
const recordFeedback = (data = feedback): VoiceCommand => ({ type: 'RecordFeedback', data, metadata: meta });
const response = {
  projectId: 'p1',
  responseId: 'r1',
  respondentRef: 'crm-acme',
  scale: 'csat' as const,
  score: 4,
  comment: '',
  surveyedOn: '2026-12-20',
};
const recordResponse: VoiceCommand = { type: 'RecordSurveyResponse', data: response, metadata: meta };

describe('feedback and survey responses', () => {
  it('given none: records feedback (a team member, or a customer; a strategy link that exists) and a survey response', () => {
    voice()
      .when(recordFeedback(), voiceOpen)
      .then([{ type: 'FeedbackRecorded', data: feedback }]);
    voice()
      .when(recordFeedback({ ...feedback, source: 'team' as never, from: 'wang-fang' }), voiceOpen)
      .then([{ type: 'FeedbackRecorded', data: { ...feedback, source: 'team' as never, from: 'wang-fang' } }]);
    voice()
      .when(recordFeedback({ ...feedback, source: 'team' as never, from: 'stranger' }), voiceOpen)
      .thenRefuses('MEMBER_NOT_FOUND');
    voice()
      .when(recordFeedback({ ...feedback, link: { kind: 'strategy', id: 'nope' } }), voiceOpen)
      .thenRefuses('STRATEGY_ELEMENT_NOT_FOUND');
    voice()
      .when(recordResponse, voiceOpen)
      .then([{ type: 'SurveyResponseRecorded', data: response }]);
  });
  it('given recorded ones: refuses the same ids again', () => {
    voice([{ type: 'FeedbackRecorded', data: feedback }])
      .when(recordFeedback(), voiceOpen)
      .thenRefuses('FEEDBACK_EXISTS');
    voice([{ type: 'SurveyResponseRecorded', data: response }])
      .when(recordResponse, voiceOpen)
      .thenRefuses('SURVEY_RESPONSE_EXISTS');
  });
  it('counts one response per respondent and scale: the same respondent again records nothing', () => {
    const again = { ...response, responseId: 'r2', score: 1, respondentRef: ' CRM-ACME ' };
    voice([{ type: 'SurveyResponseRecorded', data: response }])
      .when({ ...recordResponse, data: again } as VoiceCommand, voiceOpen)
      .then([]);
    voice([{ type: 'SurveyResponseRecorded', data: response }])
      .when({ ...recordResponse, data: { ...again, scale: 'nps', score: 9 } } as VoiceCommand, voiceOpen)
      .then([{ type: 'SurveyResponseRecorded', data: { ...again, scale: 'nps', score: 9 } }]);
  });
  it('in a closed project: refuses feedback but still takes survey responses (satisfaction is measured at the end)', () => {
    voice().when(recordFeedback(), voiceClosed).thenRefuses('PROJECT_CLOSED');
    voice()
      .when(recordResponse, voiceClosed)
      .then([{ type: 'SurveyResponseRecorded', data: response }]);
    voice()
      .when(recordResponse, { ...voiceOpen, project: initialProjectState })
      .thenRefuses('PROJECT_NOT_FOUND');
  });
  it('aggregates CSAT as the mean and NPS as promoters minus detractors', () => {
    expect(satisfaction([])).toEqual({ csat: null, csatResponses: 0, nps: null, npsResponses: 0 });
    const scores = [
      ...[5, 4, 4].map((score) => ({ scale: 'csat' as const, score })),
      ...[10, 9, 8, 6, 3].map((score) => ({ scale: 'nps' as const, score })),
    ];
    expect(satisfaction(scores)).toEqual({ csat: 4.33, csatResponses: 3, nps: 0, npsResponses: 5 });
  });
});
