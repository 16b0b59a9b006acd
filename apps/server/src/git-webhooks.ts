/** Webhooks in slipwayd: the inbox's processor and the intake the webhook route stores into and wakes it through. */
import type { CoreDeps, Logger } from '@slipway/core';
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

export function createGitWebhooks(deps: CoreDeps, options: { nodeName: string; logger: Logger }): GitWebhooks {
  const processor = createWebhookProcessor(deps, {
    nodeName: options.nodeName,
    leaseMs: webhookLeaseMs,
    pollIntervalMs: webhookPollIntervalMs,
    logger: options.logger,
  });
  return { intake: createWebhookIntake({ poke: () => processor.poke() }), processor };
}
