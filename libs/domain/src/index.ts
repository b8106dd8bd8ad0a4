export * from './lib/shared/domain-error';
export * from './lib/shared/calendar';
export * from './lib/project/project.decider';
export * from './lib/goal/goal.decider';
export * from './lib/goal/smart.policy';
export * from './lib/goal/decomposition.policy';
export * from './lib/team/team.decider';
export * from './lib/task/task.decider';
