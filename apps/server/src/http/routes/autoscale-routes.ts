/** The autoscaler's status: each autoscaled process type's settings, count and recent decisions. */
import { appParamsSchema, autoscaleQuerySchema, autoscaleStatusSchema } from '@slipway/contract';
import { getAutoscaleStatus } from '@slipway/core';
import { onApp } from '../auth/route-permissions.js';
import { routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

export const autoscaleRoutes: RouteGroup<RouteContext> = {
  name: 'autoscale-routes',
  routes: [
    route({
      method: 'GET',
      url: '/api/v1/apps/:app/autoscale',
      summary: "Each autoscaled process type's bounds, metrics, count and recent decisions with their reasoning",
      permission: { action: 'autoscale.read', access: onApp('viewer') },
      schema: { params: appParamsSchema, querystring: autoscaleQuerySchema, response: { 200: autoscaleStatusSchema } },
      handler: async ({ params, query }, _reply, { deps }) =>
        getAutoscaleStatus(deps, { app: params.app, environment: query.environment, limit: query.limit }),
    }),
  ],
};
