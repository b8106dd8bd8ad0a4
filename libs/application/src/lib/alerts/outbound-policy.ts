import type { OutboundAllowEntry, PlanLedgerConfig } from '@planledger/config';
import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/** Where alert deliveries may go: https (http where allowed), public addresses, and what the allow-list names. */
export interface OutboundPolicy {
  allowHttp: boolean;
  allow: readonly OutboundAllowEntry[];
}

export const outboundPolicyOf = (config: Pick<PlanLedgerConfig, 'OUTBOUND_ALLOW_HTTP' | 'outboundAllow'>): OutboundPolicy => ({
  allowHttp: config.OUTBOUND_ALLOW_HTTP,
  allow: config.outboundAllow,
});

/**
 * Why a delivery did not happen, in a few fixed words: delivery records, the feed and the worker
 * log carry this category (and an HTTP status), never a receiver's answer or the URL.
 */
export type OutboundCategory =
  | 'scheme-refused'
  | 'credentials-in-url'
  | 'address-refused'
  | 'redirect-refused'
  | 'name-not-found'
  | 'connect-failed'
  | 'timeout'
  | 'client-error'
  | 'server-error'
  | 'robot-refused';

/** A destination refused by the outbound policy, or a delivery that failed, with its category. */
export class OutboundRefused extends Error {
  readonly code = 'DESTINATION_REFUSED';
  constructor(
    readonly category: OutboundCategory,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'OutboundRefused';
  }
}

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '').toLowerCase();
const defaultPort = (url: URL) => (url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80);

/** The allow-list names this host (by name), on this port. */
export function hostAllowed(host: string, port: number, policy: OutboundPolicy): boolean {
  const name = bare(host);
  return policy.allow.some((e) => e.kind === 'host' && e.host === name && (e.port === undefined || e.port === port));
}

/**
 * Why a resolved address may not be connected to (the name of its range, such as `loopback`,
 * `private`, `linkLocal`, `uniqueLocal`, `ipv4Mapped`), or undefined when it may: only public
 * unicast addresses, unless the allow-list names the address or its range (and port).
 */
export function addressRefusal(address: string, port: number, policy: OutboundPolicy): string | undefined {
  if (!ipaddr.isValid(address)) return 'not an address';
  const parsed = ipaddr.parse(address);
  const allowed = policy.allow.some(
    (e) => e.kind === 'range' && e.range[0].kind() === parsed.kind() && parsed.match(e.range) && (e.port === undefined || e.port === port),
  );
  if (allowed) return undefined;
  const range = parsed.range();
  return range === 'unicast' ? undefined : range;
}

/**
 * Checks a destination URL before any lookup: https only (http when OUTBOUND_ALLOW_HTTP is on), no
 * user or password in it, and no literal address or `localhost` name the policy refuses. Throws
 * OutboundRefused naming the problem. The addresses a name resolves to are checked at connect time.
 */
export function checkDestination(url: string, policy: OutboundPolicy): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OutboundRefused('scheme-refused', 'the destination is not a URL');
  }
  if (parsed.username || parsed.password)
    throw new OutboundRefused(
      'credentials-in-url',
      'the destination URL must not carry a user name or password: receivers authenticate by the signature (or a token the robot gives in its URL path or query)',
    );
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && policy.allowHttp))
    throw new OutboundRefused(
      'scheme-refused',
      policy.allowHttp ? 'the destination must be an http(s) URL' : 'the destination must be an https URL (OUTBOUND_ALLOW_HTTP is off)',
    );
  checkHost(parsed.hostname, defaultPort(parsed), policy);
  return parsed;
}

/**
 * Refuses a literal address in a refused range, or a `localhost` name, unless the allow-list names
 * it. (The URL parser has already turned decimal, octal and hex forms such as 2130706433 and
 * 0177.1 into dotted quads.) Names are otherwise checked by their resolved addresses.
 */
export function checkHost(hostname: string, port: number, policy: OutboundPolicy): void {
  const host = bare(hostname);
  if (hostAllowed(host, port, policy)) return;
  if (isIP(host)) {
    const range = addressRefusal(host, port, policy);
    if (range) throw new OutboundRefused('address-refused', `the destination's address is in a refused range (${range})`);
  } else if (host === 'localhost' || host.endsWith('.localhost')) {
    throw new OutboundRefused('address-refused', 'the destination names this machine (localhost)');
  }
}
