/** Health, readiness, status, manifest validation and the OpenAPI document. */
import type { FastifyInstance } from 'fastify';
import { parseManifestYaml } from '@slipway/adapters';
import {
  isSlipwayError,
  manifestIssues,
  manifestSchema,
  SlipwayError,
  validateBodySchema,
  type ManifestIssue,
  type StatusView,
} from '@slipway/contract';
import { listApps, resolveRuntimePlan } from '@slipway/core';
import { visibleProjectNames } from '../auth/authorize.js';
import { buildOpenApiDocument } from '../openapi.js';
import type { ServerContext } from '../server-context.js';
import { validate } from '../validate.js';

export function systemRoutes(app: FastifyInstance, context: ServerContext): void {
  const { deps } = context;
  // Built on first request rather than at start: slipwayd's start-up time is on the critical path of a restart.
  let openApi: ReturnType<typeof buildOpenApiDocument> | undefined;

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async () => {
    if (context.isShuttingDown()) throw new SlipwayError('SHUTTING_DOWN', 'slipwayd is shutting down');
    await deps.store.projects.list();
    return { status: 'ok' };
  });
  app.get('/api/v1/openapi.json', async () => (openApi ??= buildOpenApiDocument(context.version)));

  app.get('/api/v1/status', async (request): Promise<StatusView> => {
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
      ...(context.processIsolation === undefined ? {} : { isolation: context.processIsolation }),
      apps: rows,
    };
  });

  app.post('/api/v1/validate', async (request) => {
    const body = validate(validateBodySchema, request.body, 'body');
    let document: unknown;
    try {
      document = parseManifestYaml(body.manifest);
    } catch (error) {
      // A syntax error or an alias bomb is an answer about the document; a manifest over the size limit is refused.
      if (!isSlipwayError(error) || error.code !== 'MANIFEST_INVALID') throw error;
      return { isValid: false, issues: (error.details as { issues: ManifestIssue[] }).issues };
    }
    const parsed = manifestSchema.safeParse(document ?? {});
    return parsed.success ? { isValid: true, issues: [] } : { isValid: false, issues: manifestIssues(parsed.error) };
  });
}

/** `web` first, then the others by name: the process a status row speaks for. */
function webFirst(a: string, b: string): number {
  return a === 'web' ? -1 : b === 'web' ? 1 : a.localeCompare(b);
}
