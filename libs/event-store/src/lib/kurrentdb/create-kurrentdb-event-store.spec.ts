import { createServer } from 'node:net';
import { parseKurrentDbUrl } from '@planledger/config';
import { parseConnectionString } from '@kurrent/kurrentdb-client/dist/Client/parseConnectionString';
import { openEventStore } from '../create-event-store';
import { createKurrentDbEventStore } from './create-kurrentdb-event-store';

async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('opening the KurrentDB event store', () => {
  it('fails with one line naming the server, without its password, when nothing answers', async () => {
    const port = await closedPort();
    const error = await createKurrentDbEventStore({ connectionString: `kurrentdb://admin:s3cret@127.0.0.1:${port}?tls=false` }).catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(
      new RegExp(
        `^Cannot reach the KurrentDB event store at kurrentdb://admin:\\*\\*\\*@127\\.0\\.0\\.1:${port}\\?tls=false: .*UNAVAILABLE`,
      ),
    );
    expect(message).toContain('is the server running, and does tls=false match a server in insecure mode?');
    expect(message).not.toContain('s3cret');
    expect(message).not.toContain('\n');
  }, 30_000);

  it('is what EVENT_STORE_URL=kurrentdb://… opens', async () => {
    const location = parseKurrentDbUrl(`kurrentdb://127.0.0.1:${await closedPort()}?tls=false`);
    if ('error' in location) throw new Error(location.error);
    await expect(openEventStore(location)).rejects.toThrow(
      /^Cannot reach the KurrentDB event store at kurrentdb:\/\/127\.0\.0\.1:\d+\?tls=false: /,
    );
  }, 30_000);

  it('names a connection string the client cannot read', async () => {
    await expect(createKurrentDbEventStore({ connectionString: 'kurrentdb://a:1:2' })).rejects.toThrow(
      /^Invalid KurrentDB connection string kurrentdb:\/\/a:1:2: /,
    );
  });

  // The configuration checks connection strings itself, so that a typo stops start-up with one line;
  // what it accepts must read the same to the client.
  it.each([
    'kurrentdb://admin:changeit@localhost:2113?tls=false',
    'kurrentdb://admin:changeit@node1:2113,node2:2114,10.0.0.3:2113?nodePreference=follower&tlsVerifyCert=false',
    'kurrentdb+discover://admin:changeit@cluster.dns.name:2113?nodePreference=readOnlyReplica&defaultDeadline=5000',
    'kurrentdb://db?keepAliveInterval=10000&keepAliveTimeout=10000&gossipTimeout=5&maxDiscoverAttempts=10&discoveryInterval=100',
    'esdb://localhost:2113?tls=false&nodePreference=random',
  ])('reads %s as the client does', (url) => {
    const ours = parseKurrentDbUrl(url);
    if ('error' in ours) throw new Error(ours.error);
    const client = parseConnectionString(ours.url);
    expect(client.hosts).toEqual(ours.hosts.map((h) => ({ address: h.host, port: h.port })));
    expect(client.dnsDiscover).toBe(ours.discover);
    expect(client.nodePreference ?? 'leader').toBe(ours.nodePreference);
    expect(client.tls ?? true).toBe(ours.tls);
  });
});
