/** Runtime tasks on an app: stop, start, restart, maintenance, and one-off runs in its current release. */
import {
  appParamsSchema,
  createDeploymentResponseSchema,
  defaultMaintenanceRetryAfterSeconds,
  defaultRunTimeoutSeconds,
  environmentQuerySchema,
  maintenanceBodySchema,
  noBodySchema,
  runBodySchema,
  runStateResponseSchema,
  type RunEvent,
} from '@slipway/contract';
import { restartApp, runOneOff, setMaintenance, startApp, stopApp } from '@slipway/core';
import { actorOfRequest } from '../auth/request-principal.js';
import { watchCredential } from '../auth/credential-watch.js';
import { onApp } from '../auth/route-permissions.js';
import { routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';
import { openSse } from '../sse.js';
import { acceptedDeployment } from './deployment-upload-routes.js';

const route = routeFor<RouteContext>();

export const runtimeTaskRoutes: RouteGroup<RouteContext> = {
  name: 'runtime-task-routes',
  routes: [
    route({
      method: 'POST',
      url: '/api/v1/apps/:app/stop',
      summary: 'Stop the app: its instances go, none starts until it is started, its routes answer 503 (maintenance)',
      permission: { action: 'apps.stop', access: onApp('deployer') },
      schema: {
        params: appParamsSchema,
        querystring: environmentQuerySchema,
        body: noBodySchema,
        response: { 200: runStateResponseSchema },
      },
      handler: async ({ params, query }, _reply, { deps, fleet }) =>
        stopApp(deps, fleet, { app: params.app, environment: query.environment }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/apps/:app/start',
      summary: 'Start a stopped app: its current release runs again',
      permission: { action: 'apps.start', access: onApp('deployer') },
      schema: {
        params: appParamsSchema,
        querystring: environmentQuerySchema,
        body: noBodySchema,
        response: { 200: runStateResponseSchema },
      },
      handler: async ({ params, query }, _reply, { deps, fleet }) =>
        startApp(deps, fleet, { app: params.app, environment: query.environment }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/apps/:app/restart',
      summary: 'Replace the running instances with new ones of the current release (a restart deployment)',
      permission: { action: 'apps.restart', access: onApp('deployer') },
      schema: {
        params: appParamsSchema,
        querystring: environmentQuerySchema,
        body: noBodySchema,
        response: { 202: createDeploymentResponseSchema },
      },
      handler: async ({ params, query }, reply, context) =>
        acceptedDeployment(
          context,
          reply,
          await restartApp(context.deps, { app: params.app, environment: query.environment }),
        ),
    }),
    route({
      method: 'PUT',
      url: '/api/v1/apps/:app/maintenance',
      summary: 'Turn maintenance on (the edge answers 503 with Retry-After and a page) or off',
      permission: { action: 'apps.maintenance', access: onApp('deployer') },
      schema: {
        params: appParamsSchema,
        querystring: environmentQuerySchema,
        body: maintenanceBodySchema,
        response: { 200: runStateResponseSchema },
      },
      handler: async ({ params, query, body }, _reply, { deps, fleet }) =>
        setMaintenance(deps, fleet, {
          app: params.app,
          environment: query.environment,
          maintenance: body.isEnabled
            ? {
                retryAfterSeconds: body.retryAfterSeconds ?? defaultMaintenanceRetryAfterSeconds,
                page: body.page ?? null,
              }
            : null,
        }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/apps/:app/runs',
      summary: 'Run a one-off command in the current release (SSE: started, output lines, exit)',
      permission: { action: 'apps.run', access: onApp('deployer') },
      schema: { params: appParamsSchema, querystring: environmentQuerySchema, body: runBodySchema },
      handler: async (request, reply, context) => {
        const { params, query, body } = request;
        const until = AbortSignal.any([context.shutdownSignal, watchCredential(request, context.identity)]);
        // The run stops when the client goes away (its stream closes), at shutdown, or when its credential is revoked.
        const clientGone = new AbortController();
        const events = runOneOff(context.deps, context.fleet, {
          app: params.app,
          environment: query.environment,
          command: body.command,
          timeoutMs: (body.timeoutSeconds ?? defaultRunTimeoutSeconds) * 1000,
          signal: AbortSignal.any([until, clientGone.signal]),
        })[Symbol.asyncIterator]();
        // The first event comes once the command has started: a refusal before it is an ordinary error answer.
        const first = await events.next();
        const sse = openSse(request, reply, until);
        sse.signal.addEventListener('abort', () => clientGone.abort(), { once: true });
        let exit: Extract<RunEvent, { type: 'exit' }> | undefined;
        try {
          for (
            let next = first;
            next.done !== true && !sse.signal.aborted;
            next = await nextOrStop(events, sse.signal)
          ) {
            if (next.value.type === 'exit') exit = next.value;
            await sse.send({ event: next.value.type, data: next.value });
          }
        } finally {
          sse.end();
          await events.return(undefined);
          // The stream took the answer over (hijacked), so the audit hook never saw it: recorded here, with the exit
          // but never the command, which may hold a secret.
          await context.auditRecorder.appendRequest({
            atMs: context.deps.clock.nowMs(),
            kind: 'request',
            actor: actorOfRequest(request),
            action: 'apps.run',
            target: { kind: 'app', id: params.app },
            sourceIp: request.ip,
            requestId: String(request.id),
            outcome: exit !== undefined && exit.exitCode === 0 ? 'success' : 'failed',
            errorCode: null,
            details: {
              method: 'POST',
              route: '/api/v1/apps/:app/runs',
              exitCode: exit?.exitCode ?? null,
              isTimedOut: exit?.isTimedOut ?? false,
            },
          });
        }
        return reply;
      },
    }),
  ],
};

/** The next event, or the end when the client went away (the run, told by the same signal, stops on its own). */
async function nextOrStop(events: AsyncIterator<RunEvent>, signal: AbortSignal): Promise<IteratorResult<RunEvent>> {
  if (signal.aborted) return { done: true, value: undefined };
  return events.next();
}
