/** Projects, apps, config, scale, releases, instances and logs. */
import type { FastifyReply } from 'fastify';
import {
  appParamsSchema,
  appSchema,
  configPatchBodySchema,
  configChangeResponseSchema,
  configResponseSchema,
  createAppBodySchema,
  createProjectBodySchema,
  environmentQuerySchema,
  listAppsResponseSchema,
  listInstancesResponseSchema,
  listProjectsResponseSchema,
  listReleasesResponseSchema,
  logsQuerySchema,
  logsResponseSchema,
  projectSchema,
  scaleBodySchema,
  scaleResponseSchema,
} from '@slipway/contract';
import {
  createApp,
  createProject,
  deleteApp,
  getAppView,
  getConfig,
  listApps,
  listInstances,
  listProjects,
  listReleases,
  patchConfig,
  scaleApp,
  streamLogs,
  tailLogs,
} from '@slipway/core';
import { visibleProjectNames, visibleProjects } from '../auth/authorize.js';
import { watchCredential } from '../auth/credential-watch.js';
import { requirePrincipal } from '../auth/request-principal.js';
import { anyProject, globally, onApp, onBodyProject } from '../auth/route-permissions.js';
import { noContent, routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';
import { openSse } from '../sse.js';
import { isHistoryRequest, serveLogHistory } from './log-history-route.js';
import { logTailJson } from './log-tail-json.js';

const route = routeFor<RouteContext>();

export const appRoutes: RouteGroup<RouteContext> = {
  name: 'app-routes',
  routes: [
    // Lists show only the projects the caller may read.
    route({
      method: 'GET',
      url: '/api/v1/projects',
      summary: 'List projects',
      permission: { action: 'projects.list', access: anyProject('viewer') },
      schema: { response: { 200: listProjectsResponseSchema } },
      handler: async (request, _reply, { deps }) => {
        const canSee = visibleProjects(request);
        return { projects: (await listProjects(deps)).filter((p) => canSee(p.id)) };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/projects',
      summary: 'Create a project',
      permission: { action: 'projects.create', access: globally('admin') },
      schema: { body: createProjectBodySchema, response: { 201: projectSchema } },
      handler: async (request, reply, { deps }) => reply.status(201).send(await createProject(deps, request.body.name)),
    }),
    route({
      method: 'GET',
      url: '/api/v1/apps',
      summary: 'List apps',
      permission: { action: 'apps.list', access: anyProject('viewer') },
      schema: { response: { 200: listAppsResponseSchema } },
      handler: async (request, _reply, { deps }) => {
        const canSee = await visibleProjectNames(request, deps.store);
        return { apps: (await listApps(deps)).filter((a) => canSee(a.project)) };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/apps',
      summary: 'Create an app',
      permission: { action: 'apps.create', access: onBodyProject('admin') },
      schema: { body: createAppBodySchema, response: { 201: appSchema } },
      handler: async (request, reply, { deps }) => reply.status(201).send(await createApp(deps, request.body)),
    }),
    route({
      method: 'GET',
      url: '/api/v1/apps/:app',
      summary: 'Describe an app',
      permission: { action: 'apps.read', access: onApp('viewer') },
      schema: { params: appParamsSchema, response: { 200: appSchema } },
      handler: async (request, _reply, { deps }) => getAppView(deps, request.params.app),
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/apps/:app',
      summary: 'Delete an app, its instances, routes and releases',
      permission: { action: 'apps.delete', access: onApp('admin') },
      schema: { params: appParamsSchema, response: { 204: noContent } },
      handler: async (request, reply, { deps, fleet }) => {
        await deleteApp(deps, fleet, request.params.app);
        return reply.status(204).send();
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/apps/:app/config',
      summary: 'Read config (env vars)',
      permission: { action: 'config.read', access: onApp('viewer') },
      schema: { params: appParamsSchema, querystring: environmentQuerySchema, response: { 200: configResponseSchema } },
      handler: async ({ params, query }, _reply, { deps }) =>
        getConfig(deps, { app: params.app, environment: query.environment }),
    }),
    route({
      method: 'PATCH',
      url: '/api/v1/apps/:app/config',
      summary: 'Set/unset config; rolls out a new release unless deploy=false',
      permission: { action: 'config.write', access: onApp('deployer') },
      schema: {
        params: appParamsSchema,
        querystring: environmentQuerySchema,
        body: configPatchBodySchema,
        response: { 200: configChangeResponseSchema },
      },
      handler: async (request, _reply, { deps, worker }) => {
        const { params, query, body } = request;
        const requestedBy = requirePrincipal(request).userName;
        const result = await patchConfig(deps, {
          app: params.app,
          environment: query.environment,
          ...body,
          requestedBy,
        });
        if (result.deploymentId) worker.poke();
        return result;
      },
    }),
    route({
      method: 'PUT',
      url: '/api/v1/apps/:app/scale',
      summary: 'Set replicas per process type',
      permission: { action: 'apps.scale', access: onApp('deployer') },
      schema: {
        params: appParamsSchema,
        querystring: environmentQuerySchema,
        body: scaleBodySchema,
        response: { 200: scaleResponseSchema },
      },
      handler: async ({ params, query, body }, _reply, { deps }) => ({
        processes: await scaleApp(deps, { app: params.app, environment: query.environment, processes: body.processes }),
      }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/apps/:app/releases',
      summary: 'List retained releases, newest first',
      permission: { action: 'releases.list', access: onApp('viewer') },
      schema: {
        params: appParamsSchema,
        querystring: environmentQuerySchema,
        response: { 200: listReleasesResponseSchema },
      },
      handler: async ({ params, query }, _reply, { deps }) => ({
        releases: await listReleases(deps, { app: params.app, environment: query.environment }),
      }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/apps/:app/instances',
      summary: 'List instances',
      permission: { action: 'instances.list', access: onApp('viewer') },
      schema: {
        params: appParamsSchema,
        querystring: environmentQuerySchema,
        response: { 200: listInstancesResponseSchema },
      },
      handler: async ({ params, query }, _reply, { deps }) => ({
        instances: await listInstances(deps, { app: params.app, environment: query.environment }),
      }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/apps/:app/logs',
      summary:
        'Instance output: tail (JSON), or follow (SSE of log lines); with since/until/grep/after, the persisted log',
      permission: { action: 'logs.read', access: onApp('viewer') },
      schema: { params: appParamsSchema, querystring: logsQuerySchema, response: { 200: logsResponseSchema } },
      handler: async (request, reply, { deps, identity, shutdownSignal }) => {
        const { params, query } = request;
        if (isHistoryRequest(query, request.headers)) {
          const until = (): AbortSignal => AbortSignal.any([shutdownSignal, watchCredential(request, identity)]);
          return serveLogHistory(request, reply, deps, until);
        }
        const input = {
          app: params.app,
          environment: query.environment,
          tail: query.tail,
          follow: query.follow,
          ...(query.process === undefined ? {} : { process: query.process }),
        };
        if (!query.follow) {
          // Streamed: an app with many instances is bounded as a whole by tailLogs, and never held whole here.
          const items = tailLogs(deps, input)[Symbol.asyncIterator]();
          const first = await items.next();
          // The stream is the schema's JSON written piece by piece; the typed reply only knows the built object.
          const untyped = reply as unknown as FastifyReply;
          return untyped.type('application/json; charset=utf-8').send(logTailJson(first, items));
        }
        // Resolve the app first so an unknown app is a coded error, not an empty stream.
        await getAppView(deps, params.app);
        // The stream ends at shutdown, and when the credential that opened it is revoked.
        const until = AbortSignal.any([shutdownSignal, watchCredential(request, identity)]);
        const sse = openSse(request, reply, until);
        try {
          for await (const line of streamLogs(deps, { ...input, signal: sse.signal }))
            await sse.send({ event: 'log', data: line });
        } finally {
          sse.end();
        }
        return reply;
      },
    }),
  ],
};
