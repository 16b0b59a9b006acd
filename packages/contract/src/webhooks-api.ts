/**
 * Webhooks of git hosts: the answer to a delivery, a repository's webhook secret (made or rotated; shown once) and
 * the inbox of its deliveries (`slipway repos webhook rotate`, `slipway repos deliveries`).
 */
import { z } from 'zod';

export const webhookProviderNames = ['github', 'gitlab', 'gitea', 'bitbucket'] as const;

/** What a provider gets back (202): the delivery is stored and will be handled, or was received before. */
export const webhookReceiptSchema = z.object({
  delivery: z.object({
    id: z.string(),
    /** `queued` (handled shortly), `ignored` (an event Slipway does not act on), `failed` (malformed payload), `duplicate`. */
    status: z.enum(['queued', 'ignored', 'failed', 'duplicate']),
    reason: z.string().nullable(),
  }),
});
export type WebhookReceiptView = z.infer<typeof webhookReceiptSchema>;

/** Longest grace of a rotated secret: 30 days. */
export const maxWebhookGraceSeconds = 30 * 86_400;

export const rotateWebhookSecretBodySchema = z
  .object({
    /** How long the previous secret is still accepted; default 24 h, 0 for none. */
    graceSeconds: z.number().int().min(0).max(maxWebhookGraceSeconds).optional(),
  })
  .strict();
export type RotateWebhookSecretBody = z.infer<typeof rotateWebhookSecretBodySchema>;

export const webhookSecretSchema = z.object({
  /** The new secret: shown in this answer only, never again. */
  secret: z.string(),
  version: z.number().int(),
  /** Until when the previous secret is still accepted (ISO 8601); null when none is. */
  previousValidUntil: z.string().nullable(),
  /** The path to paste (after the API's address) as the provider's webhook URL. */
  path: z.string(),
  provider: z.enum(webhookProviderNames),
});
export type WebhookSecretView = z.infer<typeof webhookSecretSchema>;

export const webhookDeliverySchema = z.object({
  id: z.string(),
  provider: z.enum(webhookProviderNames),
  deliveryKey: z.string(),
  event: z.string(),
  /** `queued` (waiting), `processing` (being handled) or `done`. */
  status: z.enum(['queued', 'processing', 'done']),
  /** Once done: what handling it did. */
  outcome: z.enum(['deployed', 'ignored', 'waiting', 'removed', 'failed']).nullable(),
  reason: z.string().nullable(),
  deploymentIds: z.array(z.string()),
  attempts: z.number().int(),
  receivedAt: z.string(),
  processedAt: z.string().nullable(),
});
export type WebhookDeliveryView = z.infer<typeof webhookDeliverySchema>;

export const listWebhookDeliveriesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const listWebhookDeliveriesResponseSchema = z.object({ deliveries: z.array(webhookDeliverySchema) });
