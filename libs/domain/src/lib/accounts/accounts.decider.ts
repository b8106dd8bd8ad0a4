import type { AccountsEvent, OrgRole } from '@planledger/contracts';
import { refuse, type CommandMetadata } from '../shared/domain-error';

/** A one-time link (an invitation or a password reset): valid until it expires, and once. */
export interface OneTimeLink {
  id: string;
  tokenHash: string;
  expiresAt: string;
  used: boolean;
}

export interface Account {
  accountId: string;
  login: string;
  name?: string;
  email?: string;
  orgRole: OrgRole;
  /** Invited until the person sets a password through the invitation. */
  status: 'invited' | 'active';
  invitation: OneTimeLink;
  reset?: OneTimeLink;
}

/** The organisation's local accounts: the one `accounts` stream. */
export interface AccountsState {
  accounts: ReadonlyMap<string, Account>;
  /** login → accountId */
  logins: ReadonlyMap<string, string>;
}

export const initialAccountsState: AccountsState = { accounts: new Map(), logins: new Map() };

type Cmd<T extends string, D> = { type: T; data: D; metadata: CommandMetadata };
export type InviteAccount = Cmd<
  'InviteAccount',
  {
    accountId: string;
    login: string;
    name?: string;
    email?: string;
    orgRole: OrgRole;
    project?: { projectId: string; role: 'manager' | 'member' | 'viewer' | 'analyst'; memberId?: string };
    invitationId: string;
    tokenHash: string;
    expiresAt: string;
  }
>;
export type AcceptInvitation = Cmd<'AcceptInvitation', { tokenHash: string; name?: string }>;
export type IssuePasswordReset = Cmd<'IssuePasswordReset', { accountId: string; resetId: string; tokenHash: string; expiresAt: string }>;
export type ResetPassword = Cmd<'ResetPassword', { tokenHash: string }>;
export type AccountsCommand = InviteAccount | AcceptInvitation | IssuePasswordReset | ResetPassword;

export function evolveAccounts(state: AccountsState, event: AccountsEvent): AccountsState {
  const update = (accountId: string, change: (account: Account) => Account): AccountsState => {
    const account = state.accounts.get(accountId);
    return account ? { ...state, accounts: new Map(state.accounts).set(accountId, change(account)) } : state;
  };
  switch (event.type) {
    case 'AccountInvited': {
      const { accountId, login, name, email, orgRole, invitationId, tokenHash, expiresAt } = event.data;
      const previous = state.accounts.get(accountId);
      const account: Account = {
        accountId,
        login,
        ...(name === undefined ? {} : { name }),
        ...(email === undefined ? {} : { email }),
        orgRole,
        // Invited again after accepting (a new role, say) keeps the account signed up.
        status: previous?.status ?? 'invited',
        invitation: { id: invitationId, tokenHash, expiresAt, used: false },
      };
      return { accounts: new Map(state.accounts).set(accountId, account), logins: new Map(state.logins).set(login, accountId) };
    }
    case 'InvitationAccepted':
      return update(event.data.accountId, (a) => ({
        ...a,
        status: 'active',
        ...(event.data.name === undefined ? {} : { name: event.data.name }),
        invitation: { ...a.invitation, used: true },
      }));
    case 'PasswordResetIssued':
      return update(event.data.accountId, (a) => ({
        ...a,
        reset: { id: event.data.resetId, tokenHash: event.data.tokenHash, expiresAt: event.data.expiresAt, used: false },
      }));
    case 'PasswordReset':
      return update(event.data.accountId, (a) => (a.reset ? { ...a, reset: { ...a.reset, used: true } } : a));
  }
}

/** The account whose link of this kind has the token's hash, if any. */
export function accountByLink(state: AccountsState, kind: 'invitation' | 'reset', tokenHash: string): Account | undefined {
  for (const account of state.accounts.values()) if (account[kind]?.tokenHash === tokenHash) return account;
  return undefined;
}

/**
 * The account whose link of this kind the token's hash opens, while the link is unused and valid.
 * Every refusal says the same: which of them it was is no business of the holder.
 */
function openedBy(state: AccountsState, kind: 'invitation' | 'reset', tokenHash: string, now: string): Account & { link: OneTimeLink } {
  const account = accountByLink(state, kind, tokenHash);
  const link = account?.[kind];
  if (!account || !link || link.used || Date.parse(link.expiresAt) <= Date.parse(now))
    refuse(
      'LINK_INVALID',
      `this ${kind === 'reset' ? 'password reset' : 'invitation'} link is unknown, used already or expired: ask an administrator for a new one`,
    );
  return { ...account, link };
}

export function decideAccounts(command: AccountsCommand, state: AccountsState): AccountsEvent[] {
  switch (command.type) {
    case 'InviteAccount': {
      const { accountId, login, invitationId, tokenHash, expiresAt } = command.data;
      const existing = state.accounts.get(state.logins.get(login) ?? '');
      if (existing && existing.accountId !== accountId) refuse('LOGIN_TAKEN', `${login} is taken by another account`);
      if (Date.parse(expiresAt) <= Date.parse(command.metadata.now)) refuse('EXPIRY_IN_THE_PAST', `expiresAt ${expiresAt} has passed`);
      const { project, name, email, orgRole } = command.data;
      return [
        {
          type: 'AccountInvited',
          data: {
            accountId,
            login,
            ...(name === undefined ? {} : { name }),
            ...(email === undefined ? {} : { email }),
            // A project manager's invitation never lowers (or raises) what an existing account is.
            orgRole: existing ? existing.orgRole : orgRole,
            ...(project === undefined ? {} : { project }),
            invitationId,
            tokenHash,
            expiresAt,
          },
        },
      ];
    }
    case 'AcceptInvitation': {
      const account = openedBy(state, 'invitation', command.data.tokenHash, command.metadata.now);
      const { name } = command.data;
      return [
        {
          type: 'InvitationAccepted',
          data: { accountId: account.accountId, invitationId: account.link.id, ...(name === undefined ? {} : { name }) },
        },
      ];
    }
    case 'IssuePasswordReset': {
      const account = state.accounts.get(command.data.accountId);
      if (!account) refuse('ACCOUNT_NOT_FOUND', `account ${command.data.accountId} does not exist`);
      if (account.status !== 'active')
        refuse('ACCOUNT_NOT_ACTIVE', `${account.login} has not accepted the invitation yet: invite again instead`);
      const { accountId, resetId, tokenHash, expiresAt } = command.data;
      return [{ type: 'PasswordResetIssued', data: { accountId, resetId, tokenHash, expiresAt } }];
    }
    case 'ResetPassword': {
      const account = openedBy(state, 'reset', command.data.tokenHash, command.metadata.now);
      return [{ type: 'PasswordReset', data: { accountId: account.accountId, resetId: account.link.id } }];
    }
  }
}

export const accountsDecider = { initialState: initialAccountsState, evolve: evolveAccounts, decide: decideAccounts };
