import type { ProjectRole } from '@planledger/contracts';

/**
 * Everything a request can ask to do. `*.own` actions are the ones a `member` may take on what is
 * theirs (a goal they own, a task assigned to them); for a manager they are the same as the plain ones.
 */
export const ACTIONS = [
  'project.open',
  'project.list',
  'project.read',
  'project.manage',
  'access.read',
  'access.manage',
  'apiKey.manage',
  'account.manage',
  'team.manage',
  'goal.plan',
  'goal.recordActual',
  'task.plan',
  'task.work',
  'feed.read',
  'alerts.manage',
  'alert.acknowledge',
  'strategy.plan',
  'meeting.record',
  'issue.raise',
  'issue.manage',
  'feedback.record',
  'wrapup.manage',
] as const;
export type Action = (typeof ACTIONS)[number];

/** Which role may take which action inside its project. Organisation admins may take every action. */
export const ROLE_PERMISSIONS: Record<ProjectRole, ReadonlySet<Action>> = {
  manager: new Set<Action>([
    'project.list',
    'project.read',
    'project.manage',
    'access.read',
    'access.manage',
    'team.manage',
    'goal.plan',
    'goal.recordActual',
    'task.plan',
    'task.work',
    'feed.read',
    'alerts.manage',
    'alert.acknowledge',
    'strategy.plan',
    'meeting.record',
    'issue.raise',
    'issue.manage',
    'feedback.record',
    'wrapup.manage',
  ]),
  member: new Set<Action>([
    'project.list',
    'project.read',
    'goal.recordActual',
    'task.work',
    'alert.acknowledge',
    'issue.raise',
    'feedback.record',
  ]),
  viewer: new Set<Action>(['project.list', 'project.read']),
  analyst: new Set<Action>(['project.list', 'feed.read']),
};

/** Actions a `member` may take only on what is theirs: the goal's owner or the task's assignee must be them. */
export const OWN_ONLY_FOR_MEMBERS: ReadonlySet<Action> = new Set<Action>(['goal.recordActual', 'task.work', 'alert.acknowledge']);

/** Actions outside any project: only organisation admins take them. */
export const ORGANISATION_ACTIONS: ReadonlySet<Action> = new Set<Action>(['project.open', 'apiKey.manage', 'account.manage']);

export interface Caller {
  admin: boolean;
  /** The caller's grant in the project the request is about, if any. */
  grant?: { role: ProjectRole; memberId?: string };
}

export type Verdict = 'allow' | 'forbidden' | 'not_found';

/**
 * Whether a caller may take an action. A caller with no role in the project learns nothing about
 * it (`not_found`, as for a project that does not exist); one with a role that does not allow the
 * action is `forbidden`. `ownerMemberId` is the member who owns the goal or holds the task.
 */
export function authorize(caller: Caller, action: Action, ownerMemberId?: string): Verdict {
  if (caller.admin) return 'allow';
  if (ORGANISATION_ACTIONS.has(action)) return 'forbidden';
  if (!caller.grant) return 'not_found';
  if (!ROLE_PERMISSIONS[caller.grant.role].has(action)) return 'forbidden';
  if (caller.grant.role === 'member' && OWN_ONLY_FOR_MEMBERS.has(action)) {
    return ownerMemberId !== undefined && ownerMemberId === caller.grant.memberId ? 'allow' : 'forbidden';
  }
  return 'allow';
}
