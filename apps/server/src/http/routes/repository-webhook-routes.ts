/**
 * A repository's webhook, seen from the API: make or rotate its secret (admin; the answer holds the secret, shown
 * this once, and the URL path to paste into the provider) and list the deliveries its inbox holds (viewer).
 */
import {
  listWebhookDeliveriesQuerySchema,
  listWebhookDeliveriesResponseSchema,
  repositoryParamsSchema,
  rotateWebhookSecretBodySchema,
  webhookSecretSchema,
} from '@slipway/contract';
import { defaultWebhookGraceMs, listRepositoryDeliveries, rotateRepositoryWebhook } from '@slipway/core';
import { onProject } from '../auth/route-permissions.js';
import { routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();
const basePath = '/api/v1/projects/:project/repositories/:repository';

export const repositoryWebhookRoutes: RouteGroup<RouteContext> = {
  name: 'repository-webhook-routes',
  routes: [
    route({
      method: 'POST',
      url: `${basePath}/webhook/rotate`,
      summary:
        "Make the repository's webhook secret, or a new one keeping the previous one valid for a grace period; the answer shows it once",
      permission: { action: 'repositories.webhook.rotate', access: onProject('admin') },
      schema: {
        params: repositoryParamsSchema,
        body: rotateWebhookSecretBodySchema,
        response: { 200: webhookSecretSchema },
      },
      handler: async ({ params, body }, reply, { deps }) => {
        const graceMs = body.graceSeconds === undefined ? defaultWebhookGraceMs : body.graceSeconds * 1000;
        // The answer holds a secret: no cache may keep it.
        void reply.header('cache-control', 'no-store');
        return rotateRepositoryWebhook(deps, params.project, params.repository, graceMs);
      },
    }),
    route({
      method: 'GET',
      url: `${basePath}/deliveries`,
      summary: "The repository's webhook deliveries, newest first: event, status and what handling them did",
      permission: { action: 'repositories.deliveries', access: onProject('viewer') },
      schema: {
        params: repositoryParamsSchema,
        querystring: listWebhookDeliveriesQuerySchema,
        response: { 200: listWebhookDeliveriesResponseSchema },
      },
      handler: async ({ params, query }, _reply, { deps }) => ({
        deliveries: await listRepositoryDeliveries(deps, params.project, params.repository, query.limit),
      }),
    }),
  ],
};
