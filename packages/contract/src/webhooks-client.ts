/** The webhook part of the typed API client: a repository's webhook secret and its deliveries. */
import type { ApiTransport } from './api-transport.js';
import {
  listWebhookDeliveriesResponseSchema,
  webhookSecretSchema,
  type RotateWebhookSecretBody,
  type WebhookDeliveryView,
  type WebhookSecretView,
} from './webhooks-api.js';

export interface WebhooksClient {
  webhooks: {
    /** POST /api/v1/projects/:project/repositories/:repository/webhook/rotate (admin); the secret is shown once. */
    rotate(project: string, repository: string, body: RotateWebhookSecretBody): Promise<WebhookSecretView>;
    /** GET /api/v1/projects/:project/repositories/:repository/deliveries, newest first. */
    deliveries(project: string, repository: string, limit?: number): Promise<{ deliveries: WebhookDeliveryView[] }>;
  };
}

export function createWebhooksClient({ call }: Pick<ApiTransport, 'call'>): WebhooksClient {
  const one = (project: string, repository: string): string =>
    `/api/v1/projects/${encodeURIComponent(project)}/repositories/${encodeURIComponent(repository)}`;
  return {
    webhooks: {
      rotate: (project, repository, body) =>
        call({ method: 'POST', path: `${one(project, repository)}/webhook/rotate`, json: body }, webhookSecretSchema),
      deliveries: (project, repository, limit) =>
        call(
          {
            method: 'GET',
            path: `${one(project, repository)}/deliveries`,
            ...(limit === undefined ? {} : { query: { limit: String(limit) } }),
          },
          listWebhookDeliveriesResponseSchema,
        ),
    },
  };
}
