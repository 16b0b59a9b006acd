/** Test support for the identity suites: users made by the owner, their sessions and API tokens, raw API calls. */
import { createApiClient, type ApiClient, type CreateTokenBody, type GrantBody } from '@slipway/contract';
import type { SlipwaydHarness } from './slipwayd-harness.js';

export interface ApiAnswer {
  status: number;
  /** The parsed JSON body, or the text when it is not JSON. */
  body: unknown;
  headers: Headers;
}

/** One raw request to slipwayd, with `token` as the bearer when given; the body is read to its end. */
export async function callApi(
  slipwayd: SlipwaydHarness,
  request: { method: string; path: string; token?: string | undefined; json?: unknown },
): Promise<ApiAnswer> {
  const headers: Record<string, string> = {};
  if (request.token !== undefined) headers['authorization'] = `Bearer ${request.token}`;
  if (request.json !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${slipwayd.url}${request.path}`, {
    method: request.method,
    headers,
    ...(request.json === undefined ? {} : { body: JSON.stringify(request.json) }),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // an event stream or an empty body
  }
  return { status: response.status, body, headers: response.headers };
}

/** The error code of an answer's body, if it has one. */
export function errorCode(answer: ApiAnswer): string | undefined {
  const body = answer.body as { error?: { code?: string } } | undefined;
  return body?.error?.code;
}

export const password = 'correct horse battery staple';

/** A user created by the owner (the admin token), with a password and the given grants. */
export async function createUser(slipwayd: SlipwaydHarness, name: string, grants: GrantBody[] = []): Promise<void> {
  await slipwayd.api.users.create({ name, password });
  for (const grant of grants) await slipwayd.api.users.grant(name, grant);
}

/** A client acting as `name` through a fresh session (login with the fixture password). */
export async function loginAs(
  slipwayd: SlipwaydHarness,
  name: string,
): Promise<{ client: ApiClient; accessToken: string; refreshToken: string }> {
  const tokens = await createApiClient({ baseUrl: slipwayd.url }).auth.login({ username: name, password });
  return {
    client: createApiClient({ baseUrl: slipwayd.url, token: tokens.accessToken }),
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
  };
}

/** An API token of `name`, created through their own session. */
export async function tokenOf(
  slipwayd: SlipwaydHarness,
  name: string,
  body: Partial<CreateTokenBody> = {},
): Promise<string> {
  const { client } = await loginAs(slipwayd, name);
  return (await client.tokens.create({ name: `${name}-token`, ...body })).secret;
}

/** The error message of an answer's body, or '' when it has none. */
export function errorMessage(answer: ApiAnswer): string {
  const body = answer.body as { error?: { message?: string } } | undefined;
  return body?.error?.message ?? '';
}
