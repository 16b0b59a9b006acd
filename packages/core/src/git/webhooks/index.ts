/** Webhooks of git hosts: verification, normalization to git events, secrets, the inbox and its processing. */
export type {
  GitWebhookRepository,
  WebhookDeliveryLease,
  WebhookDeliveryRecord,
  WebhookDeliveryResult,
  WebhookDeliveryState,
  WebhookSecretRecord,
} from '../../ports/git-webhook-repository.js';
export { isWebhookSignatureValid, signWebhook, type WebhookHeaders } from './webhook-signature.js';
export { signStandardWebhook, standardWebhookToleranceMs } from './standard-webhook-signature.js';
export { inboxDeliveryKey, webhookDeliveryIdentity, type WebhookDeliveryIdentity } from './webhook-delivery.js';
export { normalizeWebhook } from './webhook-payload.js';
export type { WebhookContext, WebhookNormalization } from './webhook-normalization.js';
export {
  createWebhookSecretCache,
  openWebhookSecrets,
  rewrapWebhookSecrets,
  rotateWebhookSecret,
  type RotatedWebhookSecret,
  type WebhookSecretCache,
} from './webhook-secrets.js';
export { receiveWebhook, type WebhookReceipt, type WebhookRequest } from './receive-webhook.js';
export {
  processNextWebhookDelivery,
  webhookMaxAttempts,
  type GitEventHandler,
  type WebhookProcessOptions,
} from './process-webhook-delivery.js';
export {
  defaultWebhookGraceMs,
  listRepositoryDeliveries,
  rotateRepositoryWebhook,
  webhookDeliveryView,
  webhookPath,
} from './repository-webhooks.js';
