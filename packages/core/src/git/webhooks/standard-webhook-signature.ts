/**
 * Standard Webhooks signing (standardwebhooks.com), which GitLab sends when a hook has a signing token: headers
 * `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature` (space-separated `v1,<base64>` entries), the
 * signature an HMAC-SHA256 of `<id>.<timestamp>.<raw body>` under the key — the base64 after `whsec_` in a secret of
 * that form, else the secret's own bytes. A timestamp more than 5 minutes from now is refused (a replay); the inbox
 * dedupes on `webhook-id` besides. Constant time, every secret checked; nothing here returns or logs a secret or an
 * expected signature.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** How far a delivery's timestamp may be from now, either way. */
export const standardWebhookToleranceMs = 5 * 60_000;

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const one = (headers: Headers, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Whether the delivery carries Standard Webhooks headers at all (then they alone decide). */
export function hasStandardWebhookSignature(headers: Headers): boolean {
  return one(headers, 'webhook-signature') !== undefined;
}

function keyOf(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret);
}

function signatureOf(secret: string, id: string, timestamp: string, body: Uint8Array): string {
  return createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

function same(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

export function isStandardWebhookValid(
  headers: Headers,
  body: Uint8Array,
  secrets: readonly string[],
  nowMs: number,
): boolean {
  const id = one(headers, 'webhook-id');
  const timestamp = one(headers, 'webhook-timestamp');
  const signatures = one(headers, 'webhook-signature');
  if (id === undefined || timestamp === undefined || signatures === undefined) return false;
  if (id.length > 256 || signatures.length > 1024 || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowMs - Number(timestamp) * 1000) > standardWebhookToleranceMs) return false;
  const given = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => entry.slice(3));
  let isValid = false;
  for (const secret of secrets) {
    const expected = signatureOf(secret, id, timestamp, body);
    for (const candidate of given) if (same(candidate, expected)) isValid = true;
  }
  return isValid;
}

/** The headers a Standard Webhooks sender would add (tests and benchmarks). */
export function signStandardWebhook(
  secret: string,
  body: Uint8Array,
  id: string,
  nowMs: number,
): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signatureOf(secret, id, timestamp, body)}`,
  };
}
