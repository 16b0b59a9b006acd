/**
 * The signature of a webhook notification, as Stripe signs its webhooks: the header
 * `Slipway-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. The timestamp is inside the
 * signed text, so a receiver that refuses old timestamps refuses replays too. `verifyWebhookSignature` is what a
 * receiver runs (docs/notifications.md shows it standalone).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const signatureHeader = 'slipway-signature';
/** Five minutes either way: what receivers are advised to accept (clock skew plus a retry's transit). */
export const defaultSignatureToleranceSeconds = 300;

/** The header value for `body` (the exact bytes sent) signed with `secret` at `timestampSeconds`. */
export function signWebhookBody(secret: string, body: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

export type SignatureCheck =
  | { isValid: true; timestampSeconds: number }
  | { isValid: false; reason: 'malformed' | 'mismatch' | 'too-old' | 'too-new' };

/**
 * Checks a `Slipway-Signature` header against the raw body as received: the HMAC of one `v1` entry must match (in
 * constant time), and its timestamp must be within `toleranceSeconds` of `nowSeconds`.
 */
export function verifyWebhookSignature(options: {
  secret: string;
  header: string | undefined;
  body: string | Buffer;
  nowSeconds: number;
  toleranceSeconds?: number;
}): SignatureCheck {
  const tolerance = options.toleranceSeconds ?? defaultSignatureToleranceSeconds;
  const parts = (options.header ?? '').split(',').map((part) => part.trim().split('='));
  const timestamp = Number(parts.find(([key]) => key === 't')?.[1]);
  const signatures = parts.filter(([key, value]) => key === 'v1' && value !== undefined).map(([, value]) => value);
  if (!Number.isSafeInteger(timestamp) || signatures.length === 0) return { isValid: false, reason: 'malformed' };
  const expected = createHmac('sha256', options.secret).update(`${timestamp}.`).update(options.body).digest();
  const matches = signatures.some((hex) => {
    const given = Buffer.from(hex ?? '', 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) return { isValid: false, reason: 'mismatch' };
  if (options.nowSeconds - timestamp > tolerance) return { isValid: false, reason: 'too-old' };
  if (timestamp - options.nowSeconds > tolerance) return { isValid: false, reason: 'too-new' };
  return { isValid: true, timestampSeconds: timestamp };
}
