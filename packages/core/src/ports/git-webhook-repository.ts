/**
 * The webhook inbox and the webhook secrets of repositories. The inbox is unique on (provider, delivery key), so a
 * provider's retry of a delivery is stored once; deliveries are handed to processing under leases (an owner, an
 * attempt number and an expiry), as the job queue does, so a slipwayd killed between accepting and processing a
 * delivery processes it after it restarts, and a run that lost its lease cannot record an outcome.
 */
import type { GitEvent, GitEventOutcome, GitProvider } from '../git/git-event.js';
import type { SealedSecret } from '../domain/secret-records.js';

/** The webhook secret of one repository: the current one, and the previous one while its grace period lasts. */
export interface WebhookSecretRecord {
  readonly repositoryId: string;
  /** The repository's own data key, wrapped under the master key (never the key itself). */
  readonly dataKey: { readonly id: string; readonly wrappedKey: string; readonly masterKeyId: string };
  readonly current: { readonly version: number; readonly sealed: SealedSecret };
  /** The secret the rotation replaced, accepted until `untilMs`; null when none is. */
  readonly previous: { readonly version: number; readonly sealed: SealedSecret; readonly untilMs: number } | null;
  readonly rotatedAtMs: number;
}

export type WebhookDeliveryState = 'queued' | 'leased' | 'done';

export interface WebhookDeliveryRecord {
  readonly id: string;
  readonly repositoryId: string;
  readonly provider: GitProvider;
  readonly deliveryKey: string;
  /** The provider's event name (`push`, `Merge Request Hook`, `pullrequest:updated`). */
  readonly eventName: string;
  readonly state: WebhookDeliveryState;
  /** What the payload means; empty for a delivery recorded as ignored or failed on receipt. */
  readonly events: readonly GitEvent[];
  /** A pull request's `pull-request:<n>`, or a push's ref: what `headSha` is the head of. */
  readonly subject: string | null;
  readonly headSha: string | null;
  /** Set once done (on receipt for an ignored or malformed delivery, after handling otherwise). */
  readonly outcome: GitEventOutcome['outcome'] | null;
  readonly reason: string | null;
  readonly deploymentIds: readonly string[];
  /** Leases taken so far. */
  readonly attempts: number;
  readonly leaseOwner: string | null;
  readonly leaseUntilMs: number | null;
  readonly receivedAtMs: number;
  readonly processedAtMs: number | null;
}

export interface WebhookDeliveryLease {
  readonly deliveryId: string;
  readonly owner: string;
  readonly attempt: number;
}

export interface WebhookDeliveryResult {
  readonly outcome: GitEventOutcome['outcome'];
  readonly reason: string;
  readonly deploymentIds: readonly string[];
  readonly processedAtMs: number;
}

export interface GitWebhookRepository {
  findSecret(repositoryId: string): Promise<WebhookSecretRecord | undefined>;
  /** Every repository's secrets (a master-key rotation re-wraps their data keys). */
  listSecrets(): Promise<WebhookSecretRecord[]>;
  /** Stores the repository's secrets, replacing what was stored. */
  putSecret(record: WebhookSecretRecord): Promise<void>;
  /** Forgets the repository's secret and deliveries (the repository is removed). Idempotent. */
  deleteRepository(repositoryId: string): Promise<void>;
  /**
   * Stores a received delivery; false (and nothing written) when one with its provider and delivery key is stored
   * already. Durable when it resolves.
   */
  insertDelivery(record: WebhookDeliveryRecord): Promise<boolean>;
  findDelivery(provider: GitProvider, deliveryKey: string): Promise<WebhookDeliveryRecord | undefined>;
  /** Leases the oldest queued delivery, or one whose lease has run out; increments its attempts. */
  leaseDelivery(owner: string, leaseMs: number, nowMs: number): Promise<WebhookDeliveryRecord | undefined>;
  /**
   * Records the outcome if the lease is still held (owner and attempt unchanged); false otherwise, and nothing is
   * written.
   */
  finishDelivery(lease: WebhookDeliveryLease, result: WebhookDeliveryResult): Promise<boolean>;
  /**
   * Queues again the deliveries leased by owners starting with `ownerPrefix` other than `exceptOwner`: one data dir
   * has one slipwayd, so those were held by an incarnation that died. Returns how many.
   */
  reclaimAbandoned(ownerPrefix: string, exceptOwner: string): Promise<number>;
  /** The repository's deliveries, newest first. */
  listDeliveries(repositoryId: string, limit: number): Promise<WebhookDeliveryRecord[]>;
  /** The head recorded by the newest processed delivery of this subject other than `exceptId`, if any. */
  findPreviousHead(repositoryId: string, subject: string, exceptId: string): Promise<string | undefined>;
}
