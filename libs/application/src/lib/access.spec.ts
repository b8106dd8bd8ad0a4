import { sampleCharter } from '@planledger/contracts/testing';
import { InMemoryEventStore } from '@planledger/event-store';
import { Access } from './access';
import { Planning, type RequestMetadata } from './planning';

const meta: RequestMetadata = { actor: 'user:admin', now: new Date().toISOString(), correlationId: 'req-1' };

describe('access', () => {
  let store: InMemoryEventStore;
  let now: number;
  let here: Access;
  let there: Access;
  beforeEach(async () => {
    store = new InMemoryEventStore();
    now = Date.now();
    here = new Access(store, undefined, 1000, () => now);
    there = new Access(store, undefined, 1000, () => now);
    await new Planning(store).openProject('p1', { ...sampleCharter, description: '' }, meta);
  });

  it('verifies an issued key by its secret, and nothing else', async () => {
    const issued = await here.issueApiKey('crm-feed', undefined, meta);
    expect(issued.key).toMatch(/^plk_[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
    expect(await here.verifyApiKey(issued.key)).toMatchObject({ keyId: issued.keyId, subject: 'service:crm-feed' });
    expect(await here.verifyApiKey(`${issued.key.slice(0, -1)}${issued.key.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(await here.verifyApiKey('plk_nope.aaaaaaaaaaaaaaaaaaaaaaaaaaaa')).toBeUndefined();
    expect(await here.verifyApiKey('Bearer something')).toBeUndefined();
    // The secret itself is nowhere in the log.
    const [event] = await store.readStream('access');
    expect(JSON.stringify(event)).not.toContain(issued.key.split('.')[1]);
  });

  it('stops a revoked key at once in the process that revoked it, and within the refresh interval elsewhere', async () => {
    const issued = await here.issueApiKey('crm-feed', undefined, meta);
    expect(await there.verifyApiKey(issued.key)).toBeDefined();
    await here.revokeApiKey(issued.keyId, 'rotated', meta);
    expect(await here.verifyApiKey(issued.key)).toBeUndefined();
    expect(await there.verifyApiKey(issued.key)).toBeDefined();
    now += 1001;
    expect(await there.verifyApiKey(issued.key)).toBeUndefined();
  });

  it('stops an expired key', async () => {
    const issued = await here.issueApiKey('crm-feed', new Date(now + 60_000).toISOString(), meta);
    expect(await here.verifyApiKey(issued.key)).toBeDefined();
    now += 60_001;
    expect(await here.verifyApiKey(issued.key)).toBeUndefined();
  });

  it('records grants and revocations with who made them', async () => {
    await here.grant('p1', 'user:wang', 'viewer', undefined, meta);
    expect((await here.current()).grants.get('p1')?.get('user:wang')).toEqual({ role: 'viewer' });
    await here.revoke('p1', 'user:wang', 'moved team', meta);
    expect((await here.current()).grants.get('p1')?.get('user:wang')).toBeUndefined();
    const events = await store.readStream('access');
    expect(events.map((e) => [e.type, e.metadata.actor, e.metadata.projectId])).toEqual([
      ['AccessGranted', 'user:admin', 'p1'],
      ['AccessRevoked', 'user:admin', 'p1'],
    ]);
  });
});
