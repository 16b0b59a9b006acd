/** An app's log retention override (docs/logs.md): read by its project's viewers, set by its admins. */
import { appParamsSchema, logSettingsBodySchema, logSettingsSchema } from '@slipway/contract';
import { getAppLogSettings, setAppLogSettings } from '@slipway/core';
import { onApp } from '../auth/route-permissions.js';
import { routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

export const logSettingsRoutes: RouteGroup<RouteContext> = {
  name: 'log-settings-routes',
  routes: [
    route({
      method: 'GET',
      url: '/api/v1/apps/:app/log-settings',
      summary: "An app's log retention: its override and what applies",
      permission: { action: 'logs.read', access: onApp('viewer') },
      schema: { params: appParamsSchema, response: { 200: logSettingsSchema } },
      handler: async ({ params }, _reply, { deps }) => getAppLogSettings(deps, params.app),
    }),
    route({
      method: 'PUT',
      url: '/api/v1/apps/:app/log-settings',
      summary: "Sets an app's log retention override (null: slipwayd's default)",
      permission: { action: 'logs.configure', access: onApp('admin') },
      schema: { params: appParamsSchema, body: logSettingsBodySchema, response: { 200: logSettingsSchema } },
      handler: async ({ params, body }, _reply, { deps }) => setAppLogSettings(deps, params.app, body),
    }),
  ],
};
