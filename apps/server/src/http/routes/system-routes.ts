/** Health, readiness, status, manifest validation, the rate limiter's counters and the OpenAPI document. */
import { z } from 'zod';
import { parseManifestYaml } from '@slipway/adapters';
import {
  isSlipwayError,
  manifestIssues,
  manifestSchema,
  rateLimitCountersSchema,
  SlipwayError,
  statusSchema,
  systemInfoSchema,
  systemStatusSchema,
  systemStopBodySchema,
  systemStopResponseSchema,
  validateBodySchema,
  validateResponseSchema,
  type ManifestIssue,
  type StatusView,
  type SystemInfoView,
  type SystemStatusView,
} from '@slipway/contract';
import { listAppStatuses } from '@slipway/core';
import { visibleProjects } from '../auth/authorize.js';
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
        return {
          version: context.version,
          nodeName: context.config.nodeName,
          startedAt: new Date(context.startedAtMs).toISOString(),
          api: context.apiUrl(),
          edge: { address: router.address, isRunning: router.isRunning, pid: router.pid, routes: router.routes },
          runtimes: [...deps.runtimes.names],
          ...(context.processIsolation === undefined ? {} : { isolation: context.processIsolation }),
          apps: await listAppStatuses(deps, visibleProjects(request)),
        };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/system',
      summary: "slipwayd's version, node and the service catalog's addresses",
      permission: { action: 'system.info', access: authenticated },
      schema: { response: { 200: systemInfoSchema } },
      handler: async (_request, _reply, context): Promise<SystemInfoView> => ({
        version: context.version,
        nodeName: context.config.nodeName,
        catalog: context.catalogAddresses?.() ?? { http: null, dns: null, datacenter: context.config.datacenter },
      }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/system/status',
      summary: "The control plane's own health: version, uptime, store, edge, runtimes, catalog, live streams (admin)",
      permission: { action: 'system.status.read', access: globally('admin') },
      schema: { response: { 200: systemStatusSchema } },
      handler: async (_request, _reply, context): Promise<SystemStatusView> => {
        const { deps } = context;
        const nowMs = deps.clock.nowMs();
        const edge = await deps.router.status().then(
          (status) => ({ ...status, error: null }),
          (error: unknown) => ({
            isRunning: false,
            pid: null,
            address: '',
            routes: 0,
            workers: undefined,
            error: String(isSlipwayError(error) ? error.message : 'the edge did not answer'),
          }),
        );
        return {
          version: context.version,
          nodeName: context.config.nodeName,
          startedAt: new Date(context.startedAtMs).toISOString(),
          uptimeSeconds: Math.max(0, Math.floor((nowMs - context.startedAtMs) / 1000)),
          api: context.apiUrl(),
          store: { kind: 'sqlite' },
          edge: {
            isRunning: edge.isRunning,
            pid: edge.pid,
            address: edge.address,
            routes: edge.routes,
            workers: edge.workers ?? null,
            error: edge.error,
          },
          runtimes: deps.runtimes.names.map((name) => {
            const { capabilities } = deps.runtimes.get(name);
            return {
              name,
              runsImages: capabilities.runsImages,
              runsArtifacts: capabilities.runsArtifacts,
              enforcesResourceLimits: capabilities.enforcesResourceLimits,
            };
          }),
          isolation: context.processIsolation ?? null,
          catalog: context.catalogAddresses?.() ?? { http: null, dns: null, datacenter: context.config.datacenter },
          liveStreams: context.liveHub.stats(),
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
        let document: unknown;
        try {
          document = parseManifestYaml(request.body.manifest);
        } catch (error) {
          // A syntax error or an alias bomb is an answer about the document; a manifest over the size limit is refused.
          if (!isSlipwayError(error) || error.code !== 'MANIFEST_INVALID') throw error;
          return { isValid: false, issues: (error.details as { issues: ManifestIssue[] }).issues };
        }
        const parsed = manifestSchema.safeParse(document ?? {});
        return parsed.success
          ? { isValid: true, issues: [] }
          : { isValid: false, issues: manifestIssues(parsed.error, document ?? {}) };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/system/stop',
      summary:
        'Stop slipwayd (scope slipwayd), or every app instance, the edge and then slipwayd (scope everything); owner only',
      permission: { action: 'system.stop', access: globally('owner') },
      schema: { body: systemStopBodySchema, response: { 202: systemStopResponseSchema } },
      handler: async (request, reply, context) => {
        const { requestStop } = context;
        if (requestStop === undefined)
          throw new SlipwayError('UNAVAILABLE', 'this slipwayd cannot be stopped over its API');
        let runningInstances = 0;
        for (const name of context.deps.runtimes.names) {
          const listed = (await context.deps.runtimes.find(name)?.list()) ?? [];
          runningInstances += listed.filter((instance) => instance.state === 'running').length;
        }
        const { scope } = request.body;
        // Once the answer is out: the stop closes the server, which would otherwise wait on this very request.
        reply.raw.once('finish', () => requestStop(scope));
        return reply.status(202).send({ scope, runningInstances });
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
