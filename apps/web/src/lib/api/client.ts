import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './openapi.gen';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The double-submit CSRF token the API sets beside the session cookie (readable by design). */
export function csrfToken(cookies = typeof document === 'undefined' ? '' : document.cookie): string | undefined {
  for (const part of cookies.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === 'planledger_csrf' || name === '__Host-planledger_csrf') return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/** An API answer that was not 2xx, with the Problem body's stable code and the fields it names. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }

  /** Bad fields by path (`target`, `reason`), for showing each message beside its field. */
  get fieldErrors(): Record<string, string> {
    // The API names a field by its path as one string (`kpi.unit`, `actuals[3].value`).
    const issues = (this.body['issues'] ?? []) as { path?: string | (string | number)[]; message?: string }[];
    return Object.fromEntries(issues.map((i) => [Array.isArray(i.path) ? i.path.join('.') : (i.path ?? ''), i.message ?? '']));
  }
}

async function toError(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  return new ApiError(response.status, String(body['code'] ?? response.status), String(body['message'] ?? response.statusText), body);
}

/** The session cookie rides on every call; writes carry the CSRF proof. No token is kept in the page. */
const csrf: Middleware = {
  onRequest({ request }) {
    if (WRITE_METHODS.has(request.method)) {
      const token = csrfToken();
      if (token) request.headers.set('X-CSRF-Token', token);
    }
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(csrf);

/**
 * Unwraps an openapi-fetch answer: the data, or an ApiError carrying the status and Problem body.
 * Read answers are described by the API only loosely, so callers name the shape they read.
 */
export async function unwrap<T>(call: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<T & { etag?: string }> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    const body = (error ?? {}) as Record<string, unknown>;
    throw new ApiError(response.status, String(body['code'] ?? response.status), String(body['message'] ?? response.statusText), body);
  }
  const etag = response.headers.get('ETag') ?? undefined;
  return (data && typeof data === 'object' ? Object.assign(data, etag ? { etag } : {}) : data) as T & { etag?: string };
}

/** For routes the generated paths do not hold yet (sign-in, /me): same cookie and CSRF rules. */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (WRITE_METHODS.has(method)) {
    const token = csrfToken();
    if (token) headers['X-CSRF-Token'] = token;
  }
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw await toError(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A multipart POST (a file upload) with the same cookie and CSRF rules; answers the status beside the body. */
export async function postForm<T>(path: string, form: FormData): Promise<{ status: number; body: T; location: string | null }> {
  const token = csrfToken();
  const response = await fetch(path, {
    method: 'POST',
    headers: { accept: 'application/json', ...(token ? { 'X-CSRF-Token': token } : {}) },
    credentials: 'same-origin',
    body: form,
  });
  if (!response.ok) throw await toError(response);
  return { status: response.status, body: (await response.json()) as T, location: response.headers.get('Location') };
}
