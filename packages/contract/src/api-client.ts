/** Typed client of the slipwayd HTTP API: one method per route, answers parsed with the contract's schemas, every failure a SlipwayError. */
import { z } from 'zod';
import {
  configChangeResponseSchema,
  configResponseSchema,
  createDeploymentResponseSchema,
  listAppsResponseSchema,
  listDeploymentsResponseSchema,
  listInstancesResponseSchema,
  listProjectsResponseSchema,
  listReleasesResponseSchema,
  logsResponseSchema,
  scaleResponseSchema,
  validateResponseSchema,
} from './api.js';
import type {
  configPatchBodySchema,
  createAppBodySchema,
  CreateDeploymentBody,
  createProjectBodySchema,
  rollbackBodySchema,
  scaleBodySchema,
  validateBodySchema,
} from './api.js';
import { createApiTransport } from './api-transport.js';
import { createAuditClient, type AuditClient } from './audit-client.js';
import { systemInfoSchema, systemStopResponseSchema, type systemStopBodySchema } from './system-api.js';
import { createHostsClient, type HostsClient } from './hosts-client.js';
import { createDomainsClient, type DomainsClient } from './domains-client.js';
import { createLogDrainsClient, type LogDrainsClient } from './log-drains-client.js';
import { createNotificationsClient, type NotificationsClient } from './notifications-client.js';
import { createAlertsClient, type AlertsClient } from './alerts-client.js';
import { createEnvironmentsClient, type EnvironmentsClient } from './environments-client.js';
import { createImagesClient, type ImagesClient } from './images-client.js';
import { createRuntimeTasksClient, type RuntimeTasksClient } from './runtime-tasks-client.js';
import { createRolloutClient, type RolloutClient } from './rollout-client.js';
import { createAutoscaleClient, type AutoscaleClient } from './autoscale-client.js';
import { createMetricsHistoryClient, type MetricsHistoryClient } from './metrics-history-client.js';
import { createIdentityClient, type IdentityClient } from './identity-client.js';
import { createCatalogAclClient, type CatalogAclClient } from './catalog-acl-client.js';
import { createWebhooksClient, type WebhooksClient } from './webhooks-client.js';
import { createDeploymentRulesClient, type DeploymentRulesClient } from './deployment-rules-client.js';
import { createStacksClient, type StacksClient } from './stacks-client.js';
import { createRepositoriesClient, type RepositoriesClient } from './repositories-client.js';
import { createPreviewsClient, type PreviewsClient } from './previews-client.js';
import {
  listSecretsResponseSchema,
  rotateMasterKeyResponseSchema,
  secretChangeResponseSchema,
  type patchSecretsBodySchema,
  type setSecretBodySchema,
} from './secrets-api.js';
import type { ApiTransportOptions, RequestSpec } from './api-transport.js';
import {
  appSchema,
  deploymentEventSchema,
  deploymentSchema,
  logLineSchema,
  projectSchema,
  statusSchema,
} from './resources.js';
import type { AppView, DeploymentEvent, DeploymentView, LogLineView, ProjectView, StatusView } from './resources.js';

/** `baseUrl` (e.g. `http://127.0.0.1:7070`), optional `fetch` (defaults to the global one) and bearer `token`. */
export type ApiClientOptions = ApiTransportOptions;

/** App-scoped routes act on one environment; slipwayd defaults to `production`. */
export interface EnvironmentOption {
  environment?: string | undefined;
}

/** A `.tar.gz` uploaded as the raw request body. */
export interface ArchiveUpload {
  archive: Uint8Array | ReadableStream<Uint8Array>;
  fileName: string;
}

export interface EventsOptions {
  /** Resume after this sequence number (the last one seen). */
  after?: number | undefined;
  /** Aborting ends the iteration quietly and closes the connection. */
  signal?: AbortSignal | undefined;
}

export interface LogsOptions extends EnvironmentOption {
  tail?: number | undefined;
  process?: string | undefined;
  /** Read the persisted log from this time: `1h`, or an ISO 8601 time. */
  since?: string | undefined;
  until?: string | undefined;
  grep?: string | undefined;
  /** Only lines whose id is greater. */
  after?: number | undefined;
  allEnvironments?: boolean | undefined;
}

type Output<S extends z.ZodType> = z.output<S>;
type Input<S extends z.ZodType> = z.input<S>;
type HealthView = { status: 'ok' };

/** The client's surface; every method rejects with a SlipwayError. Streams are lazy: the request starts at the first `next()`. */
export interface ApiClient
  extends
    PreviewsClient,
    IdentityClient,
    AuditClient,
    ImagesClient,
    HostsClient,
    DomainsClient,
    LogDrainsClient,
    RuntimeTasksClient,
    RolloutClient,
    AutoscaleClient,
    MetricsHistoryClient,
    NotificationsClient,
    AlertsClient,
    EnvironmentsClient,
    CatalogAclClient,
    WebhooksClient,
    DeploymentRulesClient,
    RepositoriesClient,
    StacksClient {
  readonly baseUrl: string;
  /** GET /healthz — the process is up. */
  health(): Promise<HealthView>;
  /** GET /readyz — the process is ready to serve. */
  ready(): Promise<HealthView>;
  /** GET /api/v1/status */
  status(): Promise<StatusView>;
  projects: {
    list(): Promise<Output<typeof listProjectsResponseSchema>>;
    create(body: Input<typeof createProjectBodySchema>): Promise<ProjectView>;
  };
  apps: {
    list(): Promise<Output<typeof listAppsResponseSchema>>;
    create(body: Input<typeof createAppBodySchema>): Promise<AppView>;
    get(app: string): Promise<AppView>;
    delete(app: string): Promise<void>;
    /** PUT /api/v1/apps/:app/scale */
    scale(
      app: string,
      body: Input<typeof scaleBodySchema>,
      options?: EnvironmentOption,
    ): Promise<Output<typeof scaleResponseSchema>>;
  };
  config: {
    get(app: string, options?: EnvironmentOption): Promise<Output<typeof configResponseSchema>>;
    /** `deploymentId` is set when the change rolls out a new release. */
    patch(
      app: string,
      body: Input<typeof configPatchBodySchema>,
      options?: EnvironmentOption,
    ): Promise<Output<typeof configChangeResponseSchema>>;
  };
  deployments: {
    /** A JSON source (`{ path }` or `{ git }`) or an archive upload (`application/gzip`). */
    create(
      app: string,
      source: CreateDeploymentBody | ArchiveUpload,
      options?: EnvironmentOption,
    ): Promise<Output<typeof createDeploymentResponseSchema>>;
    list(
      app: string,
      options?: EnvironmentOption & { limit?: number | undefined },
    ): Promise<Output<typeof listDeploymentsResponseSchema>>;
    get(id: string): Promise<DeploymentView>;
    /** POST /api/v1/deployments/:id/cancel — idempotent; `DEPLOYMENT_NOT_CANCELLABLE` once it has finished. */
    cancel(id: string): Promise<DeploymentView>;
    /** The deployment's events; the iteration ends after the terminal `state` event, when the server closes. */
    events(id: string, options?: EventsOptions): AsyncIterable<DeploymentEvent>;
  };
  releases: {
    list(app: string, options?: EnvironmentOption): Promise<Output<typeof listReleasesResponseSchema>>;
    /** POST /api/v1/apps/:app/rollback — to the previous release, or to `toRelease`. */
    rollback(
      app: string,
      body: Input<typeof rollbackBodySchema>,
      options?: EnvironmentOption,
    ): Promise<Output<typeof createDeploymentResponseSchema>>;
  };
  instances: {
    list(app: string, options?: EnvironmentOption): Promise<Output<typeof listInstancesResponseSchema>>;
  };
  /** Secret values are write-only: every answer carries names, versions and times only. */
  secrets: {
    /** GET /api/v1/apps/:app/secrets */
    list(app: string, options?: EnvironmentOption): Promise<Output<typeof listSecretsResponseSchema>>;
    /** PUT /api/v1/apps/:app/secrets/:name — `deploymentId` is set when the change rolls out a new release. */
    set(
      app: string,
      name: string,
      body: Input<typeof setSecretBodySchema>,
      options?: EnvironmentOption,
    ): Promise<Output<typeof secretChangeResponseSchema>>;
    /** PATCH /api/v1/apps/:app/secrets — several sets and unsets, one release. */
    change(
      app: string,
      body: Input<typeof patchSecretsBodySchema>,
      options?: EnvironmentOption,
    ): Promise<Output<typeof secretChangeResponseSchema>>;
    /** DELETE /api/v1/apps/:app/secrets/:name */
    unset(
      app: string,
      name: string,
      options?: EnvironmentOption & { deploy?: boolean | undefined },
    ): Promise<Output<typeof secretChangeResponseSchema>>;
    /** POST /api/v1/master-key/rotate (owner only) */
    rotateMasterKey(): Promise<Output<typeof rotateMasterKeyResponseSchema>>;
  };
  logs: {
    /** The last `tail` lines of the app's instances. */
    get(app: string, options?: LogsOptions): Promise<Output<typeof logsResponseSchema>>;
    /** The last `tail` lines, then new ones as they come, until `signal` aborts or the consumer stops. */
    follow(app: string, options?: LogsOptions & { signal?: AbortSignal | undefined }): AsyncIterable<LogLineView>;
  };
  system: AuditClient['system'] & {
    /** POST /api/v1/system/stop (owner only) — slipwayd stops once it has answered. */
    stop(body: Input<typeof systemStopBodySchema>): Promise<Output<typeof systemStopResponseSchema>>;
    /** GET /api/v1/system — slipwayd's version, node and the catalog's addresses. */
    info(): Promise<Output<typeof systemInfoSchema>>;
  };
  /** POST /api/v1/validate — validates a `slipway.yaml` text on the server. */
  validate(body: Input<typeof validateBodySchema>): Promise<Output<typeof validateResponseSchema>>;
}

const healthSchema = z.object({ status: z.literal('ok') });
const deploymentEventNames: ReadonlySet<string> = new Set(['phase', 'log', 'state']);
const logEventNames: ReadonlySet<string> = new Set(['log']);

const appPath = (app: string, rest = ''): string => `/api/v1/apps/${encodeURIComponent(app)}${rest}`;
const secretPath = (app: string, name: string): string => appPath(app, `/secrets/${encodeURIComponent(name)}`);
const deploymentPath = (id: string, rest = ''): string => `/api/v1/deployments/${encodeURIComponent(id)}${rest}`;
const environmentQuery = (o: EnvironmentOption | undefined) => ({ environment: o?.environment });
const logsQuery = (o: LogsOptions | undefined, isFollow: boolean) => ({
  environment: o?.environment,
  tail: o?.tail,
  process: o?.process,
  since: o?.since,
  until: o?.until,
  grep: o?.grep,
  after: o?.after,
  allEnvironments: o?.allEnvironments === true ? 'true' : undefined,
  follow: String(isFollow),
});

export function createApiClient(options: ApiClientOptions): ApiClient {
  const { baseUrl, call, send, stream } = createApiTransport(options);
  const auditClient = createAuditClient({ call });
  const get = (path: string, query?: RequestSpec['query']): RequestSpec =>
    query === undefined ? { method: 'GET', path } : { method: 'GET', path, query };

  return {
    baseUrl,
    ...createIdentityClient({ call, send }),
    ...auditClient,
    ...createImagesClient({ call }),
    ...createHostsClient({ call, send }),
    ...createDomainsClient({ call, send }),
    ...createLogDrainsClient({ call, send }),
    ...createNotificationsClient({ call, send }),
    ...createAlertsClient({ call, send }),
    ...createEnvironmentsClient({ call, send }),
    ...createRuntimeTasksClient({ call, stream }),
    ...createRolloutClient({ call }),
    ...createAutoscaleClient({ call }),
    ...createMetricsHistoryClient({ call }),
    ...createCatalogAclClient({ call, send }),
    ...createWebhooksClient({ call }),
    ...createDeploymentRulesClient({ call, send }),
    ...createStacksClient({ call }),
    ...createRepositoriesClient({ call, send }),
    ...createPreviewsClient({ call, send }),
    health: () => call(get('/healthz'), healthSchema),
    ready: () => call(get('/readyz'), healthSchema),
    status: () => call(get('/api/v1/status'), statusSchema),
    projects: {
      list: () => call(get('/api/v1/projects'), listProjectsResponseSchema),
      create: (body) => call({ method: 'POST', path: '/api/v1/projects', json: body }, projectSchema),
    },
    apps: {
      list: () => call(get('/api/v1/apps'), listAppsResponseSchema),
      create: (body) => call({ method: 'POST', path: '/api/v1/apps', json: body }, appSchema),
      get: (app) => call(get(appPath(app)), appSchema),
      delete: async (app) => {
        const response = await send({ method: 'DELETE', path: appPath(app) });
        await response.body?.cancel().catch(() => undefined);
      },
      scale: (app, body, o) =>
        call(
          { method: 'PUT', path: appPath(app, '/scale'), query: environmentQuery(o), json: body },
          scaleResponseSchema,
        ),
    },
    config: {
      get: (app, o) => call(get(appPath(app, '/config'), environmentQuery(o)), configResponseSchema),
      patch: (app, body, o) =>
        call(
          { method: 'PATCH', path: appPath(app, '/config'), query: environmentQuery(o), json: body },
          configChangeResponseSchema,
        ),
    },
    deployments: {
      create: (app, source, o) => {
        const path = appPath(app, '/deployments');
        if ('archive' in source) {
          const query = { ...environmentQuery(o), fileName: source.fileName };
          const raw = { data: source.archive, contentType: 'application/gzip' };
          return call({ method: 'POST', path, query, raw }, createDeploymentResponseSchema);
        }
        return call({ method: 'POST', path, query: environmentQuery(o), json: source }, createDeploymentResponseSchema);
      },
      list: (app, o) =>
        call(
          get(appPath(app, '/deployments'), { ...environmentQuery(o), limit: o?.limit }),
          listDeploymentsResponseSchema,
        ),
      get: (id) => call(get(deploymentPath(id)), deploymentSchema),
      cancel: (id) => call({ method: 'POST', path: deploymentPath(id, '/cancel') }, deploymentSchema),
      events: (id, o) =>
        stream(
          { ...get(deploymentPath(id, '/events'), { after: o?.after }), signal: o?.signal },
          deploymentEventNames,
          deploymentEventSchema,
        ),
    },
    releases: {
      list: (app, o) => call(get(appPath(app, '/releases'), environmentQuery(o)), listReleasesResponseSchema),
      rollback: (app, body, o) =>
        call(
          { method: 'POST', path: appPath(app, '/rollback'), query: environmentQuery(o), json: body },
          createDeploymentResponseSchema,
        ),
    },
    instances: {
      list: (app, o) => call(get(appPath(app, '/instances'), environmentQuery(o)), listInstancesResponseSchema),
    },
    secrets: {
      list: (app, o) => call(get(appPath(app, '/secrets'), environmentQuery(o)), listSecretsResponseSchema),
      set: (app, name, body, o) =>
        call(
          { method: 'PUT', path: secretPath(app, name), query: environmentQuery(o), json: body },
          secretChangeResponseSchema,
        ),
      change: (app, body, o) =>
        call(
          { method: 'PATCH', path: appPath(app, '/secrets'), query: environmentQuery(o), json: body },
          secretChangeResponseSchema,
        ),
      unset: (app, name, o) =>
        call(
          {
            method: 'DELETE',
            path: secretPath(app, name),
            query: { ...environmentQuery(o), deploy: o?.deploy === undefined ? undefined : String(o.deploy) },
          },
          secretChangeResponseSchema,
        ),
      rotateMasterKey: () => call({ method: 'POST', path: '/api/v1/master-key/rotate' }, rotateMasterKeyResponseSchema),
    },
    logs: {
      get: (app, o) => call(get(appPath(app, '/logs'), logsQuery(o, false)), logsResponseSchema),
      follow: (app, o) =>
        stream({ ...get(appPath(app, '/logs'), logsQuery(o, true)), signal: o?.signal }, logEventNames, logLineSchema),
    },
    system: {
      ...auditClient.system,
      stop: (body) => call({ method: 'POST', path: '/api/v1/system/stop', json: body }, systemStopResponseSchema),
      info: () => call(get('/api/v1/system'), systemInfoSchema),
    },
    validate: (body) => call({ method: 'POST', path: '/api/v1/validate', json: body }, validateResponseSchema),
  };
}
