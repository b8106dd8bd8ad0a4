import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A local HTTP endpoint that records every request it is sent (a webhook receiver in tests). */
export class Receiver {
  readonly received: Received[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        this.received.push({ path: req.url ?? '', headers: req.headers, body, at: Date.now() });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /**
   * The settings that let deliveries reach this receiver, and nothing else on this machine: plain
   * http, and its own address and port on the allow-list (loopback is refused otherwise).
   */
  get allowed(): { OUTBOUND_ALLOW_HTTP: string; OUTBOUND_ALLOW: string } {
    return { OUTBOUND_ALLOW_HTTP: 'true', OUTBOUND_ALLOW: new URL(this.url).host };
  }

  /** How many times each Idempotency-Key arrived. */
  keys(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.received) {
      const key = String(r.headers['idempotency-key']);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls until `probe` answers something other than undefined or false. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
