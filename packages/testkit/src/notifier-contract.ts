/**
 * The Notifier contract for notifiers that POST to a URL (the webhook and the Slack notifier): what every such
 * notifier does against a real receiver — one request to the URL as given, a 2xx answer in words, any other answer
 * a `NOTIFICATION_FAILED` with its status, the caller's deadline honoured, and no error naming the URL's path or query.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failureOf } from './failure-of.js';
import type { NotificationDestination, Notifier } from '@slipway/core';
import { sampleNotification, startReceiver, type Receiver } from './notification-receiver.js';

/** Registers the contract; `destination` makes a destination of the notifier's kind for a receiver URL. */
export function describeHttpNotifier(
  name: string,
  options: { create: () => Notifier; destination: (url: string) => NotificationDestination },
): void {
  describe(`Notifier contract: ${name}`, () => {
    let receiver: Receiver;
    beforeEach(async () => {
      receiver = await startReceiver();
    });
    afterEach(async () => {
      await receiver.close();
    });

    it('posts JSON once to the URL as given and resolves with the answer in words', async () => {
      const answer = await options
        .create()
        .send(options.destination(`${receiver.url}/in/path?q=1`), sampleNotification, AbortSignal.timeout(5_000));
      expect(answer).toBe('HTTP 200 OK');
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]?.path).toBe('/in/path?q=1');
      expect(receiver.received[0]?.headers['content-type']).toBe('application/json');
      expect(() => JSON.parse(receiver.received[0]?.body ?? '') as unknown).not.toThrow();
    });

    it('fails with NOTIFICATION_FAILED and the status for any answer but 2xx, never naming the path or query', async () => {
      for (const status of [500, 404, 301]) {
        receiver.statuses.push(status);
        const error = await failureOf(
          options
            .create()
            .send(
              options.destination(`${receiver.url}/p-sentinel?t=sentinel`),
              sampleNotification,
              AbortSignal.timeout(5_000),
            ),
        );
        expect(error.code).toBe('NOTIFICATION_FAILED');
        expect(error.details).toEqual({ status });
        expect(error.message).toContain(`answered HTTP ${status}`);
        expect(error.message).not.toContain('sentinel');
      }
    });

    it('fails with NOTIFICATION_FAILED at the caller’s deadline when the receiver never answers', async () => {
      receiver.isHanging = true;
      const error = await failureOf(
        options.create().send(options.destination(receiver.url), sampleNotification, AbortSignal.timeout(200)),
      );
      expect(error.code).toBe('NOTIFICATION_FAILED');
      expect(error.message).toContain('the deadline passed');
    });
  });
}
