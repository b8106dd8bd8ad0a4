import { addressRefusal, checkDestination, checkHost, hostAllowed, OutboundRefused, type OutboundPolicy } from '@planledger/application';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, isIP, type LookupFunction, type Socket } from 'node:net';

/** Resolves a host name to all its addresses (the system resolver unless a test gives another). */
export type Resolver = (host: string, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemResolver: Resolver = (host, callback) => dnsLookup(host, { all: true, verbatim: true }, callback);

export interface OutboundOptions {
  policy: OutboundPolicy;
  timeoutMs: number;
  maxResponseBytes: number;
  resolver?: Resolver;
}

/** What a receiver answered: its status and at most maxResponseBytes of its body (for a robot's error code only). */
export interface OutboundAnswer {
  status: number;
  body: string;
}

/**
 * The one way alert deliveries reach the outside. The URL is checked first (scheme, credentials,
 * literal addresses); a host name is resolved by the connection's own lookup, and every address it
 * resolves to is checked before the socket connects, so a name that answers a public address to a
 * first lookup and 127.0.0.1 to the next cannot get through. Redirects are never followed (a 3xx
 * is refused); the whole request has one deadline; the answer is read up to a cap.
 */
export class OutboundClient {
  private readonly resolver: Resolver;

  constructor(private readonly options: OutboundOptions) {
    this.resolver = options.resolver ?? systemResolver;
  }

  /** A `lookup` for net/http that refuses the connection when any resolved address is refused. */
  checkedLookup(host: string, port: number): LookupFunction {
    return (hostname, lookupOptions, callback) => {
      this.resolver(hostname, (error, addresses) => {
        if (error || addresses.length === 0) {
          callback(new OutboundRefused('name-not-found', `the destination's host name does not resolve`), '', 4);
          return;
        }
        if (!hostAllowed(host, port, this.options.policy)) {
          const refused = addresses.map((a) => addressRefusal(a.address, port, this.options.policy)).find(Boolean);
          if (refused) {
            callback(new OutboundRefused('address-refused', `the destination's host name resolves to a refused range (${refused})`), '', 4);
            return;
          }
        }
        const wanted =
          lookupOptions.family === 6 || lookupOptions.family === 4 ? addresses.filter((a) => a.family === lookupOptions.family) : addresses;
        if (lookupOptions.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, wanted);
        else if (wanted[0]) callback(null, wanted[0].address, wanted[0].family);
        else callback(new OutboundRefused('name-not-found', `the destination's host name has no address of the family asked for`), '', 4);
      });
    };
  }

  /** POSTs the body; resolves with the answer when it is 2xx, else throws OutboundRefused with its category and status. */
  async post(url: string, headers: Record<string, string>, body: string): Promise<OutboundAnswer> {
    const target = checkDestination(url, this.options.policy);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    const port = target.port ? Number(target.port) : target.protocol === 'https:' ? 443 : 80;
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const answer = await new Promise<OutboundAnswer>((resolve, reject) => {
      const req = send(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          // A fresh connection per delivery: a pooled socket would skip the lookup and its check.
          agent: false,
          lookup: isIP(host) ? undefined : this.checkedLookup(host, port),
          signal,
        },
        (response) => readCapped(response, this.options.maxResponseBytes).then(resolve, reject),
      );
      req.on('error', (error: Error & { code?: string }) => reject(classify(error, signal)));
      req.end(body);
    });
    if (answer.status >= 300 && answer.status < 400)
      throw new OutboundRefused(
        'redirect-refused',
        `HTTP ${answer.status}: the receiver redirects; redirects are not followed`,
        answer.status,
      );
    if (answer.status >= 400 && answer.status < 500)
      throw new OutboundRefused('client-error', `HTTP ${answer.status} from the receiver`, answer.status);
    if (answer.status >= 500 || answer.status < 200)
      throw new OutboundRefused('server-error', `HTTP ${answer.status} from the receiver`, answer.status);
    return answer;
  }

  /**
   * A socket to host:port under the same address rule (the SMTP transport's `getSocket`): the
   * configured mail server is held to the allow-list like any receiver.
   */
  socket(host: string, port: number): Promise<Socket> {
    const name = host.replace(/^\[|\]$/g, '');
    try {
      checkHost(name, port, this.options.policy);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<Socket>((resolve, reject) => {
      const socket = connect({
        host: name,
        port,
        lookup: isIP(name) ? undefined : this.checkedLookup(name, port),
        timeout: this.options.timeoutMs,
      });
      socket.once('connect', () => {
        socket.setTimeout(0);
        resolve(socket);
      });
      socket.once('timeout', () => socket.destroy(new OutboundRefused('timeout', 'the mail server did not answer in time')));
      socket.once('error', (error: Error & { code?: string }) => reject(error instanceof OutboundRefused ? error : classify(error)));
    });
  }
}

function readCapped(response: IncomingMessage, cap: number): Promise<OutboundAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
    response.on('data', (chunk: Buffer) => {
      if (size >= cap) return;
      chunks.push(chunk.subarray(0, cap - size));
      size += chunk.length;
      // Enough read: the status is what counts; drop the rest rather than wait for it.
      if (size >= cap) {
        response.destroy();
        done();
      }
    });
    response.on('end', done);
    response.on('error', (error) => (size >= cap ? done() : reject(classify(error))));
  });
}

/** A transport error as a category: never the URL or address in the message. */
function classify(error: Error & { code?: string }, signal?: AbortSignal): OutboundRefused {
  if (error instanceof OutboundRefused) return error;
  if (signal?.aborted || error.name === 'AbortError' || error.name === 'TimeoutError')
    return new OutboundRefused('timeout', 'the receiver did not answer in time');
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN')
    return new OutboundRefused('name-not-found', `the destination's host name does not resolve`);
  return new OutboundRefused('connect-failed', `the receiver could not be reached (${error.code ?? 'connection error'})`);
}
