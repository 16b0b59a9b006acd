/** The one `Notifier` slipwayd hands the dispatcher: each destination goes to the adapter of its kind. */
import { SlipwayError } from '@slipway/contract';
import type { Clock, Notifier } from '@slipway/core';
import { createSlackNotifier } from './slack-notifier.js';
import { createSmtpNotifier, type SmtpRelaySettings } from './smtp-notifier.js';
import { createWebhookNotifier } from './webhook-notifier.js';

/** Email targets fail each attempt with a clear reason when no relay is configured. */
export function createNotifierSet(options: {
  clock: Pick<Clock, 'nowMs'>;
  smtp?: SmtpRelaySettings | undefined;
}): Notifier {
  const webhook = createWebhookNotifier({ clock: options.clock });
  const slack = createSlackNotifier();
  const email = options.smtp === undefined ? undefined : createSmtpNotifier(options.smtp);
  return {
    send(destination, notification, signal) {
      switch (destination.kind) {
        case 'webhook':
          return webhook.send(destination, notification, signal);
        case 'slack':
          return slack.send(destination, notification, signal);
        case 'email':
          if (email === undefined) {
            return Promise.reject(
              new SlipwayError(
                'NOTIFICATION_FAILED',
                'no SMTP relay is configured: set smtp.host (and smtp.from) in slipwayd’s configuration',
              ),
            );
          }
          return email.send(destination, notification, signal);
      }
    },
  };
}
