/** Health, readiness, status, manifest validation, the rate limiter's counters and the OpenAPI document. */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import {
  manifestIssues,
  manifestSchema,
  rateLimitCountersSchema,
  SlipwayError,
  statusSchema,
  validateBodySchema,
  validateResponseSchema,
  type StatusView,
} from '@slipway/contract';
import { listApps, resolveRuntimePlan } from '@slipway/core';
import { visibleProjectNames } from '../auth/authorize.js';
import { anyProject, authenticated, globally, publicAccess } from '../auth/route-permissions.js';
import { routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const probeSchema = z.object({ status: z.literal('ok') });

const route = routeFor<RouteContext>();

export const systemRoutes: RouteGroup<RouteContext> = {
  name: 'system-routes',
  routes: [
    route({
      method: 'GET',
      url: '/healthz',
      summary: 'Liveness: slipwayd answers',
      permission: { action: 'system.health', access: publicAccess },
      isDocumented: false,
      schema: { response: { 200: probeSchema } },
      handler: async () => ({ status: 'ok' }),
    }),
    route({
      method: 'GET',
      url: '/readyz',
      summary: 'Readiness: slipwayd reaches its store and is not shutting down',
      permission: { action: 'system.ready', access: publicAccess },
      isDocumented: false,
      schema: { response: { 200: probeSchema } },
      handler: async (_request, _reply, context) => {
        if (context.isShuttingDown()) throw new SlipwayError('SHUTTING_DOWN', 'slipwayd is shutting down');
        await context.deps.store.projects.list();
        return { status: 'ok' };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/openapi.json',
      summary: 'This document',
      permission: { action: 'system.openapi', access: publicAccess },
      isDocumented: false,
      schema: {},
      // Generated on first request rather than at start: slipwayd's start-up time is on the critical path of a restart.
      handler: async (request) => request.server.swagger(),
    }),
    route({
      method: 'GET',
      url: '/api/v1/status',
      summary: 'Control plane, edge and apps at a glance',
      permission: { action: 'system.status', access: anyProject('viewer') },
      schema: { response: { 200: statusSchema } },
      handler: async (request, _reply, context): Promise<StatusView> => {
        const { deps } = context;
        const router = await deps.router.status();
        const canSee = await visibleProjectNames(request, deps.store);
        const apps = (await listApps(deps)).filter((a) => canSee(a.project));
        const rows: StatusView['apps'] = [];
        for (const view of apps) {
          const record = await deps.store.apps.findByName(view.name);
          for (const environment of view.environments) {
            const env = record ? await deps.store.environments.find(record.projectId, environment.name) : undefined;
            const last = record && env ? (await deps.store.deployments.list(record.id, env.id, 1))[0] : undefined;
            const current =
              record && env
                ? await deps.store.appEnvironments.find(record.id, env.id).then((ae) => ae?.currentReleaseId)
                : null;
            const release = current ? await deps.store.releases.findById(current) : undefined;
            const process = release ? (Object.keys(release.processes).sort(webFirst)[0] ?? 'web') : 'web';
            const plan = release ? resolveRuntimePlan(release, environment.name, process) : undefined;
            rows.push({
              name: view.name,
              environment: environment.name,
              currentRelease: environment.currentRelease,
              runtime: plan?.runtime ?? null,
              limits: plan?.limits ?? null,
              instances: environment.instances,
              lastDeployment: last ? { id: last.id, state: last.state } : null,
            });
          }
        }
        return {
          version: context.version,
          nodeName: context.config.nodeName,
          startedAt: new Date(context.startedAtMs).toISOString(),
          api: `http://${context.config.api.host}:${context.config.api.port}`,
          edge: { address: router.address, isRunning: router.isRunning, pid: router.pid, routes: router.routes },
          runtimes: [...deps.runtimes.names],
          apps: rows,
        };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/validate',
      summary: 'Validate a slipway.yaml document',
      permission: { action: 'manifests.validate', access: authenticated },
      schema: { body: validateBodySchema, response: { 200: validateResponseSchema } },
      handler: async (request) => {
        const document = parseDocument(request.body.manifest);
        const syntax = document.errors[0];
        if (syntax) {
          const at = syntax.linePos?.[0];
          return {
            isValid: false,
            issues: [
              {
                path: at ? `line ${at.line}, column ${at.col}` : '(root)',
                message: syntax.message.split('\n')[0] ?? 'YAML syntax error',
              },
            ],
          };
        }
        const parsed = manifestSchema.safeParse(document.toJS() ?? {});
        return parsed.success
          ? { isValid: true, issues: [] }
          : { isValid: false, issues: manifestIssues(parsed.error) };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/system/rate-limits',
      summary: "The rate limiter's counters per route class and the login throttle (admin or owner)",
      permission: { action: 'system.rate-limits', access: globally('admin') },
      schema: { response: { 200: rateLimitCountersSchema } },
      handler: async (_request, _reply, { rateLimits }) => rateLimits.counters(),
    }),
  ],
};

/** `web` first, then the others by name: the process a status row speaks for. */
function webFirst(a: string, b: string): number {
  return a === 'web' ? -1 : b === 'web' ? 1 : a.localeCompare(b);
}
