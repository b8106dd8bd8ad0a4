/** Stream names: one stream per aggregate instance. */
export const projectStream = (projectId: string) => `project-${projectId}`;
export const goalStream = (goalId: string) => `goal-${goalId}`;
/** The drift checks' verdicts on a goal, beside it: they never move the goal's own revision. */
export const driftStream = (goalId: string) => `drift-${goalId}`;
export const teamStream = (projectId: string) => `team-${projectId}`;
export const taskStream = (taskId: string) => `task-${taskId}`;
/** Organisation-wide: role grants and API keys. */
export const ACCESS_STREAM = 'access';
export const strategyStream = (projectId: string) => `strategy-${projectId}`;
export const meetingsStream = (projectId: string) => `meetings-${projectId}`;
export const issueStream = (issueId: string) => `issue-${issueId}`;
export const voiceStream = (projectId: string) => `voice-${projectId}`;
export const wrapUpStream = (projectId: string) => `wrapup-${projectId}`;
export const ACCOUNTS_STREAM = 'accounts';
