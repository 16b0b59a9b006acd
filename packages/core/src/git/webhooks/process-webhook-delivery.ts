/**
 * Hands the inbox's deliveries to `handleGitEvent`, one lease at a time. A delivery is leased (attempt + 1) before
 * it is handled and its outcome recorded under that lease, so a slipwayd killed after accepting a delivery handles it
 * once it is back (the lease of a dead incarnation is reclaimed at start), and a run that lost its lease records
 * nothing. A crash *while* the handler runs hands the delivery over again: the handlers are idempotent per event (a
 * rule deploys a commit once, a preview is at one head), which makes the hand-over effectively once.
 */
import { isSlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../../core-deps.js';
import type { Failpoint } from '../../deployment/failpoints.js';
import type { WebhookDeliveryRecord } from '../../ports/git-webhook-repository.js';
import type { GitEvent, GitEventOutcome } from '../git-event.js';
import { asTrigger } from '../../deployment/trigger-span.js';

type ProcessDeps = Pick<CoreDeps, 'store' | 'clock' | 'logger' | 'tracer'>;

export type GitEventHandler = (event: GitEvent) => Promise<GitEventOutcome>;

/** Leases of one delivery after which, should it still not be done (slipwayd died handling it), it is failed. */
export const webhookMaxAttempts = 3;

export interface WebhookProcessOptions {
  /** `<nodeName>/<processor id>`, unique per running processor. */
  readonly owner: string;
  readonly leaseMs: number;
  readonly handle: GitEventHandler;
  readonly failpoint?: Failpoint;
  readonly signal: AbortSignal;
}

/** The handler's answer, or a failure once `deadlineMs` has passed (a stuck handler must not hold up the inbox). */
async function withinDeadline(
  clock: ProcessDeps['clock'],
  work: Promise<GitEventOutcome>,
  deadlineMs: number,
): Promise<GitEventOutcome> {
  const stop = new AbortController();
  const late = clock.sleep(deadlineMs, stop.signal).then(
    (): GitEventOutcome => ({ outcome: 'failed', reason: `not handled within ${Math.round(deadlineMs / 1000)} s` }),
    // Aborted: the handler answered first, and this branch is never awaited.
    (): GitEventOutcome => ({ outcome: 'failed', reason: 'cancelled' }),
  );
  try {
    return await Promise.race([work, late]);
  } finally {
    stop.abort();
  }
}

async function outcomeOf(
  deps: ProcessDeps,
  delivery: WebhookDeliveryRecord,
  event: GitEvent,
  options: Pick<WebhookProcessOptions, 'handle' | 'leaseMs'>,
) {
  if (event.kind === 'pull-request' && event.origin === 'bitbucket' && event.action === 'updated') {
    const previous = await deps.store.gitWebhooks.findPreviousHead(
      delivery.repositoryId,
      `pull-request:${event.number}`,
      delivery.id,
    );
    if (previous === event.headSha) {
      return { outcome: 'ignored', reason: `pull request #${event.number} updated without new commits` } as const;
    }
  }
  try {
    // Within the lease: past it the delivery could be handed to another processor meanwhile.
    return await withinDeadline(deps.clock, options.handle(event), options.leaseMs);
  } catch (error) {
    const reason = isSlipwayError(error)
      ? `${error.code}: ${error.message}`
      : 'internal error while handling the event';
    if (!isSlipwayError(error)) deps.logger.error({ err: error, deliveryId: delivery.id }, 'git event handler failed');
    return { outcome: 'failed', reason } as const;
  }
}

/** One outcome for a delivery of several events (a Bitbucket push of several refs): a failure wins, then a deploy. */
function combined(outcomes: readonly GitEventOutcome[]): GitEventOutcome {
  const [first] = outcomes;
  if (outcomes.length === 1 && first !== undefined) return first;
  const rank: GitEventOutcome['outcome'][] = ['failed', 'deployed', 'removed', 'waiting', 'ignored'];
  const outcome = rank.find((name) => outcomes.some((o) => o.outcome === name)) ?? 'ignored';
  return {
    outcome,
    reason: outcomes.map((o) => o.reason).join('; '),
    deploymentIds: outcomes.flatMap((o) => o.deploymentIds ?? []),
  };
}

/** Leases and handles the oldest due delivery; false when none was due. */
export async function processNextWebhookDelivery(deps: ProcessDeps, options: WebhookProcessOptions): Promise<boolean> {
  const delivery = await deps.store.gitWebhooks.leaseDelivery(options.owner, options.leaseMs, deps.clock.nowMs());
  if (delivery === undefined) return false;
  const lease = { deliveryId: delivery.id, owner: options.owner, attempt: delivery.attempts };
  const context = { deploymentId: delivery.id, signal: options.signal };
  let result: GitEventOutcome;
  if (delivery.attempts > webhookMaxAttempts) {
    result = { outcome: 'failed', reason: `not handled after ${webhookMaxAttempts} attempts` };
  } else {
    await options.failpoint?.('webhook:handle', context);
    const outcomes: GitEventOutcome[] = [];
    // The deployments the delivery starts are traced under it, as an API request's are under the request.
    const attributes = {
      'slipway.webhook.delivery.id': delivery.id,
      'slipway.git.provider': delivery.provider,
      'slipway.webhook.attempt': delivery.attempts,
    };
    await asTrigger(deps, 'git.webhook', attributes, async () => {
      for (const event of delivery.events) outcomes.push(await outcomeOf(deps, delivery, event, options));
    });
    result = combined(outcomes);
    await options.failpoint?.('webhook:handled', context);
  }
  const isRecorded = await deps.store.gitWebhooks.finishDelivery(lease, {
    outcome: result.outcome,
    reason: result.reason,
    deploymentIds: result.deploymentIds ?? [],
    processedAtMs: deps.clock.nowMs(),
  });
  if (!isRecorded)
    deps.logger.warn({ deliveryId: delivery.id }, 'webhook delivery lease lost before its outcome was recorded');
  else deps.logger.debug({ deliveryId: delivery.id, outcome: result.outcome }, 'webhook delivery handled');
  return true;
}
