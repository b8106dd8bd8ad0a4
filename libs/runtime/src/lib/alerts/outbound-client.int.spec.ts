import { OutboundRefused, type OutboundPolicy } from '@planledger/application';
import { parseOutboundAllow, type OutboundAllowEntry } from '@planledger/config';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { OutboundClient, type Resolver } from './outbound-client';

/** A listener that counts every connection made to it, whatever is said on it. */
class Listener {
  connections = 0;
  readonly server: TcpServer | Server;
  /** With an answer, an HTTP server giving it; without, a bare TCP listener (Redis, say). */
  constructor(answer?: { status: number; headers?: Record<string, string> }) {
    if (answer) {
      this.server = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(answer.status, answer.headers);
          res.end('{"ok":true}');
        });
      });
    } else this.server = createTcpServer((socket) => socket.destroy());
    this.server.on('connection', () => (this.connections += 1));
  }
  async listen(host: string): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, host, resolve));
    return (this.server.address() as AddressInfo).port;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const allow = (value: string): OutboundAllowEntry[] => {
  const parsed = parseOutboundAllow(value);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
};

/** A resolver that answers our names as a DNS server would, and the system's for the rest. */
const names: Record<string, string[]> = {
  'loopback.test': ['127.0.0.1'],
  'mixed.test': ['93.184.216.34', '127.0.0.1'],
  'metadata.test': ['169.254.169.254'],
};
const resolver: Resolver = (host, callback) => {
  const known = names[host];
  if (known)
    callback(
      null,
      known.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  else callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
};

const client = (policy: Partial<OutboundPolicy> = {}) =>
  new OutboundClient({ policy: { allowHttp: true, allow: [], ...policy }, timeoutMs: 2000, maxResponseBytes: 4096, resolver });

const refusal = async (promise: Promise<unknown>): Promise<OutboundRefused> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OutboundRefused) return error;
    throw error;
  }
  throw new Error('the request went through');
};

let v4: Listener;
let v6: Listener;
let redisLike: Listener;
let receiver: Listener;
let redirecting: Listener;
let p4 = 0;
let p6 = 0;
let redisPort = 0;
let receiverPort = 0;
let redirectPort = 0;

beforeAll(async () => {
  v4 = new Listener();
  p4 = await v4.listen('127.0.0.1');
  v6 = new Listener();
  p6 = await v6.listen('::1');
  redisLike = new Listener();
  redisPort = await redisLike.listen('127.0.0.1');
  receiver = new Listener({ status: 200 });
  receiverPort = await receiver.listen('127.0.0.1');
  redirecting = new Listener({ status: 302, headers: { location: 'http://127.0.0.1:6379/' } });
  redirectPort = await redirecting.listen('127.0.0.1');
});

afterAll(async () => {
  await Promise.all([v4, v6, redisLike, receiver, redirecting].map((l) => l?.close()));
});

beforeEach(() => {
  for (const l of [v4, v6, redisLike, receiver, redirecting]) l.connections = 0;
});

describe('the outbound client', () => {
  // Every form that reaches this machine, each with the listener that would take the connection.
  const loopbackForms: [string, () => string, () => Listener][] = [
    ['IPv4 loopback', () => `http://127.0.0.1:${p4}/hook`, () => v4],
    ['IPv4 loopback, short form', () => `http://127.1:${p4}/hook`, () => v4],
    ['IPv4 loopback, decimal', () => `http://2130706433:${p4}/hook`, () => v4],
    ['IPv4 loopback, octal', () => `http://0177.0.0.1:${p4}/hook`, () => v4],
    ['IPv4 loopback, hex', () => `http://0x7f.0.0.1:${p4}/hook`, () => v4],
    ['unspecified 0.0.0.0 (reaches loopback on Linux)', () => `http://0.0.0.0:${p4}/hook`, () => v4],
    ['IPv6 loopback', () => `http://[::1]:${p6}/hook`, () => v6],
    ['IPv6 unspecified', () => `http://[::]:${p6}/hook`, () => v6],
    ['IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${p4}/hook`, () => v4],
    ['localhost', () => `http://localhost:${p4}/hook`, () => v4],
    ['a sub-name of localhost', () => `http://api.localhost:${p4}/hook`, () => v4],
    ['a name that resolves to loopback', () => `http://loopback.test:${p4}/hook`, () => v4],
    ['a name with a public and a loopback address', () => `http://mixed.test:${p4}/hook`, () => v4],
  ];
  it.each(loopbackForms)('refuses %s before connecting', async (_kind, url, listener) => {
    const refused = await refusal(client().post(url(), {}, '{}'));
    expect(refused.category).toBe('address-refused');
    expect(listener().connections).toBe(0);
  });

  // Addresses no test listener can hold: the refusal must come from the rule (its category), not from a failed connection.
  it.each([
    ['link-local (cloud metadata)', 'http://169.254.169.254/latest/meta-data/'],
    ['a name resolving to the metadata address', 'http://metadata.test/latest/'],
    ['private 10/8', 'http://10.1.2.3/hook'],
    ['private 172.16/12', 'http://172.16.0.1/hook'],
    ['private 192.168/16', 'http://192.168.1.1/hook'],
    ['carrier-grade NAT', 'http://100.64.0.1/hook'],
    ['multicast', 'http://224.0.0.1/hook'],
    ['broadcast', 'http://255.255.255.255/hook'],
    ['documentation (TEST-NET-1)', 'http://192.0.2.10/hook'],
    ['benchmarking', 'http://198.18.0.1/hook'],
    ['IPv6 unique-local', 'http://[fd00::1]/hook'],
    ['IPv6 link-local', 'http://[fe80::1]/hook'],
    ['IPv6 multicast', 'http://[ff02::1]/hook'],
    ['IPv6 documentation', 'http://[2001:db8::1]/hook'],
    ['IPv4-mapped private', 'http://[::ffff:10.0.0.1]/hook'],
    ['NAT64 of loopback', 'http://[64:ff9b::7f00:1]/hook'],
    ['6to4 of loopback', 'http://[2002:7f00:1::1]/hook'],
  ])('refuses %s by its range', async (_kind, url) => {
    const refused = await refusal(client().post(url, {}, '{}'));
    expect(refused.category).toBe('address-refused');
    expect(refused.message).not.toContain(new URL(url).hostname);
  });

  it('refuses http:// unless OUTBOUND_ALLOW_HTTP is on, and URLs with credentials', async () => {
    const allowed = allow(`127.0.0.1:${receiverPort}`);
    expect((await refusal(client({ allowHttp: false, allow: allowed }).post(`http://127.0.0.1:${receiverPort}/`, {}, '{}'))).category).toBe(
      'scheme-refused',
    );
    expect((await refusal(client({ allow: allowed }).post(`http://user:secret@127.0.0.1:${receiverPort}/`, {}, '{}'))).category).toBe(
      'credentials-in-url',
    );
    expect(receiver.connections).toBe(0);
  });

  it('does not follow a redirect from an allowed receiver to 127.0.0.1:6379', async () => {
    const refused = await refusal(
      client({ allow: allow(`127.0.0.1:${redirectPort}`) }).post(`http://127.0.0.1:${redirectPort}/`, {}, '{}'),
    );
    expect(refused).toMatchObject({ category: 'redirect-refused', status: 302 });
    expect(redirecting.connections).toBe(1);
  });

  it('does not follow a redirect to a listener of its own either', async () => {
    const elsewhere = new Listener({ status: 307, headers: { location: `http://127.0.0.1:${redisPort}/` } });
    const port = await elsewhere.listen('127.0.0.1');
    try {
      const refused = await refusal(client({ allow: allow(`127.0.0.1:${port}`) }).post(`http://127.0.0.1:${port}/`, {}, '{}'));
      expect(refused).toMatchObject({ category: 'redirect-refused', status: 307 });
      expect(redisLike.connections).toBe(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('lets exactly the receiver the allow-list names through', async () => {
    const only = client({ allow: allow(`127.0.0.1:${receiverPort}`) });
    await expect(only.post(`http://127.0.0.1:${receiverPort}/hook`, {}, '{}')).resolves.toMatchObject({ status: 200 });
    expect(receiver.connections).toBe(1);
    // Same address, another port; the name localhost; a name resolving to the allowed address on another port.
    for (const url of [`http://127.0.0.1:${p4}/`, `http://localhost:${receiverPort}/`, `http://loopback.test:${p4}/`])
      expect((await refusal(only.post(url, {}, '{}'))).category).toBe('address-refused');
    expect(v4.connections).toBe(0);
    expect(receiver.connections).toBe(1);
  });

  it('lets a receiver named by host name through, on its port only', async () => {
    const byName = client({ allow: allow(`loopback.test:${receiverPort}`) });
    await expect(byName.post(`http://loopback.test:${receiverPort}/`, {}, '{}')).resolves.toMatchObject({ status: 200 });
    expect((await refusal(byName.post(`http://loopback.test:${p4}/`, {}, '{}'))).category).toBe('address-refused');
    expect(v4.connections).toBe(0);
  });

  it('answers a receiver error with its status and category, never its body', async () => {
    const failing = new Listener({ status: 500 });
    const port = await failing.listen('127.0.0.1');
    try {
      const refused = await refusal(client({ allow: allow(`127.0.0.1:${port}`) }).post(`http://127.0.0.1:${port}/`, {}, '{}'));
      expect(refused).toMatchObject({ category: 'server-error', status: 500 });
      expect(refused.message).not.toMatch(/ok|127\.0\.0\.1/);
    } finally {
      await failing.close();
    }
  });

  it('reads no more of an answer than the cap', async () => {
    const big = createServer((req, res) => {
      req.resume();
      res.writeHead(200);
      res.end('x'.repeat(1_000_000));
    });
    await new Promise<void>((resolve) => big.listen(0, '127.0.0.1', resolve));
    const port = (big.address() as AddressInfo).port;
    try {
      const answer = await client({ allow: allow(`127.0.0.1:${port}`) }).post(`http://127.0.0.1:${port}/`, {}, '{}');
      expect(answer.body.length).toBe(4096);
    } finally {
      await new Promise((resolve) => big.close(resolve));
    }
  });

  it('gives up after its deadline', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const slow = new OutboundClient({
        policy: { allowHttp: true, allow: allow(`127.0.0.1:${port}`) },
        timeoutMs: 200,
        maxResponseBytes: 4096,
      });
      expect((await refusal(slow.post(`http://127.0.0.1:${port}/`, {}, '{}'))).category).toBe('timeout');
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('holds the mail server to the same rule', async () => {
    expect((await refusal(client().socket('127.0.0.1', p4))).category).toBe('address-refused');
    expect((await refusal(client().socket('localhost', p4))).category).toBe('address-refused');
    expect(v4.connections).toBe(0);
    const socket = await client({ allow: allow(`127.0.0.1:${p4}`) }).socket('127.0.0.1', p4);
    socket.destroy();
    expect(v4.connections).toBe(1);
  });
});
