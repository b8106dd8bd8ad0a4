import ipaddr from 'ipaddr.js';

/**
 * One entry of OUTBOUND_ALLOW: a host name (`hooks.intranet.example`), an address (`10.0.0.7`,
 * `fd00::7`) or a range (`10.20.0.0/16`), each optionally with a port (`10.0.0.7:8080`,
 * `[fd00::7]:8080`, `hooks.intranet.example:8443`). Without a port, any port.
 */
export type OutboundAllowEntry =
  { kind: 'host'; host: string; port?: number } | { kind: 'range'; range: [ipaddr.IPv4 | ipaddr.IPv6, number]; port?: number };

/** Parses a comma-separated OUTBOUND_ALLOW; returns an error message naming the bad entry instead of throwing. */
export function parseOutboundAllow(value: string | undefined): OutboundAllowEntry[] | { error: string } {
  const entries: OutboundAllowEntry[] = [];
  for (const raw of (value ?? '').split(',').map((e) => e.trim())) {
    if (raw === '') continue;
    const entry = parseEntry(raw);
    if (!entry) return { error: `has an entry "${raw}" that is not a host name, an address or a range (CIDR), with an optional :port` };
    entries.push(entry);
  }
  return entries;
}

function parseEntry(raw: string): OutboundAllowEntry | undefined {
  let body = raw;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(raw);
  if (bracketed) {
    body = bracketed[1];
    port = bracketed[2] === undefined ? undefined : Number(bracketed[2]);
  } else if (!raw.includes('::') && /^[^:]+:\d+$/.test(raw)) {
    const at = raw.lastIndexOf(':');
    body = raw.slice(0, at);
    port = Number(raw.slice(at + 1));
  }
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) return undefined;
  const withPort = port === undefined ? {} : { port };
  if (body.includes('/')) {
    try {
      return { kind: 'range', range: ipaddr.parseCIDR(body), ...withPort };
    } catch {
      return undefined;
    }
  }
  // Only the canonical forms count as addresses here: the URL parser turns 0177.1 and 2130706433 into 127.0.0.1.
  if (ipaddr.IPv4.isValidFourPartDecimal(body) || (body.includes(':') && ipaddr.IPv6.isValid(body))) {
    const address = ipaddr.parse(body);
    return { kind: 'range', range: [address, address.kind() === 'ipv4' ? 32 : 128], ...withPort };
  }
  if (/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(body))
    return { kind: 'host', host: body.toLowerCase(), ...withPort };
  return undefined;
}
