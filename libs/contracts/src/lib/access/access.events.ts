import { z } from 'zod';
import { idSchema, reasonSchema, type EventOf } from '../shared/primitives';

/** The roles a subject can hold in one project. Organisation admins hold every right everywhere. */
export const PROJECT_ROLES = ['manager', 'member', 'viewer', 'analyst'] as const;
export const projectRoleSchema = z.enum(PROJECT_ROLES, { error: `must be one of ${PROJECT_ROLES.join(', ')}` });
export type ProjectRole = z.infer<typeof projectRoleSchema>;

/**
 * Who acts: `user:<jwt sub>` for people, `service:<api key name>` for service accounts. The same
 * string lands in every event's metadata as its actor.
 */
export const subjectSchema = z
  .string()
  .regex(/^(user|service):[^\s\p{Cc}]{1,190}$/u, 'must be user:<id> or service:<name>, without white space');

export const accessGrantedSchema = z.object({
  projectId: idSchema,
  subject: subjectSchema,
  role: projectRoleSchema,
  /** The team member the subject is, for a `member`: their own tasks and goals are theirs to update. */
  memberId: idSchema.optional(),
});
export const accessRevokedSchema = z.object({ projectId: idSchema, subject: subjectSchema, role: projectRoleSchema, reason: reasonSchema });

export const apiKeyIssuedSchema = z.object({
  keyId: idSchema,
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'must be 1–63 lower-case letters, digits, ".", "_" or "-"'),
  subject: subjectSchema,
  /** SHA-256 of the secret part, hex: the secret itself is shown once and never stored. */
  secretHash: z.string().regex(/^[0-9a-f]{64}$/),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});
export const apiKeyRevokedSchema = z.object({ keyId: idSchema, reason: reasonSchema });

export type AccessGranted = EventOf<'AccessGranted', typeof accessGrantedSchema>;
export type AccessRevoked = EventOf<'AccessRevoked', typeof accessRevokedSchema>;
export type ApiKeyIssued = EventOf<'ApiKeyIssued', typeof apiKeyIssuedSchema>;
export type ApiKeyRevoked = EventOf<'ApiKeyRevoked', typeof apiKeyRevokedSchema>;
export type AccessEvent = AccessGranted | AccessRevoked | ApiKeyIssued | ApiKeyRevoked;

export const accessEventSchemas = {
  AccessGranted: accessGrantedSchema,
  AccessRevoked: accessRevokedSchema,
  ApiKeyIssued: apiKeyIssuedSchema,
  ApiKeyRevoked: apiKeyRevokedSchema,
} as const;

/** POST /projects/{id}/access */
export const grantAccessBodySchema = accessGrantedSchema.omit({ projectId: true }).strict();
/** POST /projects/{id}/access/revocations */
export const revokeAccessBodySchema = accessRevokedSchema.omit({ projectId: true }).strict();
/** POST /api-keys */
export const issueApiKeyBodySchema = z
  .object({
    name: apiKeyIssuedSchema.shape.name,
    expiresAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
  })
  .strict();
/** POST /api-keys/{keyId}/revocation */
export const revokeApiKeyBodySchema = z.object({ reason: reasonSchema }).strict();

/** What POST /api-keys answers, once: the key itself is never shown again. */
export const issuedApiKeySchema = z.object({
  keyId: z.string(),
  subject: z.string().describe('The actor the key acts as; grant it project roles like any user'),
  key: z.string().describe('Send as "Authorization: ApiKey <key>"; shown once, stored only as a hash'),
  expiresAt: z.string().nullable(),
});
