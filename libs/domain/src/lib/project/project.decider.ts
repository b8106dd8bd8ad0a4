import type { ProjectCharter, ProjectEvent, ProjectOutcome } from '@planledger/contracts';
import { refuse, type CommandMetadata } from '../shared/domain-error';

export interface ProjectState {
  status: 'none' | 'open' | 'closed';
  projectId?: string;
  charter?: ProjectCharter;
  /** How it ended, when it was closed with an outcome. */
  outcome?: ProjectOutcome;
}

export const initialProjectState: ProjectState = { status: 'none' };

export type OpenProject = { type: 'OpenProject'; data: ProjectCharter & { projectId: string }; metadata: CommandMetadata };
export type AmendProjectCharter = {
  type: 'AmendProjectCharter';
  data: { projectId: string; changes: Partial<ProjectCharter>; reason: string };
  metadata: CommandMetadata;
};
export type CloseProject = {
  type: 'CloseProject';
  data: { projectId: string; reason: string; outcome?: ProjectOutcome };
  metadata: CommandMetadata;
};
export type ProjectCommand = OpenProject | AmendProjectCharter | CloseProject;

export function evolveProject(state: ProjectState, event: ProjectEvent): ProjectState {
  switch (event.type) {
    case 'ProjectOpened': {
      const { projectId, ...charter } = event.data;
      return { status: 'open', projectId, charter };
    }
    case 'ProjectCharterAmended':
      return { ...state, charter: { ...(state.charter as ProjectCharter), ...event.data.after } };
    case 'ProjectClosed':
      return { ...state, status: 'closed', ...(event.data.outcome ? { outcome: event.data.outcome } : {}) };
  }
}

export function openProject(command: OpenProject, state: ProjectState): ProjectEvent[] {
  if (state.status !== 'none') refuse('PROJECT_ALREADY_OPEN', `project ${command.data.projectId} is already open`);
  checkPeriod(command.data.periodStart, command.data.periodEnd);
  return [{ type: 'ProjectOpened', data: command.data }];
}

export function amendProjectCharter(command: AmendProjectCharter, state: ProjectState): ProjectEvent[] {
  const charter = requireOpen(state);
  const changed = (Object.keys(command.data.changes) as (keyof ProjectCharter)[]).filter(
    (key) => command.data.changes[key] !== undefined && JSON.stringify(command.data.changes[key]) !== JSON.stringify(charter[key]),
  );
  if (changed.length === 0) refuse('NOTHING_TO_CHANGE', 'the amendment changes nothing in the charter');
  const after = Object.fromEntries(changed.map((key) => [key, command.data.changes[key]])) as Partial<ProjectCharter>;
  const before = Object.fromEntries(changed.map((key) => [key, charter[key]])) as Partial<ProjectCharter>;
  checkPeriod(after.periodStart ?? charter.periodStart, after.periodEnd ?? charter.periodEnd);
  return [{ type: 'ProjectCharterAmended', data: { projectId: command.data.projectId, before, after, reason: command.data.reason } }];
}

export function closeProject(command: CloseProject, state: ProjectState): ProjectEvent[] {
  requireOpen(state);
  const { projectId, reason, outcome } = command.data;
  return [{ type: 'ProjectClosed', data: { projectId, reason, ...(outcome ? { outcome } : {}) } }];
}

export function decideProject(command: ProjectCommand, state: ProjectState): ProjectEvent[] {
  switch (command.type) {
    case 'OpenProject':
      return openProject(command, state);
    case 'AmendProjectCharter':
      return amendProjectCharter(command, state);
    case 'CloseProject':
      return closeProject(command, state);
    default: {
      const unknown: never = command;
      return refuse('UNKNOWN_COMMAND', `unknown project command ${(unknown as { type: string }).type}`);
    }
  }
}

/** The charter of an open project; refuses a missing or closed one. */
export function requireOpen(state: ProjectState): ProjectCharter {
  if (state.status === 'none' || !state.charter) refuse('PROJECT_NOT_FOUND', 'the project does not exist');
  if (state.status === 'closed') refuse('PROJECT_CLOSED', `project ${state.projectId} is closed and accepts no changes`);
  return state.charter;
}

function checkPeriod(start: string, end: string): void {
  if (start > end) refuse('PERIOD_INVALID', `the period starts ${start}, after it ends ${end}`);
}
