/** A rollout's status and controls: promote (a step, or in full), pause, resume, abort, retry an aborted one. */
import {
  appParamsSchema,
  createDeploymentResponseSchema,
  environmentQuerySchema,
  noBodySchema,
  promoteRequestSchema,
  rolloutViewSchema,
} from '@slipway/contract';
import {
  abortRollout,
  getRolloutStatus,
  pauseRollout,
  promoteRollout,
  resumeRollout,
  retryRollout,
} from '@slipway/core';
import { requirePrincipal } from '../auth/request-principal.js';
import { onApp } from '../auth/route-permissions.js';
import { routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';
import { acceptedDeployment } from './deployment-upload-routes.js';

const route = routeFor<RouteContext>();

const controlSchema = {
  params: appParamsSchema,
  querystring: environmentQuerySchema,
  body: noBodySchema,
  response: { 200: rolloutViewSchema },
};

export const rolloutRoutes: RouteGroup<RouteContext> = {
  name: 'rollout-routes',
  routes: [
    route({
      method: 'GET',
      url: '/api/v1/apps/:app/rollout',
      summary: "The app environment's last rollout: phase, pause reason, step, weights, pending control",
      permission: { action: 'rollouts.read', access: onApp('viewer') },
      schema: { params: appParamsSchema, querystring: environmentQuerySchema, response: { 200: rolloutViewSchema } },
      handler: async ({ params, query }, _reply, { deps }) =>
        getRolloutStatus(deps, { app: params.app, environment: query.environment }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/apps/:app/rollout/promote',
      summary:
        'Leave the paused step (full: skip every remaining step, pause and analysis); 409 when nothing is paused',
      permission: { action: 'rollouts.promote', access: onApp('deployer') },
      schema: { ...controlSchema, body: promoteRequestSchema },
      handler: async (request, _reply, { deps }) =>
        promoteRollout(deps, {
          app: request.params.app,
          environment: request.query.environment,
          full: request.body.full,
          by: requirePrincipal(request).userName,
        }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/apps/:app/rollout/pause',
      summary: 'Hold the rollout where it is (weights and instances stay; the progress deadline stops)',
      permission: { action: 'rollouts.pause', access: onApp('deployer') },
      schema: controlSchema,
      handler: async (request, _reply, { deps }) =>
        pauseRollout(deps, {
          app: request.params.app,
          environment: request.query.environment,
          by: requirePrincipal(request).userName,
        }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/apps/:app/rollout/resume',
      summary: 'End a pause asked with pause; 409 when no user paused it',
      permission: { action: 'rollouts.resume', access: onApp('deployer') },
      schema: controlSchema,
      handler: async (request, _reply, { deps }) =>
        resumeRollout(deps, {
          app: request.params.app,
          environment: request.query.environment,
          by: requirePrincipal(request).userName,
        }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/apps/:app/rollout/abort',
      summary: 'All traffic back to the stable release at once, which is the desired one again; the deployment fails',
      permission: { action: 'rollouts.abort', access: onApp('deployer') },
      schema: controlSchema,
      handler: async (request, _reply, { deps }) =>
        abortRollout(deps, {
          app: request.params.app,
          environment: request.query.environment,
          by: requirePrincipal(request).userName,
        }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/apps/:app/rollout/retry',
      summary: 'Roll the release of an aborted or degraded rollout out again, through every step (a new deployment)',
      permission: { action: 'rollouts.retry', access: onApp('deployer') },
      schema: { ...controlSchema, response: { 202: createDeploymentResponseSchema } },
      handler: async (request, reply, context) =>
        acceptedDeployment(
          context,
          reply,
          await retryRollout(context.deps, {
            app: request.params.app,
            environment: request.query.environment,
            by: requirePrincipal(request).userName,
          }),
        ),
    }),
  ],
};
