/**
 * Deployments: list, describe, stream events, cancel, roll back (a deployment request is in
 * `deployment-upload-routes.ts`).
 */
import { z } from 'zod';
import {
  appParamsSchema,
  createDeploymentResponseSchema,
  deploymentEventSchema,
  deploymentParamsSchema,
  deploymentSchema,
  environmentQuerySchema,
  listDeploymentsResponseSchema,
  rollbackBodySchema,
} from '@slipway/contract';
import {
  cancelDeployment,
  getDeploymentView,
  listDeployments,
  readDeploymentEvents,
  requestRollback,
} from '@slipway/core';
import { watchCredential } from '../auth/credential-watch.js';
import { requirePrincipal } from '../auth/request-principal.js';
import { onApp, onDeployment } from '../auth/route-permissions.js';
import { routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';
import { openSse } from '../sse.js';
import { acceptedDeployment } from './deployment-upload-routes.js';

const listQuerySchema = environmentQuerySchema.extend({
  limit: z.coerce.number().int().min(1).max(500).default(20).describe('At most this many (default 20)'),
});
const eventsQuerySchema = z.object({
  after: z.coerce.number().int().min(0).default(0).describe('Only events after this sequence number'),
});

const route = routeFor<RouteContext>();

export const deploymentRoutes: RouteGroup<RouteContext> = {
  name: 'deployment-routes',
  routes: [
    route({
      method: 'POST',
      url: '/api/v1/apps/:app/rollback',
      summary: 'Roll back to an earlier release without a build',
      permission: { action: 'releases.rollback', access: onApp('deployer') },
      schema: {
        params: appParamsSchema,
        querystring: environmentQuerySchema,
        // No body is the same as an empty one: the previous release.
        body: rollbackBodySchema.optional(),
        response: { 202: createDeploymentResponseSchema },
      },
      handler: async (request, reply, context) => {
        const { params, query, body } = request;
        const input = {
          app: params.app,
          environment: query.environment,
          requestedBy: requirePrincipal(request).userName,
          ...(body?.toRelease === undefined ? {} : { toRelease: body.toRelease }),
        };
        return acceptedDeployment(context, reply, await requestRollback(context.deps, input));
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/apps/:app/deployments',
      summary: 'List deployments, newest first',
      permission: { action: 'deployments.list', access: onApp('viewer') },
      schema: {
        params: appParamsSchema,
        querystring: listQuerySchema,
        response: { 200: listDeploymentsResponseSchema },
      },
      handler: async ({ params, query }, _reply, { deps }) => ({
        deployments: await listDeployments(deps, {
          app: params.app,
          environment: query.environment,
          limit: query.limit,
        }),
      }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/deployments/:id',
      summary: 'Describe a deployment with its phases',
      permission: { action: 'deployments.read', access: onDeployment('viewer') },
      schema: { params: deploymentParamsSchema, response: { 200: deploymentSchema } },
      handler: async ({ params }, _reply, { deps }) => getDeploymentView(deps, params.id),
    }),
    route({
      method: 'POST',
      url: '/api/v1/deployments/:id/cancel',
      summary: 'Cancel a pending or running deployment (idempotent); 409 once it has finished',
      permission: { action: 'deployments.cancel', access: onDeployment('deployer') },
      schema: { params: deploymentParamsSchema, response: { 202: deploymentSchema } },
      handler: async (request, reply, { deps }) => {
        const by = requirePrincipal(request).userName;
        return reply.status(202).send(await cancelDeployment(deps, { id: request.params.id, by }));
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/deployments/:id/events',
      summary: 'Live events (SSE): phase, log and state; ends after the final state',
      permission: { action: 'deployments.events', access: onDeployment('viewer') },
      schema: {
        params: deploymentParamsSchema,
        querystring: eventsQuerySchema,
        response: { 200: deploymentEventSchema },
      },
      produces: 'text/event-stream',
      handler: async (request, reply, { deps, identity, shutdownSignal }) => {
        const params = request.params;
        const query = request.query;
        const lastEventId = Number(request.headers['last-event-id']);
        let after = Number.isInteger(lastEventId) && lastEventId > query.after ? lastEventId : query.after;
        await getDeploymentView(deps, params.id);
        // The stream ends at shutdown, and when the credential that opened it is revoked.
        const until = AbortSignal.any([shutdownSignal, watchCredential(request, identity)]);
        const sse = openSse(request, reply, until);
        let wake: (() => void) | undefined;
        const unsubscribe = deps.events.subscribe(params.id, () => wake?.());
        try {
          while (!sse.signal.aborted) {
            const events = await readDeploymentEvents(deps, params.id, after);
            for (const event of events) {
              await sse.send({ id: event.seq, event: event.type, data: event });
              after = event.seq;
            }
            if (events.some((e) => e.type === 'state' && e.state !== 'running' && e.state !== 'pending')) break;
            if (events.length > 0) continue;
            // No new events: the deployment may have ended before this stream opened with nothing left to send.
            const view = await getDeploymentView(deps, params.id);
            if (
              view.state !== 'running' &&
              view.state !== 'pending' &&
              (await readDeploymentEvents(deps, params.id, after)).length === 0
            )
              break;
            await new Promise<void>((resolve) => {
              // One listener per wait, removed when the wait ends: a long stream must not pile them up on its signal.
              const done = (): void => {
                clearTimeout(timer);
                sse.signal.removeEventListener('abort', done);
                wake = undefined;
                resolve();
              };
              const timer = setTimeout(done, 1_000);
              wake = done;
              sse.signal.addEventListener('abort', done, { once: true });
            });
          }
        } finally {
          unsubscribe();
          sse.end();
        }
        return reply;
      },
    }),
  ],
};
