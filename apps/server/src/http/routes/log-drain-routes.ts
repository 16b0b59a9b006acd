/**
 * Log drains of an app, or of a project (every app of it) (docs/logs.md): listed with their status by the project's
 * viewers, added and removed by its deployers. A drain's URL is write-only: no answer carries it, only its scheme, host and port.
 */
import {
  addLogDrainBodySchema,
  appParamsSchema,
  listLogDrainsResponseSchema,
  logDrainParamsSchema,
  logDrainSchema,
  projectLogDrainParamsSchema,
  repositoryProjectParamsSchema,
} from '@slipway/contract';
import { addLogDrain, listLogDrains, removeLogDrain } from '@slipway/core';
import { onApp, onProject } from '../auth/route-permissions.js';
import { noContent, routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

export const logDrainRoutes: RouteGroup<RouteContext> = {
  name: 'log-drain-routes',
  routes: [
    route({
      method: 'GET',
      url: '/api/v1/apps/:app/log-drains',
      summary: "An app's log drains: destination (never the URL), lines shipped and waiting, last success and error",
      permission: { action: 'log-drains.list', access: onApp('viewer') },
      schema: { params: appParamsSchema, response: { 200: listLogDrainsResponseSchema } },
      handler: async ({ params }, _reply, { deps }) => ({ drains: await listLogDrains(deps, { app: params.app }) }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/apps/:app/log-drains',
      summary:
        'Add a log drain (syslog+tls://, syslog://, https://, http://); 400 LOG_DRAIN_INVALID for any other URL. It ships the lines stored from now on',
      permission: { action: 'log-drains.add', access: onApp('deployer') },
      schema: { params: appParamsSchema, body: addLogDrainBodySchema, response: { 201: logDrainSchema } },
      handler: async ({ params, body }, reply, { deps }) =>
        reply.status(201).send(await addLogDrain(deps, { app: params.app }, body)),
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/apps/:app/log-drains/:id',
      summary: 'Remove a log drain: nothing more is shipped to it',
      permission: { action: 'log-drains.remove', access: onApp('deployer') },
      schema: { params: logDrainParamsSchema, response: { 204: noContent } },
      handler: async ({ params }, reply, { deps }) => {
        await removeLogDrain(deps, { app: params.app }, params.id);
        return reply.status(204).send();
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/projects/:project/log-drains',
      summary: "A project's own log drains (each ships every app of the project), with their status",
      permission: { action: 'log-drains.list', access: onProject('viewer') },
      schema: { params: repositoryProjectParamsSchema, response: { 200: listLogDrainsResponseSchema } },
      handler: async ({ params }, _reply, { deps }) => ({
        drains: await listLogDrains(deps, { project: params.project }),
      }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/projects/:project/log-drains',
      summary: 'Add a log drain for every app of the project, present and future (same URLs as an app drain)',
      permission: { action: 'log-drains.add', access: onProject('deployer') },
      schema: { params: repositoryProjectParamsSchema, body: addLogDrainBodySchema, response: { 201: logDrainSchema } },
      handler: async ({ params, body }, reply, { deps }) =>
        reply.status(201).send(await addLogDrain(deps, { project: params.project }, body)),
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/projects/:project/log-drains/:id',
      summary: "Remove one of the project's log drains",
      permission: { action: 'log-drains.remove', access: onProject('deployer') },
      schema: { params: projectLogDrainParamsSchema, response: { 204: noContent } },
      handler: async ({ params }, reply, { deps }) => {
        await removeLogDrain(deps, { project: params.project }, params.id);
        return reply.status(204).send();
      },
    }),
  ],
};
