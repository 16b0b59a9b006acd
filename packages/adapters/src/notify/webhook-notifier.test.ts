import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  describeHttpNotifier,
  failureOf,
  sampleNotification as notification,
  startReceiver,
  type Receiver,
} from '@slipway/testkit';
import { createWebhookNotifier } from './webhook-notifier.js';
import { signWebhookBody, verifyWebhookSignature } from './webhook-signature.js';

const secret = 'whsec-test-5b0d4f0e8a9c';
const nowMs = Date.UTC(2026, 11, 6, 12);
const nowSeconds = nowMs / 1000;

describe('webhook notifier', () => {
  let receiver: Receiver;
  const notifier = createWebhookNotifier({ clock: { nowMs: () => nowMs } });
  const signal = () => AbortSignal.timeout(5_000);

  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('posts the payload as JSON, signed so that the documented verification accepts it, with the event id', async () => {
    const answer = await notifier.send(
      { kind: 'webhook', url: `${receiver.url}/hooks/slipway?token=abc`, secret },
      notification,
      signal(),
    );
    expect(answer).toBe('HTTP 200 OK');
    const [request] = receiver.received;
    expect(request?.path).toBe('/hooks/slipway?token=abc');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['slipway-event-id']).toBe('evt_01JTEST');
    expect(request?.headers['slipway-event']).toBe('deployment.failed');
    expect(JSON.parse(request?.body ?? '')).toEqual(notification.payload);

    const header = request?.headers['slipway-signature'] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature({ secret, header, body: request?.body ?? '', nowSeconds: nowSeconds + 30 })).toEqual({
      isValid: true,
      timestampSeconds: nowSeconds,
    });
  });

  it('is refused by the verification when the body is tampered with, the secret differs, or the timestamp is old', async () => {
    await notifier.send({ kind: 'webhook', url: receiver.url, secret }, notification, signal());
    const [request] = receiver.received;
    const header = request?.headers['slipway-signature'] as string;
    const body = request?.body ?? '';
    const check = (over: { header?: string; body?: string; secret?: string; nowSeconds?: number }) =>
      verifyWebhookSignature({ secret, header, body, nowSeconds, ...over });

    expect(check({ body: body.replace('hello', 'hell0') })).toEqual({ isValid: false, reason: 'mismatch' });
    expect(check({ secret: 'another-secret-entirely' })).toEqual({ isValid: false, reason: 'mismatch' });
    expect(check({ nowSeconds: nowSeconds + 301 })).toEqual({ isValid: false, reason: 'too-old' });
    expect(check({ nowSeconds: nowSeconds - 301 })).toEqual({ isValid: false, reason: 'too-new' });
    // A replayed body under a fresh timestamp needs a fresh signature, which only the secret's holder can make.
    expect(check({ header: header.replace(/^t=\d+/, `t=${nowSeconds + 600}`), nowSeconds: nowSeconds + 600 })).toEqual({
      isValid: false,
      reason: 'mismatch',
    });
    expect(check({ header: 'v1=deadbeef' })).toEqual({ isValid: false, reason: 'malformed' });
    expect(check({ header: signWebhookBody(secret, body, nowSeconds) })).toMatchObject({ isValid: true });
  });

  it('fails with the status in words when the receiver answers 500, and the same event reaches it on the retry', async () => {
    receiver.statuses.push(500);
    const destination = { kind: 'webhook', url: `${receiver.url}/secret-path-sentinel`, secret } as const;
    const error = await failureOf(notifier.send(destination, notification, signal()));
    expect(error.code).toBe('NOTIFICATION_FAILED');
    expect(error.message).toBe(`${receiver.url} answered HTTP 500 Internal Server Error`);
    expect(error.details).toEqual({ status: 500 });
    expect(await notifier.send(destination, notification, signal())).toBe('HTTP 200 OK');
    expect(receiver.received.map((r) => r.headers['slipway-event-id'])).toEqual(['evt_01JTEST', 'evt_01JTEST']);
    expect(
      receiver.received.every(
        (r) =>
          verifyWebhookSignature({ secret, header: r.headers['slipway-signature'] as string, body: r.body, nowSeconds })
            .isValid,
      ),
    ).toBe(true);
  });

  it('does not follow a redirect and never names the URL’s path, query or the secret in its errors', async () => {
    receiver.statuses.push(302);
    const error = await failureOf(
      notifier.send({ kind: 'webhook', url: `${receiver.url}/p-sentinel?q=sentinel`, secret }, notification, signal()),
    );
    expect(error.message).toBe(`${receiver.url} answered HTTP 302 Found (redirects are not followed)`);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toMatch(/sentinel|whsec/);
  });

  it('gives up at the caller’s deadline when the receiver never answers', async () => {
    receiver.isHanging = true;
    const error = await failureOf(
      notifier.send({ kind: 'webhook', url: receiver.url, secret }, notification, AbortSignal.timeout(200)),
    );
    expect(error.message).toBe(`${receiver.url} did not answer: the deadline passed`);
  });

  it('says the connection failed when nothing listens, naming only scheme and host', async () => {
    const url = receiver.url;
    await receiver.close();
    receiver = await startReceiver();
    const error = await failureOf(
      notifier.send({ kind: 'webhook', url: `${url}/x-sentinel`, secret }, notification, signal()),
    );
    expect(error.message).toMatch(
      new RegExp(`^${url.replaceAll('.', '\\.')} did not answer: connection failed \\(ECONNREFUSED\\)$`),
    );
  });
});

describeHttpNotifier('webhook', {
  create: () => createWebhookNotifier({ clock: { nowMs: () => Date.now() } }),
  destination: (url) => ({ kind: 'webhook', url, secret: 'whsec-contract-0123456789' }),
});
