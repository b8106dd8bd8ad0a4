import type { SqlClient } from '@planledger/event-store';
import { validate as isUuid } from 'uuid';

/** A browser session as kept on the server. The secret in the cookie is never stored, only its SHA-256. */
export interface StoredSession {
  /** The public id an admin sees and revokes by; never accepted as a credential. */
  sessionId: string;
  subject: string;
  /** How the person signed in: password, oidc, token, link. */
  via: string;
  csrfToken: string;
  /** The API key a token sign-in exchanged: revoking the key ends the session. */
  keyId: string | null;
  /** The person's name from the identity provider, when it gave one. */
  name: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  /** The absolute end; the idle end is lastSeenAt plus the idle lifetime. */
  expiresAt: Date;
}

/** Where sessions and local account password hashes live: beside the events in SQL, or in memory. */
export interface SignInStore {
  readonly durable: boolean;
  createSession(secretHash: string, session: StoredSession): Promise<void>;
  findSession(secretHash: string): Promise<StoredSession | undefined>;
  touchSession(secretHash: string, at: Date): Promise<void>;
  deleteSession(secretHash: string): Promise<void>;
  /** Deletes by the public id; answers whether one was there. */
  revokeSession(sessionId: string): Promise<StoredSession | undefined>;
  revokeSessionsOf(subject: string): Promise<number>;
  sessionsOf(subject: string): Promise<StoredSession[]>;
  /** Deletes the sessions past either end; answers how many. */
  purgeExpired(idleBefore: Date, now: Date): Promise<number>;
  passwordHash(accountId: string): Promise<string | undefined>;
  setPasswordHash(accountId: string, hash: string, at: Date): Promise<void>;
}

const COLUMNS = `session_id, subject, via, csrf_token, key_id, name, user_agent, created_at, last_seen_at, expires_at`;
type Row = {
  session_id: string;
  subject: string;
  via: string;
  csrf_token: string;
  key_id: string | null;
  name: string | null;
  user_agent: string | null;
  created_at: Date | string;
  last_seen_at: Date | string;
  expires_at: Date | string;
};

function fromRow(row: Row): StoredSession {
  return {
    sessionId: row.session_id,
    subject: row.subject,
    via: row.via,
    csrfToken: row.csrf_token,
    keyId: row.key_id,
    name: row.name,
    userAgent: row.user_agent,
    createdAt: new Date(row.created_at),
    lastSeenAt: new Date(row.last_seen_at),
    expiresAt: new Date(row.expires_at),
  };
}

/** PostgreSQL or PGlite: the tables of migration 3. */
export class SqlSignInStore implements SignInStore {
  readonly durable = true;

  constructor(private readonly sql: SqlClient) {}

  async createSession(secretHash: string, s: StoredSession): Promise<void> {
    await this.sql.query(`INSERT INTO pl_sessions (secret_hash, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, [
      secretHash,
      s.sessionId,
      s.subject,
      s.via,
      s.csrfToken,
      s.keyId,
      s.name,
      s.userAgent,
      s.createdAt,
      s.lastSeenAt,
      s.expiresAt,
    ]);
  }

  async findSession(secretHash: string): Promise<StoredSession | undefined> {
    const rows = await this.sql.query<Row>(`SELECT ${COLUMNS} FROM pl_sessions WHERE secret_hash = $1`, [secretHash], 'pl_session_find');
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  async touchSession(secretHash: string, at: Date): Promise<void> {
    await this.sql.query('UPDATE pl_sessions SET last_seen_at = $2 WHERE secret_hash = $1', [secretHash, at], 'pl_session_touch');
  }

  async deleteSession(secretHash: string): Promise<void> {
    await this.sql.query('DELETE FROM pl_sessions WHERE secret_hash = $1', [secretHash]);
  }

  async revokeSession(sessionId: string): Promise<StoredSession | undefined> {
    // Session ids are UUIDs: anything else names no session, and must not reach the uuid column.
    if (!isUuid(sessionId)) return undefined;
    const rows = await this.sql.query<Row>(`DELETE FROM pl_sessions WHERE session_id = $1 RETURNING ${COLUMNS}`, [sessionId]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  async revokeSessionsOf(subject: string): Promise<number> {
    return (await this.sql.query('DELETE FROM pl_sessions WHERE subject = $1 RETURNING session_id', [subject])).length;
  }

  async sessionsOf(subject: string): Promise<StoredSession[]> {
    const rows = await this.sql.query<Row>(`SELECT ${COLUMNS} FROM pl_sessions WHERE subject = $1 ORDER BY created_at`, [subject]);
    return rows.map(fromRow);
  }

  async purgeExpired(idleBefore: Date, now: Date): Promise<number> {
    const rows = await this.sql.query('DELETE FROM pl_sessions WHERE last_seen_at < $1 OR expires_at <= $2 RETURNING session_id', [
      idleBefore,
      now,
    ]);
    return rows.length;
  }

  async passwordHash(accountId: string): Promise<string | undefined> {
    const rows = await this.sql.query<{ password_hash: string }>('SELECT password_hash FROM pl_account_passwords WHERE account_id = $1', [
      accountId,
    ]);
    return rows[0]?.password_hash;
  }

  async setPasswordHash(accountId: string, hash: string, at: Date): Promise<void> {
    await this.sql.query(
      `INSERT INTO pl_account_passwords (account_id, password_hash, changed_at) VALUES ($1, $2, $3)
       ON CONFLICT (account_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, changed_at = EXCLUDED.changed_at`,
      [accountId, hash, at],
    );
  }
}

/** The in-memory event store (tests) and KurrentDB, which has no tables: sessions end with the process. */
export class MemorySignInStore implements SignInStore {
  readonly durable = false;
  private readonly sessions = new Map<string, StoredSession>();
  private readonly passwords = new Map<string, string>();

  async createSession(secretHash: string, session: StoredSession): Promise<void> {
    this.sessions.set(secretHash, { ...session });
  }
  async findSession(secretHash: string): Promise<StoredSession | undefined> {
    const found = this.sessions.get(secretHash);
    return found ? { ...found } : undefined;
  }
  async touchSession(secretHash: string, at: Date): Promise<void> {
    const found = this.sessions.get(secretHash);
    if (found) found.lastSeenAt = at;
  }
  async deleteSession(secretHash: string): Promise<void> {
    this.sessions.delete(secretHash);
  }
  async revokeSession(sessionId: string): Promise<StoredSession | undefined> {
    for (const [hash, session] of this.sessions)
      if (session.sessionId === sessionId) {
        this.sessions.delete(hash);
        return session;
      }
    return undefined;
  }
  async revokeSessionsOf(subject: string): Promise<number> {
    let n = 0;
    for (const [hash, session] of this.sessions) if (session.subject === subject && this.sessions.delete(hash)) n++;
    return n;
  }
  async sessionsOf(subject: string): Promise<StoredSession[]> {
    return [...this.sessions.values()].filter((s) => s.subject === subject).sort((a, b) => +a.createdAt - +b.createdAt);
  }
  async purgeExpired(idleBefore: Date, now: Date): Promise<number> {
    let n = 0;
    for (const [hash, s] of this.sessions) if ((s.lastSeenAt < idleBefore || s.expiresAt <= now) && this.sessions.delete(hash)) n++;
    return n;
  }
  async passwordHash(accountId: string): Promise<string | undefined> {
    return this.passwords.get(accountId);
  }
  async setPasswordHash(accountId: string, hash: string): Promise<void> {
    this.passwords.set(accountId, hash);
  }
}
