import { ConfigError, loadConfig } from './config.schema';
import { parseKurrentDbUrl } from './kurrentdb-url';

const single = { kind: 'kurrentdb', discover: false, nodePreference: 'leader', tls: true };

describe('KurrentDB connection strings in EVENT_STORE_URL', () => {
  it.each([
    [
      'kurrentdb://admin:changeit@localhost:2113?tls=false',
      { ...single, url: 'kurrentdb://admin:changeit@localhost:2113?tls=false', hosts: [{ host: 'localhost', port: 2113 }], tls: false },
    ],
    ['kurrentdb://db.internal', { ...single, url: 'kurrentdb://db.internal', hosts: [{ host: 'db.internal', port: 2113 }] }],
    [
      'kurrentdb://admin:changeit@node1:2113,node2:2113,10.0.0.3:2114?nodePreference=follower&tlsVerifyCert=false',
      {
        ...single,
        url: 'kurrentdb://admin:changeit@node1:2113,node2:2113,10.0.0.3:2114?nodePreference=follower&tlsVerifyCert=false',
        hosts: [
          { host: 'node1', port: 2113 },
          { host: 'node2', port: 2113 },
          { host: '10.0.0.3', port: 2114 },
        ],
        nodePreference: 'follower',
      },
    ],
    [
      'kurrentdb+discover://admin:changeit@cluster.dns.name:2113?nodepreference=READ_ONLY_REPLICA',
      {
        ...single,
        url: 'kurrentdb+discover://admin:changeit@cluster.dns.name:2113?nodepreference=READ_ONLY_REPLICA',
        hosts: [{ host: 'cluster.dns.name', port: 2113 }],
        discover: true,
        nodePreference: 'read_only_replica',
      },
    ],
    [
      'esdb://localhost:2113?tls=false',
      { ...single, url: 'kurrentdb://localhost:2113?tls=false', hosts: [{ host: 'localhost', port: 2113 }], tls: false },
    ],
    [
      'kdb+discover://cluster:2113/?nodePreference=random&defaultDeadline=5000&connectionName=planledger-api',
      {
        ...single,
        url: 'kurrentdb+discover://cluster:2113/?nodePreference=random&defaultDeadline=5000&connectionName=planledger-api',
        hosts: [{ host: 'cluster', port: 2113 }],
        discover: true,
        nodePreference: 'random',
      },
    ],
  ])('reads %s', (url, location) => {
    expect(parseKurrentDbUrl(url)).toEqual(location);
    expect(loadConfig({ EVENT_STORE_URL: url }).eventStore).toEqual(location);
  });

  it.each([
    ['kurrentdb://', /names a host "" that is not host or host:port/],
    ['kurrentdb://admin@localhost:2113', /must give credentials as user:password@/],
    ['kurrentdb://localhost:99999', /names a port "99999" that is not from 1 to 65535/],
    ['kurrentdb://local host:2113', /names a host "local host:2113"/],
    ['kurrentdb://[::1]:2113', /names a host/],
    ['kurrentdb+discover://node1:2113,node2:2113', /takes one DNS name for the whole cluster; list the nodes with kurrentdb:\/\//],
    ['kurrentdb://localhost:2113?tls=no', /must give tls as true or false \(got "no"\)/],
    [
      'kurrentdb://localhost:2113?nodePreference=primary',
      /must give nodePreference as leader, follower, random or readOnlyReplica \(got "primary"\)/,
    ],
    ['kurrentdb://localhost:2113?tsl=false', /has an unknown option "tsl"/],
    ['kurrentdb://localhost:2113?throwOnAppendFailure=false', /has an unknown option "throwOnAppendFailure"/],
    ['kurrentdb://localhost:2113?gossipTimeout=soon', /must give gossipTimeout as a whole number/],
    ['kurrentdb://localhost:2113?tls=', /gives no value for tls/],
  ])('stops on EVENT_STORE_URL=%s with one line naming the problem, without the password', (url, message) => {
    let error: unknown;
    try {
      loadConfig({ EVENT_STORE_URL: url.includes('@') ? url : url.replace('://', '://admin:s3cret@') });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^Invalid configuration: EVENT_STORE_URL /);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('s3cret');
    expect((error as Error).message).not.toContain('\n');
  });

  it('runs the projections inside the API on KurrentDB, whose read models live in each process, unless told otherwise', () => {
    expect(loadConfig({ EVENT_STORE_URL: 'kurrentdb://localhost:2113?tls=false' }).WORKER_IN_PROCESS).toBe(true);
    expect(loadConfig({ EVENT_STORE_URL: 'kurrentdb://localhost:2113?tls=false', WORKER_IN_PROCESS: 'false' }).WORKER_IN_PROCESS).toBe(
      false,
    );
    expect(loadConfig({ EVENT_STORE_URL: 'kurrentdb://localhost:2113?tls=false' }).DEMO_ON_FIRST_START).toBe(false);
  });
});
