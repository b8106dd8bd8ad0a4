/** Which node of a KurrentDB cluster the client talks to. */
export type KurrentDbNodePreference = 'leader' | 'follower' | 'random' | 'read_only_replica';

/** A checked KurrentDB connection string, as EVENT_STORE_URL gives it. */
export interface KurrentDbLocation {
  kind: 'kurrentdb';
  /** The connection string handed to the client; a deprecated or short scheme spelled kurrentdb. */
  url: string;
  /** The node, or the cluster's gossip seeds; one DNS name with discovery. */
  hosts: { host: string; port: number }[];
  /** kurrentdb+discover://: the cluster's nodes found through DNS. */
  discover: boolean;
  nodePreference: KurrentDbNodePreference;
  /** false for a server in insecure mode (?tls=false); the client's default is true. */
  tls: boolean;
}

const SCHEMES = new Map([
  ['kurrentdb', false],
  ['kurrentdb+discover', true],
  ['kurrent', false],
  ['kurrent+discover', true],
  ['kdb', false],
  ['kdb+discover', true],
  ['esdb', false],
  ['esdb+discover', true],
]);

// The options the client reads from the query, by their name without case, "-" or "_" (as the client matches them).
const BOOLEAN_OPTIONS = ['tls', 'tlsVerifyCert'];
const NUMBER_OPTIONS = [
  'maxDiscoverAttempts',
  'discoveryInterval',
  'gossipTimeout',
  'defaultDeadline',
  'keepAliveInterval',
  'keepAliveTimeout',
];
const TEXT_OPTIONS = ['connectionName', 'tlsCAFile', 'userCertFile', 'userKeyFile'];
const OPTIONS = [...BOOLEAN_OPTIONS, ...NUMBER_OPTIONS, ...TEXT_OPTIONS, 'nodePreference'];
const NODE_PREFERENCES: Record<string, KurrentDbNodePreference> = {
  leader: 'leader',
  follower: 'follower',
  random: 'random',
  readonlyreplica: 'read_only_replica',
};
const flat = (name: string) => name.toLowerCase().replace(/[-_]/g, '');
const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const EXAMPLE = 'kurrentdb://admin:changeit@localhost:2113, or kurrentdb://localhost:2113?tls=false for a server in insecure mode';

/**
 * Checks a KurrentDB connection string as the official client reads it: a single node or a
 * cluster (several gossip seeds, `host:port,host:port`, or one DNS name with `kurrentdb+discover://`),
 * optional `user:password@`, and the client's query options. Where the client would only warn
 * (an unknown option) or misread (a cluster of seeds with +discover), this names the problem, so a
 * typo stops the process at start-up instead of being ignored.
 */
export function parseKurrentDbUrl(url: string): KurrentDbLocation | { error: string } {
  const match = /^([a-z+]+):\/\/(?:([^@/?#]*)@)?([^/?#]*)\/?(?:\?(.*))?$/i.exec(url.trim());
  const scheme = match?.[1].toLowerCase();
  if (!match || scheme === undefined || !SCHEMES.has(scheme))
    return { error: `is not a valid KurrentDB connection string (expected ${EXAMPLE})` };
  const [, , userInfo, hostList, query] = match;
  const discover = SCHEMES.get(scheme) as boolean;

  if (userInfo !== undefined && !/^[^:]+:.+$/.test(userInfo))
    return { error: 'must give credentials as user:password@ (or none, for a server in insecure mode)' };
  const hosts: KurrentDbLocation['hosts'] = [];
  for (const entry of hostList.split(',')) {
    const [host, port = '2113', ...rest] = entry.trim().split(':');
    const portNumber = Number(port);
    if (!HOST.test(host ?? '') || rest.length > 0)
      return { error: `names a host "${entry}" that is not host or host:port (expected ${EXAMPLE})` };
    if (!/^\d+$/.test(port) || portNumber < 1 || portNumber > 65535) return { error: `names a port "${port}" that is not from 1 to 65535` };
    hosts.push({ host, port: portNumber });
  }
  if (discover && hosts.length > 1)
    return {
      error: `${scheme}:// takes one DNS name for the whole cluster; list the nodes with kurrentdb://node1:2113,node2:2113 instead`,
    };

  let nodePreference: KurrentDbNodePreference = 'leader';
  let tls = true;
  for (const pair of query === undefined || query === '' ? [] : query.split('&')) {
    const [rawKey, value = ''] = pair.split('=', 2);
    const key = OPTIONS.find((option) => flat(option) === flat(rawKey));
    if (key === undefined) return { error: `has an unknown option "${rawKey}" (the client reads ${OPTIONS.join(', ')})` };
    if (value === '') return { error: `gives no value for ${key}` };
    if (BOOLEAN_OPTIONS.includes(key)) {
      if (value !== 'true' && value !== 'false') return { error: `must give ${key} as true or false (got "${value}")` };
      if (key === 'tls') tls = value === 'true';
    } else if (NUMBER_OPTIONS.includes(key)) {
      if (!/^\d+$/.test(value)) return { error: `must give ${key} as a whole number (got "${value}")` };
    } else if (key === 'nodePreference') {
      const preference = NODE_PREFERENCES[flat(value)];
      if (preference === undefined)
        return { error: `must give nodePreference as leader, follower, random or readOnlyReplica (got "${value}")` };
      nodePreference = preference;
    }
  }
  const normalised = scheme.startsWith('kurrentdb')
    ? url.trim()
    : `${discover ? 'kurrentdb+discover' : 'kurrentdb'}${url.trim().slice(scheme.length)}`;
  return { kind: 'kurrentdb', url: normalised, hosts, discover, nodePreference, tls };
}
