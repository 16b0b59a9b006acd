/** Webhooks in slipwayd: the inbox's processor and the intake the webhook route stores into and wakes it through. */
import { handleGitEvent, type CoreDeps, type Logger } from '@slipway/core';
import { createWebhookIntake, type WebhookIntake } from './git-webhook-intake.js';
import { createWebhookProcessor, type WebhookProcessor } from './git-webhook-processor.js';

/** A handler that has not recorded its outcome after this long is taken to have died with its slipwayd. */
const webhookLeaseMs = 5 * 60_000;
/** The processor looks for due deliveries this often when nothing wakes it (a lease that ran out). */
const webhookPollIntervalMs = 5_000;

export interface GitWebhooks {
  readonly intake: WebhookIntake;
  readonly processor: WebhookProcessor;
}

export interface GitWebhooksOptions {
  readonly nodeName: string;
  readonly logger: Logger;
  /** Told of each git event handled, with its outcome and duration (metrics). */
  readonly onHandled?: (event: { outcome: 'succeeded' | 'failed'; durationMs: number }) => void;
}

export function createGitWebhooks(deps: CoreDeps, options: GitWebhooksOptions): GitWebhooks {
  const { onHandled } = options;
  const processor = createWebhookProcessor(deps, {
    nodeName: options.nodeName,
    leaseMs: webhookLeaseMs,
    pollIntervalMs: webhookPollIntervalMs,
    logger: options.logger,
    ...(onHandled === undefined
      ? {}
      : {
          handle: async (event) => {
            const startedAtMs = performance.now();
            try {
              const outcome = await handleGitEvent(deps, event);
              onHandled({ outcome: 'succeeded', durationMs: performance.now() - startedAtMs });
              return outcome;
            } catch (error) {
              onHandled({ outcome: 'failed', durationMs: performance.now() - startedAtMs });
              throw error;
            }
          },
        }),
  });
  return { intake: createWebhookIntake({ poke: () => processor.poke() }), processor };
}
