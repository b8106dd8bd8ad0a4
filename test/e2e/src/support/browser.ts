import type { Answer } from './secured-api';

/**
 * What a browser does with cookies, for one site: keeps those the site sets (per name, the last
 * one wins, an expired one is dropped), and sends them back. Sends X-CSRF-Token from the
 * readable planledger_csrf cookie when told to, as the dashboard does.
 */
export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(private readonly base: string) {}

  /** Keeps the Set-Cookie of an answer; a cookie cleared (Max-Age=0 or an Expires in the past) is forgotten. */
  keep(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const cleared = attributes.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now()),
      );
      if (cleared || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get csrf(): string | undefined {
    return this.cookies.get('planledger_csrf');
  }

  get session(): string | undefined {
    return this.cookies.get('planledger_session');
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async call(
    method: string,
    path: string,
    body?: unknown,
    options: { csrf?: boolean; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
    if (this.cookies.size > 0) headers['cookie'] = this.cookieHeader();
    if (options.csrf && this.csrf) headers['x-csrf-token'] = this.csrf;
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      redirect: 'manual',
      body: body === undefined || method === 'GET' ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    this.keep(response.headers);
    if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
      await response.body?.cancel();
      return { status: response.status, body: {}, headers: response.headers };
    }
    const text = await response.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      parsed = { raw: text };
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }
}
