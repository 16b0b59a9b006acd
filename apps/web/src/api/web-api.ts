/**
 * The dashboard's API calls, on the page's own origin, typed with the contract's types (`import type`: the schemas
 * stay on the server, which validates every answer it sends; the page's JavaScript stays small).
 * - The credential is the session cookie (HttpOnly: this code never sees a token); every request carries
 *   `X-Slipway-CSRF: 1`, which a page of another origin cannot send.
 * - A `401` is answered once by refreshing the session (one refresh at a time, shared by every request waiting on
 *   it) and retrying; when that fails too, the session is over: listeners hear it, and no request is retried. A
 *   request sent before the latest sign-in (the first page's, sent before anyone signed in) ends no session.
 */
import { SlipwayError } from '@slipway/contract/errors';

const csrfHeaders = { 'x-slipway-csrf': '1' } as const;

type SessionListener = () => void;
const endedListeners = new Set<SessionListener>();

/** Called when the session has ended (refresh refused): the app shows the sign-in page. */
export function onSessionEnded(listener: SessionListener): () => void {
  endedListeners.add(listener);
  return () => endedListeners.delete(listener);
}

let refreshing: Promise<boolean> | undefined;

/** Sign-ins so far: a request refused for want of a session says nothing of a session begun after it was sent. */
let signIns = 0;

/** Called when a sign-in succeeded. */
export function markSignedIn(): void {
  signIns += 1;
}

/** Refreshes the session cookies; resolves whether the session goes on. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= fetch('/api/v1/auth/web/refresh', {
    method: 'POST',
    credentials: 'same-origin',
    headers: csrfHeaders,
  })
    .then((response) => response.ok)
    .catch(() => false)
    .finally(() => {
      refreshing = undefined;
    });
  return refreshing;
}

function withCsrf(init: RequestInit | undefined): RequestInit {
  const headers = new Headers(init?.headers);
  for (const [name, value] of Object.entries(csrfHeaders)) headers.set(name, value);
  return { ...init, headers, credentials: 'same-origin' };
}

const isAuthPath = (url: string): boolean => url.includes('/api/v1/auth/web/');

/** `fetch` with the CSRF header, and one refresh-and-retry on 401 (a body stream cannot be sent twice: no retry). */
export const sessionFetch: typeof fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const sentAfter = signIns;
  const endSessionSentIn = (): void => {
    if (sentAfter === signIns) endSession();
  };
  const response = await fetch(input, withCsrf(init));
  if (response.status !== 401 || isAuthPath(url)) return response;
  const canRetry = !(init?.body instanceof ReadableStream);
  if (await refreshSession()) {
    if (!canRetry) return response;
    await response.body?.cancel().catch(() => undefined);
    const retried = await fetch(input, withCsrf(init));
    if (retried.status !== 401) return retried;
    endSessionSentIn();
    return retried;
  }
  endSessionSentIn();
  return response;
};

export function endSession(): void {
  for (const listener of endedListeners) listener();
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A JSON call; a failure rejects with the answer's SlipwayError (code, message, details). */
export async function callJson<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const response = await sessionFetch(path, init);
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok) throw errorOf(response.status, parsed);
  return parsed as T;
}

function errorOf(status: number, body: unknown): SlipwayError {
  const error = (body as { error?: { code?: string; message?: string; details?: Record<string, unknown> } })?.error;
  const code = (error?.code ?? (status === 401 ? 'UNAUTHENTICATED' : 'INTERNAL')) as SlipwayError['code'];
  return new SlipwayError(code, error?.message ?? `the request failed (${status})`, {
    ...(error?.details === undefined ? {} : { details: error.details }),
  });
}

/** Whether a failure means "do not ask again": no credential, or not allowed. */
export function isFinalError(error: unknown): boolean {
  return error instanceof SlipwayError && (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN');
}

/** `/api/v1/apps/<name><rest>` with the name encoded. */
export const appPath = (app: string, rest = ''): string => `/api/v1/apps/${encodeURIComponent(app)}${rest}`;
