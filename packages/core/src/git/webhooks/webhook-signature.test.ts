import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { gitProviders } from '../git-event.js';
import { webhookDeliveryIdentity } from './webhook-delivery.js';
import { isWebhookSignatureValid, signWebhook } from './webhook-signature.js';

const body = Buffer.from('{"ref":"refs/heads/main"}');
const secret = 'current-secret';
const hex = createHmac('sha256', secret).update(body).digest('hex');

describe('webhook signatures', () => {
  it("checks each provider's scheme over the raw bytes", () => {
    expect(isWebhookSignatureValid('github', { 'x-hub-signature-256': `sha256=${hex}` }, body, [secret])).toBe(true);
    expect(isWebhookSignatureValid('gitlab', { 'x-gitlab-token': secret }, body, [secret])).toBe(true);
    expect(isWebhookSignatureValid('gitea', { 'x-gitea-signature': hex }, body, [secret])).toBe(true);
    expect(isWebhookSignatureValid('gitea', { 'x-forgejo-signature': hex }, body, [secret])).toBe(true);
    expect(isWebhookSignatureValid('bitbucket', { 'x-hub-signature': `sha256=${hex}` }, body, [secret])).toBe(true);
  });

  it('refuses a changed body, another secret, a missing header and another scheme', () => {
    const changed = Buffer.from('{"ref": "refs/heads/main"}');
    for (const provider of gitProviders) {
      const headers = signWebhook(provider, secret, body);
      expect(isWebhookSignatureValid(provider, headers, body, [secret])).toBe(true);
      if (provider !== 'gitlab') expect(isWebhookSignatureValid(provider, headers, changed, [secret])).toBe(false);
      expect(isWebhookSignatureValid(provider, headers, body, ['another-secret'])).toBe(false);
      expect(isWebhookSignatureValid(provider, {}, body, [secret])).toBe(false);
      expect(isWebhookSignatureValid(provider, headers, body, [])).toBe(false);
    }
    // GitHub's signature is not Gitea's: the prefix is part of the scheme.
    expect(isWebhookSignatureValid('github', { 'x-hub-signature-256': hex }, body, [secret])).toBe(false);
    expect(isWebhookSignatureValid('gitea', { 'x-gitea-signature': `sha256=${hex}` }, body, [secret])).toBe(false);
  });

  it('accepts any of the secrets given (the previous one during its grace)', () => {
    const headers = signWebhook('github', 'old-secret', body);
    expect(isWebhookSignatureValid('github', headers, body, [secret, 'old-secret'])).toBe(true);
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
