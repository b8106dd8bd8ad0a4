import type { Action } from '@planledger/domain';

/** What a route acts on: the path parameter naming it, and what kind of thing that id is. */
export type PolicyTarget =
  | { kind: 'project'; param: 'projectId' }
  | { kind: 'goal'; param: 'goalId' }
  | { kind: 'task'; param: 'taskId' }
  | { kind: 'alert'; param: 'alertId' }
  | { kind: 'organisation' };

export interface RoutePolicy {
  action: Action;
  target: PolicyTarget;
  /**
   * Organisation routes only: any authenticated caller may call it, because the handler serves
   * only what the caller's grants allow (the project list, the feed) or nothing of any project
   * (the event schemas).
   */
  filteredByGrants?: true;
}

const project = { kind: 'project', param: 'projectId' } as const;
const goal = { kind: 'goal', param: 'goalId' } as const;
const task = { kind: 'task', param: 'taskId' } as const;
const alert = { kind: 'alert', param: 'alertId' } as const;
const organisation = { kind: 'organisation' } as const;

/**
 * The policy table: every route the API serves, keyed `METHOD /path/:param` exactly as Nest
 * registers it, with the action it takes and what it takes it on. The AccessGuard refuses any
 * route missing here, and the e2e matrix test fails on it, so a new endpoint cannot ship unguarded.
 */
export const ROUTE_POLICIES: Readonly<Record<string, RoutePolicy>> = {
  'POST /projects': { action: 'project.open', target: organisation },
  'GET /projects': { action: 'project.list', target: organisation, filteredByGrants: true },
  'GET /projects/:projectId': { action: 'project.read', target: project },
  'GET /projects/:projectId/history': { action: 'project.read', target: project },
  'GET /projects/:projectId/progress': { action: 'project.read', target: project },
  'GET /goals/:goalId/progress': { action: 'project.read', target: goal },
  'GET /projects/:projectId/plan': { action: 'project.read', target: project },
  'GET /projects/:projectId/plan/diff': { action: 'project.read', target: project },
  'POST /projects/:projectId/charter-amendments': { action: 'project.manage', target: project },
  'POST /projects/:projectId/closure': { action: 'project.manage', target: project },
  'POST /projects/:projectId/goals': { action: 'goal.plan', target: project },
  'POST /projects/:projectId/tasks': { action: 'task.plan', target: project },
  'GET /projects/:projectId/team': { action: 'project.read', target: project },
  'GET /projects/:projectId/tasks': { action: 'project.read', target: project },
  'GET /events': { action: 'feed.read', target: organisation, filteredByGrants: true },
  'GET /events/stream': { action: 'feed.read', target: organisation, filteredByGrants: true },
  'GET /projects/:projectId/events': { action: 'feed.read', target: project },
  'GET /schemas': { action: 'feed.read', target: organisation, filteredByGrants: true },
  'GET /asyncapi.json': { action: 'feed.read', target: organisation, filteredByGrants: true },
  'GET /schemas/:type/:version': { action: 'feed.read', target: organisation, filteredByGrants: true },
  'POST /projects/:projectId/members': { action: 'team.manage', target: project },
  'POST /projects/:projectId/members/:memberId/role-changes': { action: 'team.manage', target: project },
  'POST /projects/:projectId/members/:memberId/amendments': { action: 'team.manage', target: project },
  'POST /projects/:projectId/members/:memberId/departure': { action: 'team.manage', target: project },
  'POST /projects/:projectId/skill-requirements': { action: 'team.manage', target: project },
  'GET /projects/:projectId/access': { action: 'access.read', target: project },
  'POST /projects/:projectId/access': { action: 'access.manage', target: project },
  'POST /projects/:projectId/access/revocations': { action: 'access.manage', target: project },
  'GET /goals/:goalId': { action: 'project.read', target: goal },
  'POST /goals/:goalId/target-adjustments': { action: 'goal.plan', target: goal },
  'POST /goals/:goalId/deadline-moves': { action: 'goal.plan', target: goal },
  'POST /goals/:goalId/owner-changes': { action: 'goal.plan', target: goal },
  'POST /goals/:goalId/rephasings': { action: 'goal.plan', target: goal },
  'POST /goals/:goalId/rollup-changes': { action: 'goal.plan', target: goal },
  'POST /goals/:goalId/strategy-links': { action: 'goal.plan', target: goal },
  'POST /goals/:goalId/withdrawal': { action: 'goal.plan', target: goal },
  'POST /goals/:goalId/actuals': { action: 'goal.recordActual', target: goal },
  'POST /goals/:goalId/actuals/batch': { action: 'goal.recordActual', target: goal },
  'POST /goals/:goalId/actuals/:actualId/corrections': { action: 'goal.recordActual', target: goal },
  'GET /tasks/:taskId': { action: 'project.read', target: task },
  'POST /tasks/:taskId/assignment': { action: 'task.plan', target: task },
  'POST /tasks/:taskId/reassignment': { action: 'task.plan', target: task },
  'POST /tasks/:taskId/due-date-moves': { action: 'task.plan', target: task },
  'POST /tasks/:taskId/cancellation': { action: 'task.plan', target: task },
  'POST /tasks/:taskId/start': { action: 'task.work', target: task },
  'POST /tasks/:taskId/progress': { action: 'task.work', target: task },
  'POST /tasks/:taskId/block': { action: 'task.work', target: task },
  'POST /tasks/:taskId/unblock': { action: 'task.work', target: task },
  'POST /tasks/:taskId/completion': { action: 'task.work', target: task },
  'POST /api-keys': { action: 'apiKey.manage', target: organisation },
  'GET /api-keys': { action: 'apiKey.manage', target: organisation },
  'POST /api-keys/:keyId/revocation': { action: 'apiKey.manage', target: organisation },
  'POST /projects/:projectId/alert-subscriptions': { action: 'alerts.manage', target: project },
  'GET /projects/:projectId/alert-subscriptions': { action: 'alerts.manage', target: project },
  'POST /projects/:projectId/alert-subscriptions/:subscriptionId/removal': { action: 'alerts.manage', target: project },
  'GET /projects/:projectId/deliveries': { action: 'alerts.manage', target: project },
  'POST /projects/:projectId/deliveries/:deliveryId/retry': { action: 'alerts.manage', target: project },
  'GET /alerts/:alertId': { action: 'project.read', target: alert },
  'POST /alerts/:alertId/acknowledgement': { action: 'alert.acknowledge', target: alert },
  'GET /me/alerts': { action: 'project.list', target: organisation, filteredByGrants: true },
  'GET /me/alerts/stream': { action: 'project.list', target: organisation, filteredByGrants: true },
  'POST /projects/:projectId/strategy/elements': { action: 'strategy.plan', target: project },
  'POST /projects/:projectId/strategy/elements/:elementId/revisions': { action: 'strategy.plan', target: project },
  'POST /projects/:projectId/strategy/elements/:elementId/withdrawal': { action: 'strategy.plan', target: project },
  'GET /projects/:projectId/strategy': { action: 'project.read', target: project },
  'POST /projects/:projectId/meeting-cadences': { action: 'meeting.record', target: project },
  'POST /projects/:projectId/meeting-cadences/:cadenceId/end': { action: 'meeting.record', target: project },
  'POST /projects/:projectId/meetings': { action: 'meeting.record', target: project },
  'GET /projects/:projectId/meetings': { action: 'project.read', target: project },
  'POST /projects/:projectId/issues': { action: 'issue.raise', target: project },
  'POST /projects/:projectId/issues/:issueId/assignment': { action: 'issue.manage', target: project },
  'POST /projects/:projectId/issues/:issueId/resolution': { action: 'issue.manage', target: project },
  'POST /projects/:projectId/issues/:issueId/reopening': { action: 'issue.raise', target: project },
  'GET /projects/:projectId/issues': { action: 'project.read', target: project },
  'POST /projects/:projectId/feedback': { action: 'feedback.record', target: project },
  'POST /projects/:projectId/survey-responses': { action: 'feedback.record', target: project },
  'GET /projects/:projectId/feedback': { action: 'project.read', target: project },
  'POST /projects/:projectId/appraisals': { action: 'wrapup.manage', target: project },
  'POST /projects/:projectId/lessons': { action: 'wrapup.manage', target: project },
  'POST /projects/:projectId/incentive-scheme': { action: 'wrapup.manage', target: project },
  'POST /projects/:projectId/trainings': { action: 'wrapup.manage', target: project },
  'POST /projects/:projectId/evaluation': { action: 'wrapup.manage', target: project },
  'GET /projects/:projectId/wrap-up': { action: 'project.read', target: project },
  'GET /projects/:projectId/report': { action: 'project.read', target: project },
  'GET /me': { action: 'project.list', target: organisation, filteredByGrants: true },
  'GET /me/work': { action: 'project.list', target: organisation, filteredByGrants: true },
  'GET /search': { action: 'project.list', target: organisation, filteredByGrants: true },
  'POST /invitations': { action: 'account.manage', target: organisation },
  'POST /projects/:projectId/invitations': { action: 'access.manage', target: project },
  'GET /accounts': { action: 'account.manage', target: organisation },
  'POST /accounts/:accountId/password-resets': { action: 'account.manage', target: organisation },
  'GET /sessions': { action: 'account.manage', target: organisation },
  'POST /sessions/revocations': { action: 'account.manage', target: organisation },
  'POST /sessions/:sessionId/revocation': { action: 'account.manage', target: organisation },
  'POST /projects/:projectId/imports': { action: 'goal.plan', target: project },
  'GET /projects/:projectId/imports/:jobId': { action: 'goal.plan', target: project },
  'GET /projects/:projectId/export.xlsx': { action: 'project.read', target: project },
  'GET /imports/template.xlsx': { action: 'project.list', target: organisation, filteredByGrants: true },
  'GET /imports/template.csv': { action: 'project.list', target: organisation, filteredByGrants: true },
};
