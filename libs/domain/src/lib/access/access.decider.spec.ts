import type { AccessEvent } from '@planledger/contracts';
import { evolveProject, initialProjectState } from '../project/project.decider';
import { meta, projectClosed, projectOpened } from '../testing/fixtures';
import { deciderSpec } from '../testing/given-when-then';
import { decideAccess, evolveAccess, initialAccessState, type AccessCommand, type AccessContext, type AccessState } from './access.decider';
import { authorize, ROLE_PERMISSIONS, type Action } from './permissions';

const spec = deciderSpec<AccessState, AccessEvent, AccessCommand, AccessContext>({
  initialState: initialAccessState,
  evolve: evolveAccess,
  decide: decideAccess,
});
const open: AccessContext = {
  project: [projectOpened].reduce(evolveProject, initialProjectState),
  currentMemberIds: new Set(['wang-fang']),
};
const closed: AccessContext = { ...open, project: [projectOpened, projectClosed].reduce(evolveProject, initialProjectState) };
const missing: AccessContext = { project: initialProjectState };

const grant = (role: 'manager' | 'member' | 'viewer' | 'analyst', memberId?: string): AccessCommand => ({
  type: 'GrantAccess',
  data: { projectId: 'p1', subject: 'user:wang', role, ...(memberId ? { memberId } : {}) },
  metadata: meta,
});
const granted = (role: 'manager' | 'member' | 'viewer' | 'analyst', memberId?: string): AccessEvent => ({
  type: 'AccessGranted',
  data: { projectId: 'p1', subject: 'user:wang', role, ...(memberId ? { memberId } : {}) },
});
const revoke: AccessCommand = {
  type: 'RevokeAccess',
  data: { projectId: 'p1', subject: 'user:wang', reason: 'left the company' },
  metadata: meta,
};
const hash = 'a'.repeat(64);
const issue = (keyId = 'k1', expiresAt?: string): AccessCommand => ({
  type: 'IssueApiKey',
  data: { keyId, name: 'crm-feed', secretHash: hash, ...(expiresAt ? { expiresAt } : {}) },
  metadata: meta,
});
const issued: AccessEvent = {
  type: 'ApiKeyIssued',
  data: { keyId: 'k1', name: 'crm-feed', subject: 'service:crm-feed', secretHash: hash },
};
const revokeKey = (keyId = 'k1'): AccessCommand => ({ type: 'RevokeApiKey', data: { keyId, reason: 'rotated' }, metadata: meta });
const keyRevoked: AccessEvent = { type: 'ApiKeyRevoked', data: { keyId: 'k1', reason: 'rotated' } };

describe('access', () => {
  describe('when nobody holds a role', () => {
    it('grants a role in an open project', () =>
      spec()
        .when(grant('viewer'), open)
        .then([granted('viewer')]));
    it('grants a member role naming a current team member', () =>
      spec()
        .when(grant('member', 'wang-fang'), open)
        .then([granted('member', 'wang-fang')]));
    it('refuses a member role without a member id, or naming someone off the team', () => {
      spec().when(grant('member'), open).thenRefuses('MEMBER_ID_REQUIRED');
      spec().when(grant('member', 'nobody'), open).thenRefuses('MEMBER_NOT_FOUND');
    });
    it('refuses grants in unknown and closed projects', () => {
      spec().when(grant('viewer'), missing).thenRefuses('PROJECT_NOT_FOUND');
      spec().when(grant('viewer'), closed).thenRefuses('PROJECT_CLOSED');
    });
    it('refuses to revoke a role nobody holds', () => spec().when(revoke).thenRefuses('ACCESS_NOT_FOUND'));
  });

  describe('when a subject holds a role', () => {
    it('changes the role with a new grant and ignores the same grant again', () => {
      spec([granted('viewer')])
        .when(grant('manager'), open)
        .then([granted('manager')]);
      spec([granted('viewer')])
        .when(grant('viewer'), open)
        .then([]);
    });
    it('revokes it, recording the role that was held', () =>
      spec([granted('manager')])
        .when(revoke)
        .then([{ type: 'AccessRevoked', data: { projectId: 'p1', subject: 'user:wang', role: 'manager', reason: 'left the company' } }]));
    it('forgets it once revoked', () =>
      spec([granted('manager'), { type: 'AccessRevoked', data: { projectId: 'p1', subject: 'user:wang', role: 'manager', reason: 'x' } }])
        .when(revoke)
        .thenRefuses('ACCESS_NOT_FOUND'));
  });

  describe('API keys', () => {
    it('issues a key for a service subject named after it', () => spec().when(issue()).then([issued]));
    it('refuses an expiry in the past', () => spec().when(issue('k1', '2020-01-01T00:00:00Z')).thenRefuses('EXPIRY_IN_THE_PAST'));
    it('refuses a second active key with the same name or id, and accepts the name again once revoked', () => {
      spec([issued]).when(issue('k2')).thenRefuses('API_KEY_NAME_TAKEN');
      spec([issued]).when(issue('k1')).thenRefuses('API_KEY_EXISTS');
      spec([issued, keyRevoked])
        .when(issue('k2'))
        .then([{ ...issued, data: { ...issued.data, keyId: 'k2' } } as AccessEvent]);
    });
    it('revokes an active key once', () => {
      spec([issued]).when(revokeKey()).then([keyRevoked]);
      spec([issued, keyRevoked]).when(revokeKey()).thenRefuses('API_KEY_ALREADY_REVOKED');
      spec().when(revokeKey()).thenRefuses('API_KEY_NOT_FOUND');
    });
  });
});

describe('authorize', () => {
  const all = Object.values(ROLE_PERMISSIONS).flatMap((s) => [...s]) as Action[];
  it('lets an organisation admin do everything, with or without a grant', () => {
    for (const action of [...all, 'project.open', 'apiKey.manage'] as Action[]) expect(authorize({ admin: true }, action)).toBe('allow');
  });
  it('tells a caller with no role in the project nothing about it', () => {
    expect(authorize({ admin: false }, 'project.read')).toBe('not_found');
    expect(authorize({ admin: false }, 'goal.plan')).toBe('not_found');
  });
  it('keeps organisation actions for admins', () => {
    expect(authorize({ admin: false, grant: { role: 'manager' } }, 'project.open')).toBe('forbidden');
    expect(authorize({ admin: false, grant: { role: 'manager' } }, 'apiKey.manage')).toBe('forbidden');
  });
  it('lets a manager plan and a viewer only read', () => {
    expect(authorize({ admin: false, grant: { role: 'manager' } }, 'goal.plan')).toBe('allow');
    expect(authorize({ admin: false, grant: { role: 'viewer' } }, 'project.read')).toBe('allow');
    expect(authorize({ admin: false, grant: { role: 'viewer' } }, 'goal.recordActual')).toBe('forbidden');
    expect(authorize({ admin: false, grant: { role: 'analyst' } }, 'project.read')).toBe('forbidden');
    expect(authorize({ admin: false, grant: { role: 'analyst' } }, 'feed.read')).toBe('allow');
  });
  it('lets a member work only on what is theirs', () => {
    const member = { admin: false, grant: { role: 'member' as const, memberId: 'wang-fang' } };
    expect(authorize(member, 'task.work', 'wang-fang')).toBe('allow');
    expect(authorize(member, 'task.work', 'chen-jie')).toBe('forbidden');
    expect(authorize(member, 'task.work')).toBe('forbidden');
    expect(authorize(member, 'goal.recordActual', 'wang-fang')).toBe('allow');
    expect(authorize(member, 'goal.plan', 'wang-fang')).toBe('forbidden');
  });
});
