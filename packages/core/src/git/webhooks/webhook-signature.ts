/**
 * Authenticates a delivery by its provider's scheme, over the raw bytes as received (before any parsing, since a
 * re-serialized body would not be what was signed), in constant time, against each secret the repository accepts
 * (the current one, and the previous one during its grace period):
 * - GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`;
 * - GitLab: `X-Gitlab-Token: <the secret itself>`, or, from a hook with a signing token, Standard Webhooks signing
 *   (`standard-webhook-signature.ts`), which then alone decides;
 * - Gitea and Forgejo: `X-Gitea-Signature` / `X-Forgejo-Signature: <hex HMAC-SHA256 of the body>` (no prefix);
 * - Bitbucket Cloud: `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>`.
 * Nothing here returns, logs or throws the secret or the expected signature.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { GitProvider } from '../git-event.js';
import { hasStandardWebhookSignature, isStandardWebhookValid } from './standard-webhook-signature.js';

/** Request headers by lowercase name (Node's `IncomingHttpHeaders`). */
export type WebhookHeaders = Readonly<Record<string, string | string[] | undefined>>;

export function headerOf(headers: WebhookHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Compares digests of both sides, so neither the length nor the content of the expected value leaks by timing. */
function sameText(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function hmacHex(secret: string, body: Uint8Array): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** The signature the provider sent, as the scheme's comparable text; undefined when the header is missing. */
function givenSignature(provider: GitProvider, headers: WebhookHeaders): string | undefined {
  switch (provider) {
    case 'github':
      return headerOf(headers, 'x-hub-signature-256');
    case 'gitlab':
      return headerOf(headers, 'x-gitlab-token');
    case 'gitea':
      return headerOf(headers, 'x-gitea-signature') ?? headerOf(headers, 'x-forgejo-signature');
    case 'bitbucket':
      return headerOf(headers, 'x-hub-signature');
  }
}

function expectedSignature(provider: GitProvider, secret: string, body: Uint8Array): string {
  switch (provider) {
    case 'github':
    case 'bitbucket':
      return `sha256=${hmacHex(secret, body)}`;
    case 'gitlab':
      return secret;
    case 'gitea':
      return hmacHex(secret, body);
  }
}

/**
 * True when the delivery carries a valid signature (or token) under one of `secrets`; false when none match. `nowMs`
 * bounds the age of a Standard Webhooks timestamp (GitLab's signing tokens).
 */
export function isWebhookSignatureValid(
  provider: GitProvider,
  headers: WebhookHeaders,
  body: Uint8Array,
  secrets: readonly string[],
  nowMs: number,
): boolean {
  if (provider === 'gitlab' && hasStandardWebhookSignature(headers))
    return isStandardWebhookValid(headers, body, secrets, nowMs);
  const given = givenSignature(provider, headers);
  if (given === undefined || given.length > 1024) return false;
  const normalized = provider === 'gitlab' ? given : given.trim().toLowerCase();
  let isValid = false;
  // Every secret is checked, so the time taken does not tell which one matched.
  for (const secret of secrets) {
    if (sameText(normalized, expectedSignature(provider, secret, body))) isValid = true;
  }
  return isValid;
}

/** How a provider would sign `body` with `secret`: the headers a test or a bench sends. */
export function signWebhook(provider: GitProvider, secret: string, body: Uint8Array): Record<string, string> {
  switch (provider) {
    case 'github':
      return { 'x-hub-signature-256': expectedSignature(provider, secret, body) };
    case 'gitlab':
      return { 'x-gitlab-token': secret };
    case 'gitea':
      return { 'x-gitea-signature': expectedSignature(provider, secret, body) };
    case 'bitbucket':
      return { 'x-hub-signature': expectedSignature(provider, secret, body) };
  }
}
