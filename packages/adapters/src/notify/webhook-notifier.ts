/**
 * The generic webhook: the notification's payload as JSON, signed (`Slipway-Signature`, see webhook-signature.ts),
 * with `Slipway-Event-Id` (the same on every retry) for receivers to dedupe on.
 */
import { SlipwayError } from '@slipway/contract';
import type { Clock, Notifier } from '@slipway/core';
import { postNotification } from './http-notification-post.js';
import { signWebhookBody } from './webhook-signature.js';

export function createWebhookNotifier(options: { clock: Pick<Clock, 'nowMs'> }): Notifier {
  return {
    async send(destination, notification, signal) {
      if (destination.kind !== 'webhook') {
        throw new SlipwayError('INTERNAL', `the webhook notifier cannot send to a ${destination.kind} target`);
      }
      const body = JSON.stringify(notification.payload);
      const timestampSeconds = Math.floor(options.clock.nowMs() / 1000);
      return postNotification(
        destination.url,
        body,
        {
          'slipway-event-id': notification.payload.id,
          'slipway-event': notification.payload.type,
          'slipway-signature': signWebhookBody(destination.secret, body, timestampSeconds),
        },
        signal,
      );
    },
  };
}
