import { connect, createServer, type Server, type Socket } from 'node:net';

/** One proxied connection: the client's socket, the server's, and what was held while partitioned. */
interface Link {
  client: Socket;
  server: Socket | undefined;
  /** Chunks waiting to go to the server (before it connected, or while partitioned). */
  toServer: Buffer[];
  /** Chunks waiting to go to the client while partitioned. */
  toClient: Buffer[];
  /** Set when the partition dropped traffic of this connection: it cannot go on after the heal. */
  broken: boolean;
  /** When the last delayed chunk of each direction goes out: later chunks never overtake it. */
  due: { toServer: number; toClient: number };
}

/**
 * A TCP proxy of the test's own between the processes under test and a server (PostgreSQL, or
 * the API for a client), that can add latency, cut every connection, and partition the network:
 * `hold` keeps every byte and delivers it at the heal (TCP retransmitting across a short outage),
 * `drop` discards it, and at the heal resets every connection that lost bytes (as TCP gives up).
 */
export class TcpProxy {
  private readonly links = new Set<Link>();
  private server!: Server;
  private delayMs = 0;
  private partitioned: 'hold' | 'drop' | undefined;
  private cutOnAnswer = 0;
  /** Connections accepted, and cut by `cutAll` or `cutNextAnswers`, since the start. */
  readonly counts = { connections: 0, cut: 0 };
  port = 0;

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {}

  async start(port = 0): Promise<this> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Adds this many milliseconds to every chunk in each direction (0 removes it). */
  latency(ms: number): void {
    this.delayMs = ms;
  }

  /** Resets every open connection at once, as a failing network device or a restarted pooler would. */
  cutAll(): number {
    const n = this.links.size;
    for (const link of [...this.links]) this.close(link, true);
    this.counts.cut += n;
    return n;
  }

  /**
   * Resets each of the next `n` connections the moment the server starts answering: the request
   * arrived and was acted on, the answer never reaches the client.
   */
  cutNextAnswers(n: number): void {
    this.cutOnAnswer = n;
  }

  partition(mode: 'hold' | 'drop'): void {
    this.partitioned = mode;
    // New connections wait (hold) or go nowhere (drop) until the heal.
    for (const link of this.links) {
      link.client.pause();
      link.server?.pause();
      if (mode === 'drop') link.broken = true;
    }
  }

  heal(): void {
    const mode = this.partitioned;
    this.partitioned = undefined;
    for (const link of [...this.links]) {
      if (mode === 'drop' && link.broken) {
        this.close(link, true);
        continue;
      }
      link.client.resume();
      link.server?.resume();
      if (!link.server) this.dial(link);
      else this.flush(link);
    }
  }

  get open(): number {
    return this.links.size;
  }

  async stop(): Promise<void> {
    for (const link of [...this.links]) this.close(link, true);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.counts.connections++;
    const link: Link = {
      client,
      server: undefined,
      toServer: [],
      toClient: [],
      broken: this.partitioned === 'drop',
      due: { toServer: 0, toClient: 0 },
    };
    this.links.add(link);
    client.on('data', (chunk: Buffer) => this.forward(link, 'toServer', chunk));
    client.on('error', () => this.close(link, true));
    client.on('close', () => this.close(link, false));
    if (this.partitioned) client.pause();
    else this.dial(link);
  }

  private dial(link: Link): void {
    const server = connect(this.targetPort, this.targetHost);
    link.server = server;
    server.on('connect', () => this.flush(link));
    server.on('data', (chunk: Buffer) => {
      if (this.cutOnAnswer > 0) {
        this.cutOnAnswer--;
        this.counts.cut++;
        this.close(link, true);
        return;
      }
      this.forward(link, 'toClient', chunk);
    });
    server.on('error', () => this.close(link, true));
    server.on('close', () => this.close(link, false));
  }

  private forward(link: Link, direction: 'toServer' | 'toClient', chunk: Buffer): void {
    if (this.partitioned === 'drop') return;
    if (this.partitioned === 'hold' || (direction === 'toServer' && (!link.server || link.server.connecting))) {
      link[direction].push(chunk);
      return;
    }
    const write = () => (direction === 'toServer' ? link.server?.write(chunk) : link.client.write(chunk));
    const now = Date.now();
    if (this.delayMs === 0 && link.due[direction] <= now) return void write();
    link.due[direction] = Math.max(now + this.delayMs, link.due[direction]);
    setTimeout(write, link.due[direction] - now);
  }

  private flush(link: Link): void {
    if (this.partitioned || !link.server || link.server.connecting) return;
    for (const chunk of link.toServer.splice(0)) this.forward(link, 'toServer', chunk);
    for (const chunk of link.toClient.splice(0)) this.forward(link, 'toClient', chunk);
  }

  private close(link: Link, reset: boolean): void {
    if (!this.links.delete(link)) return;
    if (reset) {
      link.client.resetAndDestroy();
      link.server?.resetAndDestroy();
    } else {
      link.client.end();
      link.server?.end();
    }
  }
}
