/**
 * Accepting a webhook delivery: find the repository, authenticate the delivery by its provider's scheme over the raw
 * bytes, then store it in the inbox (durable before the caller answers 202) for the processor to hand to
 * `handleGitEvent`. Only authentication and configuration problems are refused (a provider that keeps getting 4xx
 * disables its hook): a payload that is not JSON, or an event Slipway does not act on, is accepted and recorded as
 * failed or ignored. Nothing here logs or returns the secret or the expected signature.
 */
import { isSlipwayError, SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../../core-deps.js';
import type { WebhookDeliveryRecord } from '../../ports/git-webhook-repository.js';
import type { GitEvent, GitProvider } from '../git-event.js';
import type { GitRepositoryRecord } from '../git-repository-records.js';
import { getGitRepository } from '../repository-remotes.js';
import { inboxDeliveryKey, webhookDeliveryIdentity } from './webhook-delivery.js';
import type { WebhookNormalization } from './webhook-normalization.js';
import { normalizeWebhook } from './webhook-payload.js';
import { openWebhookSecrets, type WebhookSecretCache } from './webhook-secrets.js';
import { isWebhookSignatureValid, type WebhookHeaders } from './webhook-signature.js';

type ReceiveDeps = Pick<CoreDeps, 'store' | 'secretCipher' | 'ids' | 'clock'>;

export interface WebhookRequest {
  readonly provider: GitProvider;
  readonly repositoryId: string;
  readonly headers: WebhookHeaders;
  /** The body exactly as received. */
  readonly body: Uint8Array;
}

export interface WebhookReceipt {
  readonly deliveryId: string;
  /** `duplicate`: a delivery with this key was received before (the provider retried); nothing new was stored. */
  readonly status: 'queued' | 'ignored' | 'failed' | 'duplicate';
  readonly reason: string | null;
}

/** What a delivery is about and where its head is: lets a Bitbucket update that moved no commit be ignored. */
function subjectOf(events: readonly GitEvent[]): { subject: string | null; headSha: string | null } {
  const [first] = events;
  if (events.length !== 1 || first === undefined) return { subject: null, headSha: null };
  return first.kind === 'pull-request'
    ? { subject: `pull-request:${first.number}`, headSha: first.headSha }
    : { subject: first.ref, headSha: first.after };
}

function normalized(
  request: WebhookRequest,
  context: Parameters<typeof normalizeWebhook>[3],
): WebhookNormalization | Error {
  const contentType = request.headers['content-type'];
  try {
    return normalizeWebhook(
      request.provider,
      request.body,
      Array.isArray(contentType) ? contentType[0] : contentType,
      context,
    );
  } catch (error) {
    if (isSlipwayError(error)) return error;
    throw error;
  }
}

/**
 * Errors: `REPOSITORY_NOT_FOUND` (404), `WEBHOOK_PROVIDER_MISMATCH` (the repository is another provider's),
 * `WEBHOOK_SECRET_NOT_SET` (the repository has no webhook secret: every delivery is refused),
 * `WEBHOOK_SIGNATURE_INVALID` (401).
 */
export async function receiveWebhook(
  deps: ReceiveDeps,
  request: WebhookRequest,
  options: {
    /** Called once the delivery is authenticated, before it is stored: may refuse it (a rate limit) by throwing. */
    readonly admit?: (repository: GitRepositoryRecord) => void;
    /** Keeps opened secrets between deliveries (slipwayd's, in memory). */
    readonly secretCache?: WebhookSecretCache;
  } = {},
): Promise<WebhookReceipt> {
  const repository = await getGitRepository(deps.store, request.repositoryId);
  if (repository.provider !== request.provider) {
    throw new SlipwayError(
      'WEBHOOK_PROVIDER_MISMATCH',
      `repository ${repository.name} is a ${repository.provider} repository, not a ${request.provider} one`,
      { details: { provider: repository.provider } },
    );
  }
  const nowMs = deps.clock.nowMs();
  const secretRecord = await deps.store.gitWebhooks.findSecret(repository.id);
  const secrets = openWebhookSecrets(deps, repository, secretRecord, nowMs, options.secretCache);
  if (secrets.length === 0) {
    throw new SlipwayError(
      'WEBHOOK_SECRET_NOT_SET',
      `repository ${repository.name} has no webhook secret: make one with "slipway repos webhook rotate"`,
    );
  }
  if (!isWebhookSignatureValid(request.provider, request.headers, request.body, secrets, nowMs)) {
    throw new SlipwayError(
      'WEBHOOK_SIGNATURE_INVALID',
      "the delivery is not signed with the repository's webhook secret",
    );
  }
  options.admit?.(repository);
  const { deliveryKey, eventName } = webhookDeliveryIdentity(request.provider, request.headers, request.body);
  const meaning = normalized(request, { repositoryId: repository.id, deliveryKey, eventName });
  const events = meaning instanceof Error || meaning.kind === 'ignored' ? [] : meaning.events;
  const [status, reason] =
    meaning instanceof Error
      ? (['failed', meaning.message] as const)
      : meaning.kind === 'ignored'
        ? (['ignored', meaning.reason] as const)
        : (['queued', null] as const);
  // The inbox is unique on (provider, key): the key is the repository's own, so a delivery to one repository never
  // passes for a duplicate of another's that reused its key (nor is answered with that delivery's id).
  const inboxKey = inboxDeliveryKey(repository.id, deliveryKey);
  const record: WebhookDeliveryRecord = {
    id: deps.ids.next('whd'),
    repositoryId: repository.id,
    provider: request.provider,
    deliveryKey: inboxKey,
    eventName,
    state: status === 'queued' ? 'queued' : 'done',
    events,
    ...subjectOf(events),
    outcome: status === 'queued' ? null : status,
    reason,
    deploymentIds: [],
    attempts: 0,
    leaseOwner: null,
    leaseUntilMs: null,
    receivedAtMs: nowMs,
    processedAtMs: status === 'queued' ? null : nowMs,
  };
  if (await deps.store.gitWebhooks.insertDelivery(record)) return { deliveryId: record.id, status, reason };
  const stored = await deps.store.gitWebhooks.findDelivery(request.provider, inboxKey);
  return { deliveryId: stored?.id ?? record.id, status: 'duplicate', reason: 'delivered before' };
}
