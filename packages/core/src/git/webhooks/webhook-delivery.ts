/**
 * A delivery's identity from its headers: the provider's event name and its delivery key (the inbox dedupes on
 * provider + key). A provider that sent no key gets the body's SHA-256, so its retries of one body still dedupe.
 */
import { createHash } from 'node:crypto';
import type { GitProvider } from '../git-event.js';
import { headerOf, type WebhookHeaders } from './webhook-signature.js';

export interface WebhookDeliveryIdentity {
  readonly deliveryKey: string;
  readonly eventName: string;
}

const keyHeaders: Readonly<Record<GitProvider, readonly string[]>> = {
  github: ['x-github-delivery'],
  // `Idempotency-Key` stays the same across GitLab's retries of one delivery.
  gitlab: ['idempotency-key', 'x-gitlab-event-uuid', 'webhook-id', 'x-gitlab-webhook-uuid'],
  gitea: ['x-gitea-delivery', 'x-forgejo-delivery'],
  bitbucket: ['x-request-uuid', 'x-request-id'],
};

const eventHeaders: Readonly<Record<GitProvider, readonly string[]>> = {
  github: ['x-github-event'],
  gitlab: ['x-gitlab-event'],
  gitea: ['x-gitea-event', 'x-forgejo-event'],
  bitbucket: ['x-event-key'],
};

const maxHeaderChars = 200;

function firstHeader(headers: WebhookHeaders, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = headerOf(headers, name)?.trim();
    if (value !== undefined && value !== '') return value.slice(0, maxHeaderChars);
  }
  return undefined;
}

export function webhookDeliveryIdentity(
  provider: GitProvider,
  headers: WebhookHeaders,
  body: Uint8Array,
): WebhookDeliveryIdentity {
  const deliveryKey =
    firstHeader(headers, keyHeaders[provider]) ?? `sha256:${createHash('sha256').update(body).digest('hex')}`;
  return { deliveryKey, eventName: firstHeader(headers, eventHeaders[provider]) ?? 'unknown' };
}

/** The key a delivery is stored under in the inbox: the provider's key within its repository (`<repository id>/<key>`). */
export function inboxDeliveryKey(repositoryId: string, deliveryKey: string): string {
  return `${repositoryId}/${deliveryKey}`;
}

/** The provider's key of a stored delivery, as the provider sent it (rows stored before keys were scoped have none). */
export function providerDeliveryKey(repositoryId: string, storedKey: string): string {
  const prefix = `${repositoryId}/`;
  return storedKey.startsWith(prefix) ? storedKey.slice(prefix.length) : storedKey;
}
