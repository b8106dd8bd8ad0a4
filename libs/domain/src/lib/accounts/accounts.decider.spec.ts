import type { AccountsEvent } from '@planledger/contracts';
import { meta } from '../testing/fixtures';
import { deciderSpec } from '../testing/given-when-then';
import { decideAccounts, evolveAccounts, initialAccountsState, type AccountsCommand, type AccountsState } from './accounts.decider';

const spec = deciderSpec<AccountsState, AccountsEvent, AccountsCommand>({
  initialState: initialAccountsState,
  evolve: evolveAccounts,
  decide: (command, state) => decideAccounts(command, state),
});

const inviteHash = '1'.repeat(64);
const resetHash = '2'.repeat(64);
const later = '2026-11-23T09:30:00.000Z';
const earlier = '2026-11-19T09:30:00.000Z';

const invite = (overrides: Partial<Extract<AccountsCommand, { type: 'InviteAccount' }>['data']> = {}): AccountsCommand => ({
  type: 'InviteAccount',
  data: {
    accountId: 'a1',
    login: 'li.na@example.com',
    orgRole: 'member',
    invitationId: 'i1',
    tokenHash: inviteHash,
    expiresAt: later,
    ...overrides,
  },
  metadata: meta,
});
const invited: AccountsEvent = {
  type: 'AccountInvited',
  data: { accountId: 'a1', login: 'li.na@example.com', orgRole: 'member', invitationId: 'i1', tokenHash: inviteHash, expiresAt: later },
};
const accept = (tokenHash = inviteHash): AccountsCommand => ({
  type: 'AcceptInvitation',
  data: { tokenHash, name: '李娜' },
  metadata: meta,
});
const accepted: AccountsEvent = { type: 'InvitationAccepted', data: { accountId: 'a1', invitationId: 'i1', name: '李娜' } };
const issueReset: AccountsCommand = {
  type: 'IssuePasswordReset',
  data: { accountId: 'a1', resetId: 'r1', tokenHash: resetHash, expiresAt: later },
  metadata: meta,
};
const resetIssued: AccountsEvent = {
  type: 'PasswordResetIssued',
  data: { accountId: 'a1', resetId: 'r1', tokenHash: resetHash, expiresAt: later },
};
const reset = (tokenHash = resetHash): AccountsCommand => ({ type: 'ResetPassword', data: { tokenHash }, metadata: meta });

describe('local accounts', () => {
  describe('when nobody is invited', () => {
    it('invites a person with a link valid until a later time', () => spec().when(invite()).then([invited]));
    it('refuses an invitation that has expired already', () =>
      spec()
        .when(invite({ expiresAt: earlier }))
        .thenRefuses('EXPIRY_IN_THE_PAST'));
    it('refuses a link nobody was given', () => spec().when(accept()).thenRefuses('LINK_INVALID'));
  });

  describe('when a person is invited', () => {
    it('accepts the invitation through its link, once', () => {
      spec([invited]).when(accept()).then([accepted]);
      spec([invited, accepted])
        .when(accept())
        .thenRefuses('LINK_INVALID', /used already or expired/);
    });
    it('refuses another token, and the link once it has expired', () => {
      spec([invited])
        .when(accept('3'.repeat(64)))
        .thenRefuses('LINK_INVALID');
      spec([{ ...invited, data: { ...invited.data, expiresAt: earlier } }])
        .when(accept())
        .thenRefuses('LINK_INVALID');
    });
    it('refuses the login for another account', () =>
      spec([invited])
        .when(invite({ accountId: 'a2' }))
        .thenRefuses('LOGIN_TAKEN'));
    it('refuses a reset before the invitation is accepted', () => spec([invited]).when(issueReset).thenRefuses('ACCOUNT_NOT_ACTIVE'));
    it('keeps an admin an admin when a project manager invites them again', () =>
      spec([{ ...invited, data: { ...invited.data, orgRole: 'admin' } }])
        .when(invite({ invitationId: 'i2', project: { projectId: 'p1', role: 'viewer' } }))
        .then([
          {
            type: 'AccountInvited',
            data: { ...invited.data, orgRole: 'admin', invitationId: 'i2', project: { projectId: 'p1', role: 'viewer' } },
          },
        ]));
  });

  describe('when the account is active', () => {
    it('issues a reset link and takes it once', () => {
      spec([invited, accepted]).when(issueReset).then([resetIssued]);
      spec([invited, accepted, resetIssued])
        .when(reset())
        .then([{ type: 'PasswordReset', data: { accountId: 'a1', resetId: 'r1' } }]);
      spec([invited, accepted, resetIssued, { type: 'PasswordReset', data: { accountId: 'a1', resetId: 'r1' } }])
        .when(reset())
        .thenRefuses('LINK_INVALID');
    });
    it('does not take the invitation link as a reset link', () =>
      spec([invited, accepted, resetIssued]).when(reset(inviteHash)).thenRefuses('LINK_INVALID'));
    it('refuses a reset for an account that does not exist', () =>
      spec([invited, accepted])
        .when({ ...issueReset, data: { ...issueReset.data, accountId: 'nobody' } })
        .thenRefuses('ACCOUNT_NOT_FOUND'));
  });
});
