import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { gitProviders } from '../git-event.js';
import { webhookDeliveryIdentity } from './webhook-delivery.js';
import { signStandardWebhook } from './standard-webhook-signature.js';
import { isWebhookSignatureValid, signWebhook } from './webhook-signature.js';

const body = Buffer.from('{"ref":"refs/heads/main"}');
const secret = 'current-secret';
const hex = createHmac('sha256', secret).update(body).digest('hex');
const nowMs = 1_800_000_000_000;

describe('webhook signatures', () => {
  it("checks each provider's scheme over the raw bytes", () => {
    expect(isWebhookSignatureValid('github', { 'x-hub-signature-256': `sha256=${hex}` }, body, [secret], nowMs)).toBe(
      true,
    );
    expect(isWebhookSignatureValid('gitlab', { 'x-gitlab-token': secret }, body, [secret], nowMs)).toBe(true);
    expect(isWebhookSignatureValid('gitea', { 'x-gitea-signature': hex }, body, [secret], nowMs)).toBe(true);
    expect(isWebhookSignatureValid('gitea', { 'x-forgejo-signature': hex }, body, [secret], nowMs)).toBe(true);
    expect(isWebhookSignatureValid('bitbucket', { 'x-hub-signature': `sha256=${hex}` }, body, [secret], nowMs)).toBe(
      true,
    );
  });

  it('refuses a changed body, another secret, a missing header and another scheme', () => {
    const changed = Buffer.from('{"ref": "refs/heads/main"}');
    for (const provider of gitProviders) {
      const headers = signWebhook(provider, secret, body);
      expect(isWebhookSignatureValid(provider, headers, body, [secret], nowMs)).toBe(true);
      if (provider !== 'gitlab')
        expect(isWebhookSignatureValid(provider, headers, changed, [secret], nowMs)).toBe(false);
      expect(isWebhookSignatureValid(provider, headers, body, ['another-secret'], nowMs)).toBe(false);
      expect(isWebhookSignatureValid(provider, {}, body, [secret], nowMs)).toBe(false);
      expect(isWebhookSignatureValid(provider, headers, body, [], nowMs)).toBe(false);
    }
    // GitHub's signature is not Gitea's: the prefix is part of the scheme.
    expect(isWebhookSignatureValid('github', { 'x-hub-signature-256': hex }, body, [secret], nowMs)).toBe(false);
    expect(isWebhookSignatureValid('gitea', { 'x-gitea-signature': `sha256=${hex}` }, body, [secret], nowMs)).toBe(
      false,
    );
  });

  it('accepts any of the secrets given (the previous one during its grace)', () => {
    const headers = signWebhook('github', 'old-secret', body);
    expect(isWebhookSignatureValid('github', headers, body, [secret, 'old-secret'], nowMs)).toBe(true);
  });
});

describe('Standard Webhooks signing (GitLab signing tokens)', () => {
  const whsec = `whsec_${Buffer.from('a signing key of 24 bytes').toString('base64')}`;

  it('checks the HMAC of id, timestamp and raw body under the whsec key or the plain secret', () => {
    for (const key of [whsec, secret]) {
      const headers = signStandardWebhook(key, body, 'msg_1', nowMs);
      expect(isWebhookSignatureValid('gitlab', headers, body, [key], nowMs)).toBe(true);
      expect(isWebhookSignatureValid('gitlab', headers, Buffer.from('{"ref":"x"}'), [key], nowMs)).toBe(false);
      expect(isWebhookSignatureValid('gitlab', { ...headers, 'webhook-id': 'msg_2' }, body, [key], nowMs)).toBe(false);
      expect(isWebhookSignatureValid('gitlab', headers, body, ['another'], nowMs)).toBe(false);
    }
    // Several signatures (a key being rotated at the sender): any one that verifies is enough.
    const headers = signStandardWebhook(whsec, body, 'msg_3', nowMs);
    const both = { ...headers, 'webhook-signature': `v1,bm90IGl0 ${headers['webhook-signature']}` };
    expect(isWebhookSignatureValid('gitlab', both, body, [whsec], nowMs)).toBe(true);
  });

  it('refuses a timestamp more than 5 minutes away, and then ignores a valid X-Gitlab-Token', () => {
    const old = signStandardWebhook(secret, body, 'msg_4', nowMs - 5 * 60_000 - 1_000);
    expect(isWebhookSignatureValid('gitlab', old, body, [secret], nowMs)).toBe(false);
    const future = signStandardWebhook(secret, body, 'msg_5', nowMs + 5 * 60_000 + 1_000);
    expect(isWebhookSignatureValid('gitlab', future, body, [secret], nowMs)).toBe(false);
    expect(isWebhookSignatureValid('gitlab', { ...old, 'x-gitlab-token': secret }, body, [secret], nowMs)).toBe(false);
    const edge = signStandardWebhook(secret, body, 'msg_6', nowMs - 4 * 60_000);
    expect(isWebhookSignatureValid('gitlab', edge, body, [secret], nowMs)).toBe(true);
  });

  it('dedupes on webhook-id when GitLab sends no idempotency key', () => {
    expect(webhookDeliveryIdentity('gitlab', { 'webhook-id': 'msg_7', 'x-gitlab-event': 'Push Hook' }, body)).toEqual({
      deliveryKey: 'msg_7',
      eventName: 'Push Hook',
    });
  });
});

describe('delivery identity', () => {
  it("reads each provider's delivery key and event name", () => {
    expect(webhookDeliveryIdentity('github', { 'x-github-delivery': 'g1', 'x-github-event': 'push' }, body)).toEqual({
      deliveryKey: 'g1',
      eventName: 'push',
    });
    expect(webhookDeliveryIdentity('gitlab', { 'idempotency-key': 'l1', 'x-gitlab-event': 'Push Hook' }, body)).toEqual(
      { deliveryKey: 'l1', eventName: 'Push Hook' },
    );
    expect(webhookDeliveryIdentity('gitea', { 'x-forgejo-delivery': 'f1', 'x-forgejo-event': 'push' }, body)).toEqual({
      deliveryKey: 'f1',
      eventName: 'push',
    });
    expect(webhookDeliveryIdentity('bitbucket', { 'x-request-uuid': 'b1', 'x-event-key': 'repo:push' }, body)).toEqual({
      deliveryKey: 'b1',
      eventName: 'repo:push',
    });
  });

  it("keys a delivery without a key header by its body's hash, so a retried body dedupes", () => {
    const first = webhookDeliveryIdentity('gitlab', { 'x-gitlab-event': 'Push Hook' }, body);
    expect(first.deliveryKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(webhookDeliveryIdentity('gitlab', {}, body)).toEqual({ ...first, eventName: 'unknown' });
  });
});
