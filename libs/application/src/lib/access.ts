import type { AccessEvent, ProjectRole } from '@planledger/contracts';
import {
  decideAccess,
  evolveAccess,
  initialAccessState,
  type AccessCommand,
  type AccessContext,
  type AccessState,
  type ApiKey,
} from '@planledger/domain';
import type { EventStore } from '@planledger/event-store';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { AggregateCache } from './aggregate-cache';
import { CommandHandler, type CommandResult, type Decider } from './command-handler';
import { projectDecider, teamDecider } from './deciders';
import type { RequestMetadata } from './planning';
import { ACCESS_STREAM, projectStream, teamStream } from './streams';

export const accessDecider: Decider<AccessState, AccessEvent, AccessCommand, AccessContext> = {
  initialState: initialAccessState,
  evolve: evolveAccess,
  decide: decideAccess,
};

/** How often a process looks for access changes made by other processes (its own apply at once). */
export const ACCESS_REFRESH_MS = 1000;

const KEY_PREFIX = 'plk_';

export interface IssuedApiKey {
  keyId: string;
  subject: string;
  /** `plk_<keyId>.<secret>`: shown once; only the secret's SHA-256 is stored. */
  key: string;
  expiresAt: string | null;
  result: CommandResult;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Role grants and API keys: the organisation-wide `access` stream, as use cases and lookups. */
export class Access {
  private readonly commands: CommandHandler;
  private checkedAt = 0;
  private refreshing: Promise<AccessState> | undefined;

  constructor(
    private readonly store: EventStore,
    cache: AggregateCache = new AggregateCache(),
    private readonly refreshMs = ACCESS_REFRESH_MS,
    private readonly clock: () => number = Date.now,
  ) {
    this.commands = new CommandHandler(store, cache);
  }

  grant(
    projectId: string,
    subject: string,
    role: ProjectRole,
    memberId: string | undefined,
    metadata: RequestMetadata,
  ): Promise<CommandResult> {
    return this.commands.handle(
      ACCESS_STREAM,
      accessDecider,
      { type: 'GrantAccess', data: { projectId, subject, role, ...(memberId === undefined ? {} : { memberId }) }, metadata },
      async (_, read) => {
        const [project, team] = await Promise.all([
          read.read(projectStream(projectId), projectDecider),
          read.read(teamStream(projectId), teamDecider),
        ]);
        return { project, currentMemberIds: new Set(team.members.keys()) };
      },
      { projectId, metadata },
    );
  }

  revoke(projectId: string, subject: string, reason: string, metadata: RequestMetadata): Promise<CommandResult> {
    return this.commands.handle(
      ACCESS_STREAM,
      accessDecider,
      { type: 'RevokeAccess', data: { projectId, subject, reason }, metadata },
      async () => ({}),
      { projectId, metadata },
    );
  }

  async issueApiKey(name: string, expiresAt: string | undefined, metadata: RequestMetadata): Promise<IssuedApiKey> {
    const keyId = uuidv7();
    const secret = randomBytes(32).toString('base64url');
    const result = await this.commands.handle(
      ACCESS_STREAM,
      accessDecider,
      {
        type: 'IssueApiKey',
        data: { keyId, name, secretHash: sha256(secret), ...(expiresAt === undefined ? {} : { expiresAt }) },
        metadata,
      },
      async () => ({}),
      { metadata },
    );
    return { keyId, subject: `service:${name}`, key: `${KEY_PREFIX}${keyId}.${secret}`, expiresAt: expiresAt ?? null, result };
  }

  revokeApiKey(keyId: string, reason: string, metadata: RequestMetadata): Promise<CommandResult> {
    return this.commands.handle(
      ACCESS_STREAM,
      accessDecider,
      { type: 'RevokeApiKey', data: { keyId, reason }, metadata },
      async () => ({}),
      { metadata },
    );
  }

  /**
   * Who may do what now. This process's own changes apply at once (they update the cache as they
   * are written); changes made by other processes are picked up within `refreshMs`.
   */
  async current(): Promise<AccessState> {
    const cached = this.commands.cache.get<AccessState>(ACCESS_STREAM);
    if (cached && this.clock() - this.checkedAt < this.refreshMs) return cached.state;
    // One look at the store at a time, however many requests wait for it.
    this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async refresh(): Promise<AccessState> {
    const revision = await this.store.streamRevision(ACCESS_STREAM);
    const cached = this.commands.cache.get<AccessState>(ACCESS_STREAM);
    const state = cached && cached.revision === revision ? cached.state : (await this.commands.load(ACCESS_STREAM, accessDecider)).state;
    this.checkedAt = this.clock();
    return state;
  }

  /** The active key a presented `plk_…` key stands for, or undefined (unknown, wrong secret, revoked or expired). */
  async verifyApiKey(presented: string): Promise<ApiKey | undefined> {
    const match = /^plk_([A-Za-z0-9-]{1,100})\.([A-Za-z0-9_-]{20,200})$/.exec(presented);
    if (!match) return undefined;
    const key = (await this.current()).apiKeys.get(match[1]);
    if (!key || key.revoked) return undefined;
    if (key.expiresAt !== undefined && Date.parse(key.expiresAt) <= this.clock()) return undefined;
    const expected = Buffer.from(key.secretHash, 'hex');
    const actual = Buffer.from(sha256(match[2]), 'hex');
    return timingSafeEqual(expected, actual) ? key : undefined;
  }
}
