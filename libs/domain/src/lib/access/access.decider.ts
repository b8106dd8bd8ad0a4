import type { AccessEvent, ProjectRole } from '@planledger/contracts';
import type { ProjectState } from '../project/project.decider';
import { refuse, type CommandMetadata } from '../shared/domain-error';

export interface Grant {
  role: ProjectRole;
  memberId?: string;
}

export interface ApiKey {
  keyId: string;
  name: string;
  subject: string;
  secretHash: string;
  expiresAt?: string;
  revoked: boolean;
}

/** Who may do what, organisation-wide: the one `access` stream. */
export interface AccessState {
  /** projectId → subject → grant. */
  grants: ReadonlyMap<string, ReadonlyMap<string, Grant>>;
  apiKeys: ReadonlyMap<string, ApiKey>;
}

export const initialAccessState: AccessState = { grants: new Map(), apiKeys: new Map() };

export interface AccessContext {
  /** The project a grant is about (GrantAccess only). */
  project?: ProjectState;
  /** Current team members of that project. */
  currentMemberIds?: ReadonlySet<string>;
}

type Cmd<T extends string, D> = { type: T; data: D; metadata: CommandMetadata };
export type GrantAccess = Cmd<'GrantAccess', { projectId: string; subject: string; role: ProjectRole; memberId?: string }>;
export type RevokeAccess = Cmd<'RevokeAccess', { projectId: string; subject: string; reason: string }>;
export type IssueApiKey = Cmd<'IssueApiKey', { keyId: string; name: string; secretHash: string; expiresAt?: string }>;
export type RevokeApiKey = Cmd<'RevokeApiKey', { keyId: string; reason: string }>;
export type AccessCommand = GrantAccess | RevokeAccess | IssueApiKey | RevokeApiKey;

export function evolveAccess(state: AccessState, event: AccessEvent): AccessState {
  switch (event.type) {
    case 'AccessGranted': {
      const { projectId, subject, role, memberId } = event.data;
      const project = new Map(state.grants.get(projectId)).set(subject, { role, ...(memberId === undefined ? {} : { memberId }) });
      return { ...state, grants: new Map(state.grants).set(projectId, project) };
    }
    case 'AccessRevoked': {
      const project = new Map(state.grants.get(event.data.projectId));
      project.delete(event.data.subject);
      return { ...state, grants: new Map(state.grants).set(event.data.projectId, project) };
    }
    case 'ApiKeyIssued':
      return { ...state, apiKeys: new Map(state.apiKeys).set(event.data.keyId, { ...event.data, revoked: false }) };
    case 'ApiKeyRevoked': {
      const key = state.apiKeys.get(event.data.keyId);
      return key ? { ...state, apiKeys: new Map(state.apiKeys).set(key.keyId, { ...key, revoked: true }) } : state;
    }
  }
}

/** The subject a service account's key acts as. */
export const serviceSubject = (name: string) => `service:${name}`;

export function decideAccess(command: AccessCommand, state: AccessState, context: AccessContext = {}): AccessEvent[] {
  switch (command.type) {
    case 'GrantAccess': {
      const { projectId, subject, role, memberId } = command.data;
      if (!context.project || context.project.status === 'none') refuse('PROJECT_NOT_FOUND', `project ${projectId} does not exist`);
      if (context.project.status === 'closed') refuse('PROJECT_CLOSED', `project ${projectId} is closed`);
      if (role === 'member' && memberId === undefined)
        refuse('MEMBER_ID_REQUIRED', 'a member grant names the team member the subject is (memberId)');
      if (memberId !== undefined && !context.currentMemberIds?.has(memberId))
        refuse('MEMBER_NOT_FOUND', `${memberId} is not a current member of the project`);
      const current = state.grants.get(projectId)?.get(subject);
      if (current && current.role === role && current.memberId === memberId) return [];
      return [{ type: 'AccessGranted', data: { projectId, subject, role, ...(memberId === undefined ? {} : { memberId }) } }];
    }
    case 'RevokeAccess': {
      const { projectId, subject, reason } = command.data;
      const current = state.grants.get(projectId)?.get(subject);
      if (!current) refuse('ACCESS_NOT_FOUND', `${subject} holds no role in project ${projectId}`);
      return [{ type: 'AccessRevoked', data: { projectId, subject, role: current.role, reason } }];
    }
    case 'IssueApiKey': {
      const { keyId, name, secretHash, expiresAt } = command.data;
      if (state.apiKeys.has(keyId)) refuse('API_KEY_EXISTS', `API key ${keyId} exists already`);
      if ([...state.apiKeys.values()].some((k) => k.name === name && !k.revoked))
        refuse('API_KEY_NAME_TAKEN', `an active API key is named ${name} already; revoke it first`);
      if (expiresAt !== undefined && Date.parse(expiresAt) <= Date.parse(command.metadata.now))
        refuse('EXPIRY_IN_THE_PAST', `expiresAt ${expiresAt} has passed`);
      return [
        {
          type: 'ApiKeyIssued',
          data: { keyId, name, subject: serviceSubject(name), secretHash, ...(expiresAt === undefined ? {} : { expiresAt }) },
        },
      ];
    }
    case 'RevokeApiKey': {
      const key = state.apiKeys.get(command.data.keyId);
      if (!key) refuse('API_KEY_NOT_FOUND', `API key ${command.data.keyId} does not exist`);
      if (key.revoked) refuse('API_KEY_ALREADY_REVOKED', `API key ${key.keyId} is revoked already`);
      return [{ type: 'ApiKeyRevoked', data: { keyId: key.keyId, reason: command.data.reason } }];
    }
  }
}
