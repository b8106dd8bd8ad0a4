import { createPostgresEventStore, sqlClientOf, type EventStore } from '@planledger/event-store';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { MemorySignInStore, SqlSignInStore, type SignInStore, type StoredSession } from './session-store';

const url = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@/test?host=/var/run/postgresql';
const schema = `pl_signin_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
let store: EventStore;

beforeAll(async () => {
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  // Opening the event store applies the migrations, the sign-in tables among them.
  store = await createPostgresEventStore({ connectionString: url, pool: { options: `-c search_path=${schema}` } });
});
afterAll(async () => {
  await store?.close();
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 9, minute));
const session = (subject: string, minute: number, overrides: Partial<StoredSession> = {}): StoredSession => ({
  sessionId: randomUUID(),
  subject,
  via: 'password',
  csrfToken: `csrf-${randomUUID()}`,
  keyId: null,
  name: '王伟',
  userAgent: 'jest',
  createdAt: at(minute),
  lastSeenAt: at(minute),
  expiresAt: at(minute + 60),
  ...overrides,
});

describe.each([
  ['PostgreSQL', () => new SqlSignInStore(sqlClientOf(store) as NonNullable<ReturnType<typeof sqlClientOf>>)],
  ['memory', () => new MemorySignInStore()],
] as [string, () => SignInStore][])('the sign-in store on %s', (_, open) => {
  let signIn: SignInStore;
  beforeEach(() => (signIn = open()));

  it('finds a session by the hash of its secret only, touches it and ends it', async () => {
    const alice = session(`user:alice-${randomUUID()}`, 0, { keyId: 'k1' });
    await signIn.createSession('hash-a', alice);
    expect(await signIn.findSession('hash-a')).toEqual(alice);
    expect(await signIn.findSession(alice.sessionId)).toBeUndefined();
    await signIn.touchSession('hash-a', at(5));
    expect((await signIn.findSession('hash-a'))?.lastSeenAt).toEqual(at(5));
    await signIn.deleteSession('hash-a');
    expect(await signIn.findSession('hash-a')).toBeUndefined();
  });

  it('lists and revokes a person’s sessions by their public ids, one or all', async () => {
    const subject = `user:bob-${randomUUID()}`;
    const [first, second, third] = [session(subject, 0), session(subject, 1), session(subject, 2)];
    await signIn.createSession(`h1-${subject}`, first);
    await signIn.createSession(`h2-${subject}`, second);
    await signIn.createSession(`h3-${subject}`, third);
    await signIn.createSession(`h4-${subject}`, session('user:someone-else', 0));
    expect((await signIn.sessionsOf(subject)).map((s) => s.sessionId)).toEqual([first.sessionId, second.sessionId, third.sessionId]);
    expect((await signIn.revokeSession(second.sessionId))?.subject).toBe(subject);
    expect(await signIn.revokeSession(second.sessionId)).toBeUndefined();
    // An id that is not a UUID names no session (the fuzz once sent `constructor`: a 500 from the uuid column).
    expect(await signIn.revokeSession('constructor')).toBeUndefined();
    expect(await signIn.findSession(`h2-${subject}`)).toBeUndefined();
    expect(await signIn.revokeSessionsOf(subject)).toBe(2);
    expect(await signIn.sessionsOf(subject)).toEqual([]);
    expect(await signIn.findSession(`h4-${subject}`)).toBeDefined();
  });

  it('purges sessions idle too long or past their end, and keeps the others', async () => {
    const subject = `user:carol-${randomUUID()}`;
    await signIn.createSession(`idle-${subject}`, session(subject, 0));
    await signIn.createSession(`ended-${subject}`, session(subject, 30, { expiresAt: at(40) }));
    await signIn.createSession(`live-${subject}`, session(subject, 30));
    await signIn.purgeExpired(at(10), at(45));
    expect(await signIn.findSession(`idle-${subject}`)).toBeUndefined();
    expect(await signIn.findSession(`ended-${subject}`)).toBeUndefined();
    expect(await signIn.findSession(`live-${subject}`)).toBeDefined();
  });

  it('keeps one password hash per account, replaced when it changes', async () => {
    const account = randomUUID();
    expect(await signIn.passwordHash(account)).toBeUndefined();
    await signIn.setPasswordHash(account, '$argon2id$first', at(0));
    await signIn.setPasswordHash(account, '$argon2id$second', at(1));
    expect(await signIn.passwordHash(account)).toBe('$argon2id$second');
  });
});
