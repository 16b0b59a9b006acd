/** `GET /api/v1/projects/:project/apps`: one page of a project environment's apps, searched and sorted on the server. */
import { appsOverviewParamsSchema, appsOverviewQuerySchema, appsOverviewResponseSchema } from '@slipway/contract';
import { readAppsOverview } from '@slipway/core';
import { onProject } from '../auth/route-permissions.js';
import { routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

export const appsOverviewRoutes: RouteGroup<RouteContext> = {
  name: 'apps-overview-routes',
  routes: [
    route({
      method: 'GET',
      url: '/api/v1/projects/:project/apps',
      summary: "A page of a project environment's apps: status and its age, release, instances, last deployment",
      permission: { action: 'apps.overview', access: onProject('viewer') },
      schema: {
        params: appsOverviewParamsSchema,
        querystring: appsOverviewQuerySchema,
        response: { 200: appsOverviewResponseSchema },
      },
      handler: async (request, _reply, { appsOverview }) =>
        readAppsOverview(appsOverview, { project: request.params.project, ...request.query }),
    }),
  ],
};
