import { z } from 'zod';
import { idSchema, isoDateSchema, longTextSchema, nameSchema, reasonSchema, shortTextSchema, type EventOf } from '../shared/primitives';

/* Meetings --------------------------------------------------------------------------------------- */

export const MEETING_KINDS = ['standup', 'weekly_review', 'pipeline_review', 'one_on_one', 'retrospective', 'other'] as const;
export const meetingCadenceSchema = z
  .object({
    title: nameSchema,
    kind: z.enum(MEETING_KINDS, { error: `must be one of ${MEETING_KINDS.join(', ')}` }),
    every: z.enum(['day', 'week', 'two_weeks', 'month'], { error: 'must be day, week, two_weeks or month' }),
    /** ISO weekday, 1 (Monday) to 7, for weekly and fortnightly meetings. */
    weekday: z.number().int().min(1, 'must be from 1 (Monday) to 7 (Sunday)').max(7, 'must be from 1 (Monday) to 7 (Sunday)').optional(),
    attendees: z.array(idSchema).min(1, 'must name at least one attendee').max(100),
  })
  .strict();

export const actionItemSchema = z.object({ taskId: idSchema, title: nameSchema, assigneeId: idSchema, dueDate: isoDateSchema }).strict();
export const meetingMinutesSchema = z
  .object({
    /** The cadence the meeting belongs to, if any. */
    cadenceId: idSchema.optional(),
    date: isoDateSchema,
    attendees: z.array(idSchema).min(1, 'must name at least one attendee').max(100),
    notes: longTextSchema.default(''),
    decisions: z.array(shortTextSchema.min(1)).max(50).default([]),
    /** Each becomes a task planned by the same command. */
    actionItems: z.array(actionItemSchema).max(50).default([]),
  })
  .strict();

export const meetingCadenceSetSchema = meetingCadenceSchema.extend({ projectId: idSchema, cadenceId: idSchema });
export const meetingCadenceEndedSchema = z.object({ projectId: idSchema, cadenceId: idSchema, reason: reasonSchema });
export const meetingMinutesRecordedSchema = meetingMinutesSchema.extend({ projectId: idSchema, meetingId: idSchema });

/* Issues log -------------------------------------------------------------------------------------- */

export const ISSUE_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const issueSchema = z
  .object({
    title: nameSchema,
    description: longTextSchema.default(''),
    severity: z.enum(ISSUE_SEVERITIES, { error: `must be one of ${ISSUE_SEVERITIES.join(', ')}` }),
    taskId: idSchema.optional(),
    goalId: idSchema.optional(),
  })
  .strict();
export const issueRaisedSchema = issueSchema.extend({ projectId: idSchema, issueId: idSchema });
export const issueAssignedSchema = z.object({ issueId: idSchema, before: idSchema.nullable(), after: idSchema });
export const issueResolvedSchema = z.object({ issueId: idSchema, resolution: reasonSchema });
export const issueReopenedSchema = z.object({ issueId: idSchema, reason: reasonSchema });

/* Feedback and satisfaction ------------------------------------------------------------------------ */

export const feedbackLinkSchema = z
  .object({ kind: z.enum(['strategy', 'task', 'goal'], { error: 'must be strategy, task or goal' }), id: idSchema })
  .strict();
export const feedbackSchema = z
  .object({
    source: z.enum(['team', 'customer'], { error: 'must be team or customer' }),
    /** A team member's id (source team) or the customer's reference in the CRM (source customer). */
    from: z.string().trim().min(1, 'must say who gave it').max(200),
    topic: nameSchema,
    rating: z.number().int().min(1, 'must be from 1 to 5').max(5, 'must be from 1 to 5').optional(),
    text: longTextSchema.default(''),
    link: feedbackLinkSchema.optional(),
  })
  .strict();
export const feedbackRecordedSchema = feedbackSchema.extend({ projectId: idSchema, feedbackId: idSchema });

export const surveyResponseRecordedSchema = z.object({
  projectId: idSchema,
  responseId: idSchema,
  respondentRef: z.string().max(200),
  scale: z.enum(['csat', 'nps']),
  score: z.number().int(),
  comment: shortTextSchema,
  surveyedOn: isoDateSchema,
});

export type MeetingCadenceSet = EventOf<'MeetingCadenceSet', typeof meetingCadenceSetSchema>;
export type MeetingCadenceEnded = EventOf<'MeetingCadenceEnded', typeof meetingCadenceEndedSchema>;
export type MeetingMinutesRecorded = EventOf<'MeetingMinutesRecorded', typeof meetingMinutesRecordedSchema>;
export type MeetingEvent = MeetingCadenceSet | MeetingCadenceEnded | MeetingMinutesRecorded;
export type IssueRaised = EventOf<'IssueRaised', typeof issueRaisedSchema>;
export type IssueAssigned = EventOf<'IssueAssigned', typeof issueAssignedSchema>;
export type IssueResolved = EventOf<'IssueResolved', typeof issueResolvedSchema>;
export type IssueReopened = EventOf<'IssueReopened', typeof issueReopenedSchema>;
export type IssueEvent = IssueRaised | IssueAssigned | IssueResolved | IssueReopened;
export type FeedbackRecorded = EventOf<'FeedbackRecorded', typeof feedbackRecordedSchema>;
export type SurveyResponseRecorded = EventOf<'SurveyResponseRecorded', typeof surveyResponseRecordedSchema>;
export type VoiceEvent = FeedbackRecorded | SurveyResponseRecorded;
export type ExecutionEvent = MeetingEvent | IssueEvent | VoiceEvent;

export const executionEventSchemas = {
  MeetingCadenceSet: meetingCadenceSetSchema,
  MeetingCadenceEnded: meetingCadenceEndedSchema,
  MeetingMinutesRecorded: meetingMinutesRecordedSchema,
  IssueRaised: issueRaisedSchema,
  IssueAssigned: issueAssignedSchema,
  IssueResolved: issueResolvedSchema,
  IssueReopened: issueReopenedSchema,
  FeedbackRecorded: feedbackRecordedSchema,
  SurveyResponseRecorded: surveyResponseRecordedSchema,
} as const;

/** POST /projects/{id}/meeting-cadences */
export const setMeetingCadenceBodySchema = meetingCadenceSchema.extend({ cadenceId: idSchema.optional() }).strict();
/** POST /projects/{id}/meeting-cadences/{cadenceId}/end */
export const endMeetingCadenceBodySchema = z.object({ reason: reasonSchema }).strict();
/** POST /projects/{id}/meetings */
export const recordMeetingMinutesBodySchema = meetingMinutesSchema.extend({ meetingId: idSchema.optional() }).strict();
/** POST /projects/{id}/issues */
export const raiseIssueBodySchema = issueSchema.extend({ issueId: idSchema.optional() }).strict();
/** POST /projects/{id}/issues/{issueId}/assignment */
export const assignIssueBodySchema = z.object({ assigneeId: idSchema }).strict();
/** POST /projects/{id}/issues/{issueId}/resolution */
export const resolveIssueBodySchema = z.object({ resolution: reasonSchema }).strict();
/** POST /projects/{id}/issues/{issueId}/reopening */
export const reopenIssueBodySchema = z.object({ reason: reasonSchema }).strict();
/** POST /projects/{id}/feedback */
export const recordFeedbackBodySchema = feedbackSchema.extend({ feedbackId: idSchema.optional() }).strict();
/** POST /projects/{id}/survey-responses: optionally feeds the aggregate score to a goal as its actual. */
export const recordSurveyResponseBodySchema = z
  .object({
    responseId: idSchema.optional(),
    respondentRef: z.string().trim().min(1, 'must reference the respondent').max(200),
    scale: z.enum(['csat', 'nps'], { error: 'must be csat or nps' }),
    score: z.number().int('must be a whole number'),
    comment: shortTextSchema.default(''),
    surveyedOn: isoDateSchema,
    goalId: idSchema.optional(),
  })
  .strict()
  .refine((r) => (r.scale === 'csat' ? r.score >= 1 && r.score <= 5 : r.score >= 0 && r.score <= 10), {
    error: 'must be 1–5 for csat and 0–10 for nps',
    path: ['score'],
  });
