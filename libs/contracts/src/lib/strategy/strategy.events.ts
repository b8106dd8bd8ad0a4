import { z } from 'zod';
import { idSchema, isoDateSchema, nameSchema, reasonSchema, shortTextSchema, type EventOf } from '../shared/primitives';

const texts = (max = 50) => z.array(shortTextSchema.min(1, 'must not be empty')).max(max);
const share = z.number({ error: 'must be a number' }).min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1');

export const competitorSchema = z
  .object({
    name: nameSchema,
    strengths: texts(20).default([]),
    weaknesses: texts(20).default([]),
    pricePosition: z.enum(['lower', 'similar', 'higher'], { error: 'must be lower, similar or higher' }),
  })
  .strict();

/** The market the project sells into: what customers need, who competes, where it is going, and from where we know. */
export const marketAnalysisSchema = z
  .object({
    kind: z.literal('market_analysis'),
    name: nameSchema,
    customerNeeds: texts().min(1, 'must name at least one customer need'),
    competitors: z.array(competitorSchema).max(50).default([]),
    trends: texts().default([]),
    sources: texts().default([]),
  })
  .strict();

export const segmentSchema = z
  .object({
    kind: z.literal('segment'),
    name: nameSchema,
    criteria: texts().min(1, 'must give at least one criterion'),
    needs: texts().default([]),
    buyingBehaviour: shortTextSchema.default(''),
    priority: z.enum(['high', 'medium', 'low'], { error: 'must be high, medium or low' }),
  })
  .strict();

export const CHANNEL_KINDS = ['online', 'offline', 'direct', 'partner', 'other'] as const;
export const channelSchema = z
  .object({
    kind: z.literal('channel'),
    name: nameSchema,
    channelKind: z.enum(CHANNEL_KINDS, { error: `must be one of ${CHANNEL_KINDS.join(', ')}` }),
    /** Segments (strategy element ids) the channel serves. */
    segmentIds: z.array(idSchema).max(50).default([]),
    /** Share of the revenue target expected through this channel, 0–1; the active channels' shares add up to at most 1. */
    revenueShare: share,
  })
  .strict();

export const PRICING_MODELS = ['cost_plus', 'value', 'competitive', 'penetration', 'skimming'] as const;
export const pricingSchema = z
  .object({
    kind: z.literal('pricing'),
    name: nameSchema,
    model: z.enum(PRICING_MODELS, { error: `must be one of ${PRICING_MODELS.join(', ')}` }),
    listPrices: z
      .array(z.object({ item: nameSchema, price: z.number().min(0, 'must not be negative') }).strict())
      .max(200)
      .default([]),
    discountPolicy: z
      .object({
        /** The largest discount anyone may give, 0–1. */
        maxDiscount: share,
        /** Discounts above this need approval, 0–1 and at most the maximum. */
        approvalThreshold: share,
      })
      .strict()
      .refine((p) => p.approvalThreshold <= p.maxDiscount, {
        error: 'approvalThreshold must not exceed maxDiscount',
        path: ['approvalThreshold'],
      }),
    /** The lowest margin a deal may have, 0–1. */
    floorMargin: share,
  })
  .strict();

export const PROMOTION_KINDS = ['advertising', 'promotion', 'public_relations', 'event', 'content'] as const;
export const promotionSchema = z
  .object({
    kind: z.literal('promotion'),
    name: nameSchema,
    promotionKind: z.enum(PROMOTION_KINDS, { error: `must be one of ${PROMOTION_KINDS.join(', ')}` }),
    /** The channel (strategy element id) it runs through. */
    channelId: idSchema.optional(),
    segmentIds: z.array(idSchema).max(50).default([]),
    budget: z.number().min(0, 'must not be negative'),
    startDate: isoDateSchema,
    endDate: isoDateSchema,
    /** What it should do to a goal: the expected lift in percent of the goal's target. */
    expectedLift: z
      .object({ goalId: idSchema, percent: z.number().min(0).max(1000) })
      .strict()
      .optional(),
  })
  .strict()
  .refine((p) => p.startDate <= p.endDate, { error: 'endDate must not be before startDate', path: ['endDate'] });

export const strategyElementSchema = z.discriminatedUnion(
  'kind',
  [marketAnalysisSchema, segmentSchema, channelSchema, pricingSchema, promotionSchema],
  {
    error: 'kind must be one of market_analysis, segment, channel, pricing, promotion',
  },
);
export type StrategyElement = z.infer<typeof strategyElementSchema>;
export type StrategyKind = StrategyElement['kind'];

export const strategyElementDefinedSchema = z.object({ projectId: idSchema, elementId: idSchema, element: strategyElementSchema });
export const strategyElementRevisedSchema = z.object({
  projectId: idSchema,
  elementId: idSchema,
  before: strategyElementSchema,
  after: strategyElementSchema,
  reason: reasonSchema,
});
export const strategyElementWithdrawnSchema = z.object({ projectId: idSchema, elementId: idSchema, reason: reasonSchema });

export type StrategyElementDefined = EventOf<'StrategyElementDefined', typeof strategyElementDefinedSchema>;
export type StrategyElementRevised = EventOf<'StrategyElementRevised', typeof strategyElementRevisedSchema>;
export type StrategyElementWithdrawn = EventOf<'StrategyElementWithdrawn', typeof strategyElementWithdrawnSchema>;
export type StrategyEvent = StrategyElementDefined | StrategyElementRevised | StrategyElementWithdrawn;

export const strategyEventSchemas = {
  StrategyElementDefined: strategyElementDefinedSchema,
  StrategyElementRevised: strategyElementRevisedSchema,
  StrategyElementWithdrawn: strategyElementWithdrawnSchema,
} as const;

/** POST /projects/{id}/strategy/elements: the element, and optionally its id. */
export const defineStrategyElementBodySchema = z.object({ elementId: idSchema.optional(), element: strategyElementSchema }).strict();
/** POST /projects/{id}/strategy/elements/{elementId}/revisions */
export const reviseStrategyElementBodySchema = z.object({ element: strategyElementSchema, reason: reasonSchema }).strict();
/** POST /projects/{id}/strategy/elements/{elementId}/withdrawal */
export const withdrawStrategyElementBodySchema = z.object({ reason: reasonSchema }).strict();
