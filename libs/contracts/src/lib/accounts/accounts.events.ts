import { z } from 'zod';
import { idSchema, nameSchema, type EventOf } from '../shared/primitives';
import { projectRoleSchema } from '../access/access.events';

/** What a local account may do organisation-wide: an admin holds every right, a member what their project roles give. */
export const ORG_ROLES = ['admin', 'member'] as const;
export const orgRoleSchema = z.enum(ORG_ROLES, { error: `must be one of ${ORG_ROLES.join(', ')}` });
export type OrgRole = z.infer<typeof orgRoleSchema>;

/**
 * A local account's sign-in name: an e-mail address or a short name, compared without case. The
 * person acts as `user:<login>`.
 */
export const loginSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._@+-]{1,99}$/, 'must be an e-mail address or a name of 2–100 letters, digits, ".", "_", "@", "+" or "-"');

/** SHA-256 (hex) of a one-time link's secret: the link itself is shown once and never stored. */
const tokenHashSchema = z.string().regex(/^[0-9a-f]{64}$/);
const instantSchema = z.iso.datetime({ offset: true });

export const accountInvitedSchema = z.object({
  accountId: idSchema,
  login: loginSchema,
  name: nameSchema.optional(),
  email: z.email().optional(),
  orgRole: orgRoleSchema,
  /** The project role the invitation gives, when a project's manager (or an admin) invited for a project. */
  project: z.object({ projectId: idSchema, role: projectRoleSchema, memberId: idSchema.optional() }).optional(),
  invitationId: idSchema,
  tokenHash: tokenHashSchema,
  expiresAt: instantSchema,
});
/** The invited person set their password (the password itself is never recorded, nor its hash). */
export const invitationAcceptedSchema = z.object({ accountId: idSchema, invitationId: idSchema, name: nameSchema.optional() });
export const passwordResetIssuedSchema = z.object({
  accountId: idSchema,
  resetId: idSchema,
  tokenHash: tokenHashSchema,
  expiresAt: instantSchema,
});
/** A reset link was used: the password changed. */
export const passwordResetSchema = z.object({ accountId: idSchema, resetId: idSchema });

export type AccountInvited = EventOf<'AccountInvited', typeof accountInvitedSchema>;
export type InvitationAccepted = EventOf<'InvitationAccepted', typeof invitationAcceptedSchema>;
export type PasswordResetIssued = EventOf<'PasswordResetIssued', typeof passwordResetIssuedSchema>;
export type PasswordReset = EventOf<'PasswordReset', typeof passwordResetSchema>;
export type AccountsEvent = AccountInvited | InvitationAccepted | PasswordResetIssued | PasswordReset;

export const accountsEventSchemas = {
  AccountInvited: accountInvitedSchema,
  InvitationAccepted: invitationAcceptedSchema,
  PasswordResetIssued: passwordResetIssuedSchema,
  PasswordReset: passwordResetSchema,
} as const;

/** A password a person chooses: long enough to resist guessing, short enough to hash quickly. */
export const passwordSchema = z
  .string({ error: 'must be a string' })
  .min(10, 'must be at least 10 characters')
  .max(200, 'must be at most 200 characters');
const oneTimeTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{20,200}$/, 'is not a link token');

/** POST /invitations and POST /projects/{projectId}/invitations */
export const inviteBodySchema = z
  .object({
    login: loginSchema.describe('An e-mail address (the invitation is mailed there when SMTP is configured) or a name'),
    name: nameSchema.optional(),
    email: z.email({ error: 'must be an e-mail address' }).optional(),
    orgRole: orgRoleSchema.optional().describe('admin or member (default); only an organisation admin may invite an admin'),
    role: projectRoleSchema.optional().describe('The role in the project (project invitations only; default viewer)'),
    memberId: idSchema.optional().describe('The team member the person is, for the member role'),
  })
  .strict();
/** What an invitation or a reset answers, once: the link is never shown again. */
export const issuedLinkSchema = z.object({
  accountId: z.string(),
  subject: z.string().describe('The actor the person acts as: grant it project roles like any user'),
  link: z.string().describe('The one-time link to hand to the person; valid until expiresAt, once'),
  expiresAt: z.string(),
  mailed: z.boolean().describe('Whether the link was also sent by e-mail'),
});
/** POST /auth/invitations/accept */
export const acceptInvitationBodySchema = z
  .object({ token: oneTimeTokenSchema, password: passwordSchema, name: nameSchema.optional() })
  .strict();
/** POST /auth/password-reset */
export const resetPasswordBodySchema = z.object({ token: oneTimeTokenSchema, password: passwordSchema }).strict();
/** POST /auth/password */
export const passwordSignInBodySchema = z
  .object({ login: z.string().min(1, 'must not be empty').max(200), password: z.string().min(1, 'must not be empty').max(200) })
  .strict();
/** POST /auth/token */
export const tokenSignInBodySchema = z.object({ token: z.string().min(1, 'must not be empty').max(8192) }).strict();

/** GET /auth/methods */
export const signInMethodsSchema = z.object({
  oidc: z.boolean().describe('GET /auth/login signs in with the identity provider'),
  local: z.boolean().describe('POST /auth/password signs in with a local account'),
  token: z.boolean().describe('POST /auth/token exchanges an API key or bearer token for a session'),
});

/** GET /me */
export const meSchema = z.object({
  actor: z.string().describe('user:… or service:…: the actor of every event this person writes'),
  name: z.string().nullable(),
  orgRole: orgRoleSchema,
  via: z.string().describe('How this request is authenticated: session, jwt or api-key'),
  projects: z.array(
    z.object({
      projectId: z.string(),
      name: z.string(),
      roles: z.array(z.string()),
      actions: z.array(z.string()).describe('The policy actions this person may take in the project'),
      memberId: z
        .string()
        .nullable()
        .describe('The team member this person is in the project: the goals and tasks that are theirs (null when none)'),
    }),
  ),
});

/** One browser session, as an admin sees it (never its secret). */
export const sessionSummarySchema = z.object({
  sessionId: z.string(),
  subject: z.string(),
  via: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  userAgent: z.string().nullable(),
});
export const revokeSessionsBodySchema = z.object({ subject: z.string().min(3).max(200) }).strict();
