/**
 * A verified delivery's body as git events, whatever the provider: parses the JSON (GitHub may also send it
 * form-encoded as `payload=`) and hands it to the provider's normalizer. Errors: `VALIDATION_FAILED` when the body
 * is not JSON or lacks a field the event needs (the inbox records the delivery as failed, with the reason).
 */
import { SlipwayError } from '@slipway/contract';
import type { GitProvider } from '../git-event.js';
import { normalizeBitbucket } from './bitbucket-payload.js';
import { normalizeGitea } from './gitea-payload.js';
import { normalizeGithub } from './github-payload.js';
import { normalizeGitlab } from './gitlab-payload.js';
import type { Json } from './payload-reader.js';
import type { WebhookContext, WebhookNormalization } from './webhook-normalization.js';

function parseBody(body: Uint8Array, contentType: string | undefined): Json {
  let text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded') === true) {
    text = new URLSearchParams(text).get('payload') ?? '';
  }
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw new SlipwayError('VALIDATION_FAILED', 'the delivery body is not JSON');
  }
}

export function normalizeWebhook(
  provider: GitProvider,
  body: Uint8Array,
  contentType: string | undefined,
  context: WebhookContext,
): WebhookNormalization {
  const payload = parseBody(body, contentType);
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new SlipwayError('VALIDATION_FAILED', 'the delivery body is not a JSON object');
  }
  switch (provider) {
    case 'github':
      return normalizeGithub(payload, context);
    case 'gitlab':
      return normalizeGitlab(payload, context);
    case 'gitea':
      return normalizeGitea(payload, context);
    case 'bitbucket':
      return normalizeBitbucket(payload, context);
  }
}
