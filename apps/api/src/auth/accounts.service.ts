import { Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { AggregateCache, ACCOUNTS_STREAM, Access, CommandHandler, type RequestMetadata } from '@planledger/application';
import type { PlanLedgerConfig } from '@planledger/config';
import type { OrgRole, ProjectRole } from '@planledger/contracts';
import { accountByLink, accountsDecider, refuse, type Account, type AccountsState } from '@planledger/domain';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';
import { PLANLEDGER_CONFIG } from '@planledger/runtime';
import { createTransport, type Transporter } from 'nodemailer';
import { randomUUID } from 'node:crypto';
import { SIGN_IN_STORE } from './auth.tokens';
import { hashPassword, verifyPassword } from './passwords';
import type { SignInStore } from './session-store';
import { newSecret, sha256 } from './sessions.service';

/** How often this process looks for account changes made by other processes. */
const REFRESH_MS = 1000;

export interface Invite {
  login: string;
  name?: string;
  email?: string;
  orgRole?: OrgRole;
  project?: { projectId: string; role: ProjectRole; memberId?: string };
}

export interface IssuedLink {
  accountId: string;
  subject: string;
  link: string;
  expiresAt: string;
  mailed: boolean;
}

/** The actor a local account acts as. */
export const accountSubject = (login: string) => `user:${login}`;

/** The public address of the API: links and the OIDC callback are built on it. */
export function publicUrl(config: PlanLedgerConfig): string {
  if (config.AUTH_PUBLIC_URL) return config.AUTH_PUBLIC_URL.replace(/\/+$/, '');
  const host = ['0.0.0.0', '::'].includes(config.HOST) ? 'localhost' : config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return `http://${host}:${config.PORT}`;
}

/**
 * Local accounts: invitations, passwords and resets. Accounts and links are events of the
 * `accounts` stream (the links only as hashes); password hashes live in the sign-in store, never in
 * the log.
 */
@Injectable()
export class Accounts {
  private readonly logger = new Logger('Accounts');
  private readonly commands: CommandHandler;
  private checkedAt = 0;
  private refreshing: Promise<AccountsState> | undefined;
  private mailer: Transporter | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    cache: AggregateCache,
    @Inject(SIGN_IN_STORE) private readonly signIn: SignInStore,
    private readonly access: Access,
    @Inject(PLANLEDGER_CONFIG) private readonly config: PlanLedgerConfig,
  ) {
    this.commands = new CommandHandler(store, cache);
  }

  async current(): Promise<AccountsState> {
    const cached = this.commands.cache.get<AccountsState>(ACCOUNTS_STREAM);
    if (cached && Date.now() - this.checkedAt < REFRESH_MS) return cached.state;
    this.refreshing ??= (async () => {
      const state = (await this.commands.fresh(ACCOUNTS_STREAM, accountsDecider)).state;
      this.checkedAt = Date.now();
      return state;
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** Refuses when local accounts are turned off. */
  enabled(): void {
    if (!this.config.AUTH_LOCAL_ACCOUNTS)
      throw new NotFoundException({ code: 'LOCAL_ACCOUNTS_OFF', message: 'local accounts are turned off (AUTH_LOCAL_ACCOUNTS=false)' });
  }

  /** The local account a subject is, if it is one. */
  async bySubject(subject: string): Promise<Account | undefined> {
    if (!subject.startsWith('user:')) return undefined;
    const state = await this.current();
    return state.accounts.get(state.logins.get(subject.slice('user:'.length)) ?? '');
  }

  async invite(invite: Invite, meta: RequestMetadata): Promise<IssuedLink> {
    const state = (await this.commands.fresh(ACCOUNTS_STREAM, accountsDecider)).state;
    const accountId = state.logins.get(invite.login) ?? randomUUID();
    const token = newSecret();
    const expiresAt = new Date(Date.parse(meta.now) + this.config.AUTH_INVITATION_HOURS * 3_600_000).toISOString();
    const subject = accountSubject(invite.login);
    if (invite.project) {
      // The role first: an invitation the grant refuses (a member id that is not on the team) writes nothing.
      const { projectId, role, memberId } = invite.project;
      await this.access.grant(projectId, subject, role, memberId, meta);
    }
    await this.commands.handle(
      ACCOUNTS_STREAM,
      accountsDecider,
      {
        type: 'InviteAccount',
        data: {
          accountId,
          login: invite.login,
          ...(invite.name === undefined ? {} : { name: invite.name }),
          ...(invite.email === undefined ? {} : { email: invite.email }),
          orgRole: invite.orgRole ?? 'member',
          ...(invite.project === undefined ? {} : { project: invite.project }),
          invitationId: randomUUID(),
          tokenHash: sha256(token),
          expiresAt,
        },
        metadata: meta,
      },
      async () => undefined,
      { metadata: meta },
    );
    const link = `${publicUrl(this.config)}/invitation?token=${token}`;
    const to = invite.email ?? (invite.login.includes('@') ? invite.login : undefined);
    const mailed = to
      ? await this.mail(
          to,
          'You are invited to PlanLedger / 邀请您加入 PlanLedger',
          `Set your password and sign in with this link (valid until ${expiresAt}, once):\n${link}\n\n请通过此链接设置密码并登录（有效期至 ${expiresAt}，仅可使用一次）：\n${link}\n`,
        )
      : false;
    this.logger.log(`${invite.login} invited by ${meta.actor}${mailed ? ' (mailed)' : ''}`);
    return { accountId, subject, link, expiresAt, mailed };
  }

  /**
   * The first admin of an installation without an identity provider: invited (again) as an admin
   * while the account has no password yet; undefined once it has one.
   */
  async bootstrapAdmin(login: string): Promise<IssuedLink | undefined> {
    if (!this.config.AUTH_LOCAL_ACCOUNTS) return undefined;
    const state = (await this.commands.fresh(ACCOUNTS_STREAM, accountsDecider)).state;
    const existing = state.accounts.get(state.logins.get(login) ?? '');
    if (existing?.status === 'active') return undefined;
    const meta = { actor: 'service:planledger-bootstrap', correlationId: randomUUID(), now: new Date().toISOString() };
    return this.invite({ login, orgRole: 'admin' }, meta);
  }

  /** Sets the password through an invitation link; answers the account, now active. */
  async acceptInvitation(
    token: string,
    password: string,
    name: string | undefined,
    meta: Omit<RequestMetadata, 'actor'>,
  ): Promise<Account> {
    const tokenHash = sha256(token);
    const hash = await hashPassword(password);
    const found = accountByLink((await this.commands.fresh(ACCOUNTS_STREAM, accountsDecider)).state, 'invitation', tokenHash);
    if (!found) refuse('LINK_INVALID', 'this invitation link is unknown, used already or expired: ask an administrator for a new one');
    await this.commands.handle(
      ACCOUNTS_STREAM,
      accountsDecider,
      {
        type: 'AcceptInvitation',
        data: { tokenHash, ...(name === undefined ? {} : { name }) },
        metadata: { ...meta, actor: accountSubject(found.login) },
      },
      async () => undefined,
      { metadata: { ...meta, actor: accountSubject(found.login) } },
    );
    // Only once the link is spent: a second use of it never changes the password.
    await this.signIn.setPasswordHash(found.accountId, hash, new Date(meta.now));
    this.logger.log(`${found.login} accepted the invitation and set a password`);
    return found;
  }

  async issueReset(accountId: string, meta: RequestMetadata): Promise<IssuedLink> {
    const token = newSecret();
    const expiresAt = new Date(Date.parse(meta.now) + this.config.AUTH_RESET_HOURS * 3_600_000).toISOString();
    await this.commands.handle(
      ACCOUNTS_STREAM,
      accountsDecider,
      { type: 'IssuePasswordReset', data: { accountId, resetId: randomUUID(), tokenHash: sha256(token), expiresAt }, metadata: meta },
      async () => undefined,
      { metadata: meta },
    );
    const account = (await this.current()).accounts.get(accountId);
    const login = account?.login ?? accountId;
    const link = `${publicUrl(this.config)}/password-reset?token=${token}`;
    const to = account?.email ?? (login.includes('@') ? login : undefined);
    const mailed = to
      ? await this.mail(
          to,
          'Reset your PlanLedger password / 重置 PlanLedger 密码',
          `Choose a new password with this link (valid until ${expiresAt}, once):\n${link}\n\n请通过此链接设置新密码（有效期至 ${expiresAt}，仅可使用一次）：\n${link}\n`,
        )
      : false;
    this.logger.log(`password reset link for ${login} issued by ${meta.actor}${mailed ? ' (mailed)' : ''}`);
    return { accountId, subject: accountSubject(login), link, expiresAt, mailed };
  }

  async resetPassword(token: string, password: string, meta: Omit<RequestMetadata, 'actor'>): Promise<Account> {
    const tokenHash = sha256(token);
    const hash = await hashPassword(password);
    const found = accountByLink((await this.commands.fresh(ACCOUNTS_STREAM, accountsDecider)).state, 'reset', tokenHash);
    if (!found) refuse('LINK_INVALID', 'this password reset link is unknown, used already or expired: ask an administrator for a new one');
    const metadata = { ...meta, actor: accountSubject(found.login) };
    await this.commands.handle(
      ACCOUNTS_STREAM,
      accountsDecider,
      { type: 'ResetPassword', data: { tokenHash }, metadata },
      async () => undefined,
      { metadata },
    );
    await this.signIn.setPasswordHash(found.accountId, hash, new Date(meta.now));
    this.logger.log(`${found.login} reset the password`);
    return found;
  }

  /** The active account the login and password are, or undefined; takes as long either way. */
  async verify(login: string, password: string): Promise<Account | undefined> {
    const state = await this.current();
    const account = state.accounts.get(state.logins.get(login.trim().toLowerCase()) ?? '');
    const stored = account?.status === 'active' ? await this.signIn.passwordHash(account.accountId) : undefined;
    return (await verifyPassword(stored, password)) ? account : undefined;
  }

  private async mail(to: string, subject: string, text: string): Promise<boolean> {
    if (!this.config.SMTP_URL) return false;
    try {
      this.mailer ??= createTransport(this.config.SMTP_URL);
      await this.mailer.sendMail({ from: this.config.SMTP_FROM, to, subject, text });
      return true;
    } catch (error) {
      this.logger.warn(`could not mail the link to ${to}: ${(error as Error).message}; hand it over yourself`);
      return false;
    }
  }
}
