import { z } from 'zod';

/** The body of every error answer: a stable code to branch on and a message for people. */
export const problemSchema = z.object({
  statusCode: z.number().int().min(400).max(599),
  code: z.string().describe('Stable machine-readable code, e.g. VALIDATION_FAILED, GOAL_NOT_FOUND, TARGET_NOT_POSITIVE'),
  message: z.string().describe('What went wrong, naming the field or rule'),
  issues: z
    .array(z.object({ path: z.string().describe('The field, e.g. kpi.unit or actuals[3].value'), message: z.string() }))
    .optional()
    .describe('Every invalid field (400 VALIDATION_FAILED)'),
  currentRevision: z.number().int().nullable().optional().describe('The stream revision now (409 and 412): reload, then retry with it'),
});
export type Problem = z.infer<typeof problemSchema>;

/** Which errors each kind of operation can answer, and why. */
export const PROBLEM_RESPONSES = {
  400: 'Invalid input: every bad field is named in `issues`',
  401: 'No credential, or one that is invalid, expired or revoked',
  403: 'The credential may not do this (FORBIDDEN), or claims another actor (ACTOR_MISMATCH)',
  404: 'No such project, goal, task or member, or none you hold a role for',
  409: 'Other writers kept changing the same aggregate; `currentRevision` says where it stands',
  412: 'If-Match named a revision the aggregate is no longer at; `currentRevision` says where it stands',
  413: 'The body is larger than the limit',
  429: 'Too many requests from this credential (or address) in the last minute; Retry-After says when to try again',
  422: 'A domain rule refused the command (stable `code`), or an Idempotency-Key was reused with another request',
  500: 'Unexpected failure (no details are returned; the server log has them)',
  503: 'The event store is unreachable',
} as const;
