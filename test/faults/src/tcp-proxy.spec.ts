import { connect, createServer, type Server, type Socket } from 'node:net';
import { TcpProxy } from './support/tcp-proxy';

/** An echo server behind the proxy: what a client writes comes back through both directions. */
let echo: Server;
let proxy: TcpProxy;

beforeEach(async () => {
  echo = createServer((socket) => socket.on('error', () => undefined).pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  proxy = await new TcpProxy((echo.address() as { port: number }).port).start();
});
afterEach(async () => {
  await proxy.stop();
  await new Promise((resolve) => echo.close(resolve));
});

function client(): Promise<{ socket: Socket; received: () => string; closed: Promise<string> }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(proxy.port, '127.0.0.1');
    const closed = new Promise<string>((done) => {
      socket.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
      socket.on('close', () => done('closed'));
    });
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
    socket.once('error', reject);
  });
}

async function until(probe: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the fault suite’s TCP proxy', () => {
  it('passes bytes both ways, later by the latency it is given', async () => {
    const c = await client();
    c.socket.write('ping');
    await until(() => c.received() === 'ping', 'the echo');
    proxy.latency(150);
    const sent = Date.now();
    c.socket.write('-pong');
    await until(() => c.received() === 'ping-pong', 'the delayed echo');
    // 150 ms each way.
    expect(Date.now() - sent).toBeGreaterThanOrEqual(290);
    c.socket.destroy();
  });

  it('resets every open connection when told to cut them', async () => {
    const [a, b] = [await client(), await client()];
    a.socket.write('x');
    await until(() => a.received() === 'x' && proxy.open === 2, 'both connections');
    expect(proxy.cutAll()).toBe(2);
    expect(await a.closed).toBe('ECONNRESET');
    expect(await b.closed).toBe('ECONNRESET');
  });

  it('holds traffic in a partition and delivers it at the heal', async () => {
    const c = await client();
    proxy.partition('hold');
    c.socket.write('held');
    const late = await client();
    late.socket.write('late');
    await new Promise((r) => setTimeout(r, 200));
    expect(c.received()).toBe('');
    proxy.heal();
    await until(() => c.received() === 'held' && late.received() === 'late', 'the held bytes');
    c.socket.destroy();
    late.socket.destroy();
  });

  it('drops traffic in a partition and resets the connections that lost bytes at the heal', async () => {
    const c = await client();
    proxy.partition('drop');
    c.socket.write('lost');
    await new Promise((r) => setTimeout(r, 200));
    proxy.heal();
    expect(await c.closed).toBe('ECONNRESET');
    expect(c.received()).toBe('');
    const after = await client();
    after.socket.write('fresh');
    await until(() => after.received() === 'fresh', 'a new connection to work');
    after.socket.destroy();
  });

  it('resets a connection as the answer starts, after the request went through', async () => {
    const c = await client();
    proxy.cutNextAnswers(1);
    c.socket.write('request');
    expect(await c.closed).toBe('ECONNRESET');
    expect(c.received()).toBe('');
    expect(proxy.counts.cut).toBe(1);
  });
});
