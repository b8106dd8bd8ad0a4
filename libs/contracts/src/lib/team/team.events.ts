import { z } from 'zod';
import { idSchema, nameSchema, reasonSchema, shortTextSchema, type EventOf } from '../shared/primitives';

export const skillLevelSchema = z
  .number()
  .int()
  .min(1, 'levels run from 1 (novice) to 5 (expert)')
  .max(5, 'levels run from 1 (novice) to 5 (expert)');
export const skillSchema = z.object({ skill: z.string().trim().min(1).max(100), level: skillLevelSchema });
export const roleSchema = z.object({
  role: z.string().trim().min(1, 'must name the role').max(100),
  responsibilities: z.array(shortTextSchema.min(1)).max(50).default([]),
});

export const memberProfileSchema = roleSchema.extend({
  name: nameSchema,
  skills: z.array(skillSchema).max(100).default([]),
  weeklyCapacityHours: z.number().min(0).max(168),
  reportsTo: idSchema.optional(),
});
export type MemberProfile = z.infer<typeof memberProfileSchema>;

export const memberJoinedSchema = memberProfileSchema.extend({ projectId: idSchema, memberId: idSchema });
export const memberRoleChangedSchema = z.object({
  projectId: idSchema,
  memberId: idSchema,
  before: roleSchema,
  after: roleSchema,
  reason: reasonSchema,
});
/** A member's details as an amendment names them: no defaults, so only the fields sent change. */
export const memberDetailsSchema = z.object({
  name: nameSchema,
  skills: z.array(skillSchema).max(100),
  weeklyCapacityHours: z.number().min(0).max(168),
  reportsTo: idSchema,
});
/** A member's name or details corrected (a typo in the name, new skills, another capacity), with a reason. */
export const memberDetailsAmendedSchema = z.object({
  projectId: idSchema,
  memberId: idSchema,
  before: memberDetailsSchema.partial(),
  after: memberDetailsSchema.partial(),
  reason: reasonSchema,
});
export const memberLeftSchema = z.object({
  projectId: idSchema,
  memberId: idSchema,
  /** Who takes over the leaver's open tasks and goals. */
  handOverTo: idSchema.optional(),
  reason: reasonSchema,
});
export const skillRequirementSetSchema = z.object({
  projectId: idSchema,
  skill: z.string().trim().min(1).max(100),
  minLevel: skillLevelSchema,
  /** How many members need the skill at that level; 0 drops the requirement. */
  headcount: z.number().int().min(0).max(1000),
});

export type MemberJoined = EventOf<'MemberJoined', typeof memberJoinedSchema>;
export type MemberRoleChanged = EventOf<'MemberRoleChanged', typeof memberRoleChangedSchema>;
export type MemberLeft = EventOf<'MemberLeft', typeof memberLeftSchema>;
export type MemberDetailsAmended = EventOf<'MemberDetailsAmended', typeof memberDetailsAmendedSchema>;
export type SkillRequirementSet = EventOf<'SkillRequirementSet', typeof skillRequirementSetSchema>;
export type TeamEvent = MemberJoined | MemberRoleChanged | MemberDetailsAmended | MemberLeft | SkillRequirementSet;

export const teamEventSchemas = {
  MemberJoined: memberJoinedSchema,
  MemberRoleChanged: memberRoleChangedSchema,
  MemberDetailsAmended: memberDetailsAmendedSchema,
  MemberLeft: memberLeftSchema,
  SkillRequirementSet: skillRequirementSetSchema,
} as const;

/** POST /projects/{id}/members */
export const joinMemberBodySchema = memberProfileSchema.extend({ memberId: idSchema }).strict();
/** POST /projects/{id}/members/{memberId}/role-changes */
export const changeMemberRoleBodySchema = z
  .object({ role: roleSchema.shape.role, responsibilities: roleSchema.shape.responsibilities, reason: reasonSchema })
  .strict();
/** POST /projects/{id}/members/{memberId}/amendments: only the fields named change. */
export const amendMemberBodySchema = z
  .object({
    changes: memberDetailsSchema
      .partial()
      .strict()
      .refine((c) => Object.keys(c).length > 0, { message: 'must name at least one of name, skills, weeklyCapacityHours, reportsTo' }),
    reason: reasonSchema,
  })
  .strict();
/** POST /projects/{id}/members/{memberId}/departure */
export const memberLeavesBodySchema = z.object({ handOverTo: idSchema.optional(), reason: reasonSchema }).strict();
/** POST /projects/{id}/skill-requirements */
export const setSkillRequirementBodySchema = skillRequirementSetSchema.omit({ projectId: true }).strict();
