/** Projects, apps, config, scale, releases, instances and logs. */
import type { FastifyInstance } from 'fastify';
import {
  appParamsSchema,
  configPatchBodySchema,
  createAppBodySchema,
  createProjectBodySchema,
  environmentQuerySchema,
  logsQuerySchema,
  scaleBodySchema,
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
} from '@slipway/core';
import { visibleProjectNames, visibleProjects } from '../auth/authorize.js';
import type { ServerContext } from '../server-context.js';
import { watchCredential } from '../auth/credential-watch.js';
import { openSse } from '../sse.js';
import { validate } from '../validate.js';

export function appRoutes(app: FastifyInstance, context: ServerContext): void {
  const { deps } = context;

  // Lists show only the projects the caller may read.
  app.get('/api/v1/projects', async (request) => {
    const canSee = visibleProjects(request);
    return { projects: (await listProjects(deps)).filter((p) => canSee(p.id)) };
  });
  app.post('/api/v1/projects', async (request, reply) => {
    const body = validate(createProjectBodySchema, request.body, 'body');
    return reply.status(201).send(await createProject(deps, body.name));
  });

  app.get('/api/v1/apps', async (request) => {
    const canSee = await visibleProjectNames(request, deps.store);
    return { apps: (await listApps(deps)).filter((a) => canSee(a.project)) };
  });
  app.post('/api/v1/apps', async (request, reply) => {
    const body = validate(createAppBodySchema, request.body, 'body');
    return reply.status(201).send(await createApp(deps, body));
  });
  app.get('/api/v1/apps/:app', async (request) => {
    const params = validate(appParamsSchema, request.params, 'params');
    return getAppView(deps, params.app);
  });
  app.delete('/api/v1/apps/:app', async (request, reply) => {
    const params = validate(appParamsSchema, request.params, 'params');
    await deleteApp(deps, context.fleet, params.app);
    return reply.status(204).send();
  });

  app.get('/api/v1/apps/:app/config', async (request) => {
    const params = validate(appParamsSchema, request.params, 'params');
    const query = validate(environmentQuerySchema, request.query, 'query');
    return { config: await getConfig(deps, { app: params.app, environment: query.environment }), deploymentId: null };
  });
  app.patch('/api/v1/apps/:app/config', async (request) => {
    const params = validate(appParamsSchema, request.params, 'params');
    const query = validate(environmentQuerySchema, request.query, 'query');
    const body = validate(configPatchBodySchema, request.body, 'body');
    const result = await patchConfig(deps, { app: params.app, environment: query.environment, ...body });
    if (result.deploymentId) context.worker.poke();
    return result;
  });

  app.put('/api/v1/apps/:app/scale', async (request) => {
    const params = validate(appParamsSchema, request.params, 'params');
    const query = validate(environmentQuerySchema, request.query, 'query');
    const body = validate(scaleBodySchema, request.body, 'body');
    return {
      processes: await scaleApp(deps, { app: params.app, environment: query.environment, processes: body.processes }),
    };
  });

  app.get('/api/v1/apps/:app/releases', async (request) => {
    const params = validate(appParamsSchema, request.params, 'params');
    const query = validate(environmentQuerySchema, request.query, 'query');
    return { releases: await listReleases(deps, { app: params.app, environment: query.environment }) };
  });

  app.get('/api/v1/apps/:app/instances', async (request) => {
    const params = validate(appParamsSchema, request.params, 'params');
    const query = validate(environmentQuerySchema, request.query, 'query');
    return { instances: await listInstances(deps, { app: params.app, environment: query.environment }) };
  });

  app.get('/api/v1/apps/:app/logs', async (request, reply) => {
    const params = validate(appParamsSchema, request.params, 'params');
    const query = validate(logsQuerySchema, request.query, 'query');
    const input = {
      app: params.app,
      environment: query.environment,
      tail: query.tail,
      follow: query.follow,
      ...(query.process === undefined ? {} : { process: query.process }),
    };
    if (!query.follow) {
      const lines = [];
      for await (const line of streamLogs(deps, input)) lines.push(line);
      return { lines };
    }
    // Resolve the app first so an unknown app is a coded error, not an empty stream.
    await getAppView(deps, params.app);
    // The stream ends at shutdown, and when the credential that opened it is revoked.
    const until = AbortSignal.any([context.shutdownSignal, watchCredential(request, context.identity)]);
    const sse = openSse(request, reply, until);
    try {
      for await (const line of streamLogs(deps, { ...input, signal: sse.signal }))
        await sse.send({ event: 'log', data: line });
    } finally {
      sse.end();
    }
    return reply;
  });
}
