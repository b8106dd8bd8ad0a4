import { z } from 'zod';
import {
  currencySchema,
  idSchema,
  isoDateSchema,
  longTextSchema,
  nameSchema,
  reasonSchema,
  shortTextSchema,
  type EventOf,
} from '../shared/primitives';

const texts = (max = 20) => z.array(shortTextSchema.min(1, 'must not be empty')).max(max);

/** A member's KPI attainment, computed from the goals the member owns: never typed in. */
export const attainmentSchema = z.object({
  memberId: idSchema,
  /** Mean of actual ÷ target over the member's active goals (1 is on target); null without goals. */
  attainment: z.number().nullable(),
  goalIds: z.array(idSchema),
});
export type Attainment = z.infer<typeof attainmentSchema>;

export const memberAppraisedSchema = z.object({
  projectId: idSchema,
  memberId: idSchema,
  attainment: attainmentSchema,
  score: z.number().int().min(1).max(5),
  strengths: texts(),
  improvements: texts(),
  /** Set when it replaces an earlier appraisal. */
  reason: reasonSchema.optional(),
});

export const lessonRecordedSchema = z.object({
  projectId: idSchema,
  lessonId: idSchema,
  outcome: z.enum(['success', 'failure']),
  text: longTextSchema.min(1),
  tags: z.array(z.string().trim().min(1).max(50)).max(20),
  goalIds: z.array(idSchema).max(50),
  strategyRefs: z.array(idSchema).max(50),
});

export const incentiveRuleSchema = z
  .object({
    ruleId: idSchema,
    title: nameSchema,
    /** `member`: each member whose attainment reaches the threshold; `team`: the team, on the project's own attainment. */
    scope: z.enum(['member', 'team'], { error: 'must be member or team' }),
    /** Attainment (1 = 100% of target) at which the rule pays. */
    threshold: z.number({ error: 'must be a number' }).min(0, 'must not be negative').max(100),
    award: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('bonus'), amount: z.number().positive('must be more than 0'), currency: currencySchema }).strict(),
      z.object({ kind: z.literal('award'), title: nameSchema }).strict(),
    ]),
  })
  .strict();
export type IncentiveRule = z.infer<typeof incentiveRuleSchema>;
export const incentiveSchemeSetSchema = z.object({
  projectId: idSchema,
  rules: z.array(incentiveRuleSchema),
  reason: reasonSchema.optional(),
});

/** An award the scheme pays for the attainment facts at a moment. */
export const awardSchema = z.object({
  ruleId: idSchema,
  title: z.string(),
  memberId: idSchema.nullable(),
  attainment: z.number(),
  award: incentiveRuleSchema.shape.award,
});
export type Award = z.infer<typeof awardSchema>;

export const trainingPlannedSchema = z.object({
  projectId: idSchema,
  trainingId: idSchema,
  memberId: idSchema,
  topic: nameSchema,
  date: isoDateSchema,
  reason: reasonSchema,
});

export const evaluationPublishedSchema = z.object({
  projectId: idSchema,
  /** The project's own attainment: mean over its top-level active goals. */
  teamAttainment: z.number().nullable(),
  attainments: z.array(attainmentSchema),
  awards: z.array(awardSchema),
  summary: longTextSchema,
});

export type MemberAppraised = EventOf<'MemberAppraised', typeof memberAppraisedSchema>;
export type LessonRecorded = EventOf<'LessonRecorded', typeof lessonRecordedSchema>;
export type IncentiveSchemeSet = EventOf<'IncentiveSchemeSet', typeof incentiveSchemeSetSchema>;
export type TrainingPlanned = EventOf<'TrainingPlanned', typeof trainingPlannedSchema>;
export type EvaluationPublished = EventOf<'EvaluationPublished', typeof evaluationPublishedSchema>;
export type WrapUpEvent = MemberAppraised | LessonRecorded | IncentiveSchemeSet | TrainingPlanned | EvaluationPublished;

export const wrapUpEventSchemas = {
  MemberAppraised: memberAppraisedSchema,
  LessonRecorded: lessonRecordedSchema,
  IncentiveSchemeSet: incentiveSchemeSetSchema,
  TrainingPlanned: trainingPlannedSchema,
  EvaluationPublished: evaluationPublishedSchema,
} as const;

/** POST /projects/{id}/appraisals (the attainment is computed, not sent) */
export const appraiseMemberBodySchema = z
  .object({
    memberId: idSchema,
    score: z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be from 1 to 5')
      .max(5, 'must be from 1 to 5'),
    strengths: texts().default([]),
    improvements: texts().default([]),
    reason: reasonSchema.optional(),
  })
  .strict();
/** POST /projects/{id}/lessons */
export const recordLessonBodySchema = z
  .object({
    lessonId: idSchema.optional(),
    outcome: z.enum(['success', 'failure'], { error: 'must be success or failure' }),
    text: longTextSchema.min(1, 'must not be empty'),
    tags: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
    goalIds: z.array(idSchema).max(50).default([]),
    strategyRefs: z.array(idSchema).max(50).default([]),
  })
  .strict();
/** POST /projects/{id}/incentive-scheme replaces the scheme (with a reason when one exists). */
/** Attainment is a share of the target everywhere in the API (0.8 is 80%): a threshold of 80 or 100 is the other scale, refused. */
export const MAX_THRESHOLD = 10;
export const setIncentiveSchemeBodySchema = z
  .object({
    rules: z
      .array(
        incentiveRuleSchema.extend({
          threshold: z
            .number({ error: 'must be a number' })
            .min(0, 'must not be negative')
            .max(
              MAX_THRESHOLD,
              `must be attainment as a share of the target, like attainment everywhere (0.8 is 80%, 1 is 100%); at most ${MAX_THRESHOLD}`,
            ),
        }),
      )
      .min(1, 'must hold at least one rule')
      .max(50),
    reason: reasonSchema.optional(),
  })
  .strict();
/** POST /projects/{id}/trainings */
export const planTrainingBodySchema = z
  .object({ trainingId: idSchema.optional(), memberId: idSchema, topic: nameSchema, date: isoDateSchema, reason: reasonSchema })
  .strict();
/** POST /projects/{id}/evaluation: attainments and awards are computed from the goals' actuals. */
export const publishEvaluationBodySchema = z.object({ summary: longTextSchema.default('') }).strict();

/** GET /projects/{id}/report?format=json|markdown|html&lang=en|zh (Accept and Accept-Language choose otherwise). */
export const reportQuerySchema = z
  .object({
    format: z.enum(['json', 'markdown', 'html'], { error: 'must be json, markdown or html' }).optional(),
    lang: z.enum(['en', 'zh'], { error: 'must be en or zh' }).optional(),
  })
  .strict();
