/**
 * `GET /metrics`: every metric of slipwayd and the edge in the Prometheus text format. The metrics name the apps of
 * every project, so reading them takes a role held globally (a global admin's token capped at `viewer` is enough); a
 * credential scoped to one project is refused.
 */
import { SlipwayError } from '@slipway/contract';
import { globally } from '../auth/route-permissions.js';
import { routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

export const metricsRoutes: RouteGroup<RouteContext> = {
  name: 'metrics-routes',
  routes: [
    route({
      method: 'GET',
      url: '/metrics',
      summary: 'Prometheus metrics of slipwayd and the edge (text exposition format 0.0.4)',
      permission: { action: 'metrics.read', access: globally('viewer') },
      produces: 'text/plain',
      schema: {},
      handler: async (_request, reply, context) => {
        if (context.metrics === undefined) throw new SlipwayError('ROUTE_NOT_FOUND', 'this slipwayd keeps no metrics');
        const exposition = await context.metrics.registry.exposition();
        return reply.type(exposition.contentType).send(exposition.text);
      },
    }),
  ],
};
