export * from './lib/http/health.schema';
export * from './lib/shared/primitives';
export * from './lib/project/project.events';
export * from './lib/goal/goal.events';
export * from './lib/events';
export * from './lib/project/project.commands';
export * from './lib/goal/goal.commands';
export * from './lib/team/team.events';
