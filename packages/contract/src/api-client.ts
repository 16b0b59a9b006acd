/** Typed client of the slipwayd HTTP API: one method per route, answers parsed with the contract's schemas, every failure a SlipwayError. */
import { z } from 'zod';
import {
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
import { errorCodes } from './error-code.js';
import type { ErrorCode } from './error-code.js';
import { appSchema, deploymentEventSchema, deploymentSchema, logLineSchema, projectSchema, statusSchema } from './resources.js';
import type { AppView, DeploymentEvent, DeploymentView, LogLineView, ProjectView, StatusView } from './resources.js';
import { SlipwayError } from './slipway-error.js';
import { readSseStream } from './sse-parser.js';
import type { SseEvent } from './sse-parser.js';

export interface ApiClientOptions {
  /** Where slipwayd listens, e.g. `http://127.0.0.1:7070`. */
  baseUrl: string;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
}

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
}

type Output<S extends z.ZodType> = z.output<S>;
type Input<S extends z.ZodType> = z.input<S>;
type HealthView = { status: 'ok' };

/** The client's surface; every method rejects with a SlipwayError. Streams are lazy: the request starts at the first `next()`. */
export interface ApiClient {
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
    scale(app: string, body: Input<typeof scaleBodySchema>, options?: EnvironmentOption): Promise<Output<typeof scaleResponseSchema>>;
  };
  config: {
    get(app: string, options?: EnvironmentOption): Promise<Output<typeof configResponseSchema>>;
    /** `deploymentId` is set when the change rolls out a new release. */
    patch(app: string, body: Input<typeof configPatchBodySchema>, options?: EnvironmentOption): Promise<Output<typeof configResponseSchema>>;
  };
  deployments: {
    /** A JSON source (`{ path }` or `{ git }`) or an archive upload (`application/gzip`). */
    create(app: string, source: CreateDeploymentBody | ArchiveUpload, options?: EnvironmentOption): Promise<Output<typeof createDeploymentResponseSchema>>;
    list(app: string, options?: EnvironmentOption & { limit?: number | undefined }): Promise<Output<typeof listDeploymentsResponseSchema>>;
    get(id: string): Promise<DeploymentView>;
    /** The deployment's events; the iteration ends after the terminal `state` event, when the server closes. */
    events(id: string, options?: EventsOptions): AsyncIterable<DeploymentEvent>;
  };
  releases: {
    list(app: string, options?: EnvironmentOption): Promise<Output<typeof listReleasesResponseSchema>>;
    /** POST /api/v1/apps/:app/rollback — to the previous release, or to `toRelease`. */
    rollback(app: string, body: Input<typeof rollbackBodySchema>, options?: EnvironmentOption): Promise<Output<typeof createDeploymentResponseSchema>>;
  };
  instances: {
    list(app: string, options?: EnvironmentOption): Promise<Output<typeof listInstancesResponseSchema>>;
  };
  logs: {
    /** The last `tail` lines of the app's instances. */
    get(app: string, options?: LogsOptions): Promise<Output<typeof logsResponseSchema>>;
    /** The last `tail` lines, then new ones as they come, until `signal` aborts or the consumer stops. */
    follow(app: string, options?: LogsOptions & { signal?: AbortSignal | undefined }): AsyncIterable<LogLineView>;
  };
  /** POST /api/v1/validate — validates a `slipway.yaml` text on the server. */
  validate(body: Input<typeof validateBodySchema>): Promise<Output<typeof validateResponseSchema>>;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface RequestSpec {
  method: Method;
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  raw?: { data: Uint8Array | ReadableStream<Uint8Array>; contentType: string };
  accept?: string;
  signal?: AbortSignal | undefined;
}

const healthSchema = z.object({ status: z.literal('ok') });

const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
    requestId: z.string().optional(),
  }),
});

const knownErrorCodes: ReadonlySet<string> = new Set(errorCodes);
const deploymentEventTypes: ReadonlySet<string> = new Set(['phase', 'log', 'state']);

function isErrorCode(code: string): code is ErrorCode {
  return knownErrorCodes.has(code);
}

/** Names the cause of a failed fetch: undici wraps `ECONNREFUSED` and friends in `TypeError('fetch failed')`. */
function describeCause(error: unknown): string {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    if (typeof code === 'string') return code;
    return cause.message === '' ? cause.name : cause.message;
  }
  return String(cause);
}

function normalizeBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new SlipwayError('VALIDATION_FAILED', `the API URL "${baseUrl}" is not a URL (expected e.g. http://127.0.0.1:7070)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SlipwayError('VALIDATION_FAILED', `the API URL "${baseUrl}" must start with http:// or https://`);
  }
  return url.href.replace(/\/+$/, '');
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = normalizeBaseUrl(options.baseUrl);
  const fetchFn: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const unreachable = (error: unknown): SlipwayError =>
    new SlipwayError('UNAVAILABLE', `cannot reach slipwayd at ${baseUrl}: ${describeCause(error)} — is it running? (npm start)`, {
      cause: error,
      details: { baseUrl },
    });

  const urlOf = (spec: RequestSpec): string => {
    const url = new URL(baseUrl + spec.path);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.href;
  };

  const errorFrom = async (response: Response, spec: RequestSpec): Promise<SlipwayError> => {
    const status = response.status;
    const text = await response.text().catch(() => '');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const parsed = errorBodySchema.safeParse(body);
    if (parsed.success) {
      const { code, message, details, requestId } = parsed.data.error;
      const extra = isErrorCode(code) ? {} : { unknownCode: code };
      return new SlipwayError(isErrorCode(code) ? code : 'INTERNAL', message, { details: { ...details, ...extra, requestId, status } });
    }
    const code: ErrorCode = status === 502 || status === 503 || status === 504 ? 'UNAVAILABLE' : status === 404 ? 'ROUTE_NOT_FOUND' : 'INTERNAL';
    return new SlipwayError(code, `${baseUrl} answered ${spec.method} ${spec.path} with HTTP ${status} and no Slipway error body — is it slipwayd?`, {
      details: { status },
    });
  };

  const send = async (spec: RequestSpec): Promise<Response> => {
    const headers: Record<string, string> = { accept: spec.accept ?? 'application/json' };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    const init: RequestInit = { method: spec.method, headers };
    if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(spec.json);
    } else if (spec.raw !== undefined) {
      headers['content-type'] = spec.raw.contentType;
      init.body = spec.raw.data;
      // A streamed request body needs half-duplex in Node's fetch.
      if (spec.raw.data instanceof ReadableStream) init.duplex = 'half';
    }
    if (spec.signal !== undefined) init.signal = spec.signal;
    let response: Response;
    try {
      response = await fetchFn(urlOf(spec), init);
    } catch (error) {
      if (spec.signal?.aborted === true) throw error;
      throw unreachable(error);
    }
    if (!response.ok) throw await errorFrom(response, spec);
    return response;
  };

  const call = async <S extends z.ZodType>(spec: RequestSpec, schema: S): Promise<z.output<S>> => {
    const response = await send(spec);
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw unreachable(error);
    }
    const what = `${spec.method} ${spec.path}`;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new SlipwayError('INTERNAL', `slipwayd answered ${what} with a body that is not JSON`, { cause: error, details: { status: response.status } });
    }
    return parseWith(schema, body, `slipwayd answered ${what} with an unexpected body`);
  };

  /** Server-sent events of one route; ends quietly when the caller's signal aborts. */
  async function* sse(spec: RequestSpec, what: string): AsyncGenerator<SseEvent, void, undefined> {
    let response: Response;
    try {
      response = await send({ ...spec, accept: 'text/event-stream' });
    } catch (error) {
      if (spec.signal?.aborted === true) return;
      throw error;
    }
    const contentType = response.headers.get('content-type') ?? '';
    if (!contentType.startsWith('text/event-stream') || response.body === null) {
      await response.body?.cancel().catch(() => undefined);
      throw new SlipwayError('INTERNAL', `slipwayd answered ${spec.method} ${spec.path} with "${contentType}" instead of an event stream`);
    }
    try {
      yield* readSseStream(response.body);
    } catch (error) {
      if (spec.signal?.aborted === true) return;
      throw new SlipwayError('UNAVAILABLE', `the ${what} stream from slipwayd at ${baseUrl} broke: ${describeCause(error)}`, { cause: error });
    }
  }

  const appPath = (app: string, rest = ''): string => `/api/v1/apps/${encodeURIComponent(app)}${rest}`;
  const environmentQuery = (o: EnvironmentOption | undefined) => ({ environment: o?.environment });
  const logsQuery = (o: LogsOptions | undefined, isFollow: boolean) => ({
    environment: o?.environment,
    tail: o?.tail,
    process: o?.process,
    follow: String(isFollow),
  });

  return {
    baseUrl,
    health: () => call({ method: 'GET', path: '/healthz' }, healthSchema),
    ready: () => call({ method: 'GET', path: '/readyz' }, healthSchema),
    status: () => call({ method: 'GET', path: '/api/v1/status' }, statusSchema),
    projects: {
      list: () => call({ method: 'GET', path: '/api/v1/projects' }, listProjectsResponseSchema),
      create: (body) => call({ method: 'POST', path: '/api/v1/projects', json: body }, projectSchema),
    },
    apps: {
      list: () => call({ method: 'GET', path: '/api/v1/apps' }, listAppsResponseSchema),
      create: (body) => call({ method: 'POST', path: '/api/v1/apps', json: body }, appSchema),
      get: (app) => call({ method: 'GET', path: appPath(app) }, appSchema),
      delete: async (app) => {
        const response = await send({ method: 'DELETE', path: appPath(app) });
        await response.body?.cancel().catch(() => undefined);
      },
      scale: (app, body, o) => call({ method: 'PUT', path: appPath(app, '/scale'), query: environmentQuery(o), json: body }, scaleResponseSchema),
    },
    config: {
      get: (app, o) => call({ method: 'GET', path: appPath(app, '/config'), query: environmentQuery(o) }, configResponseSchema),
      patch: (app, body, o) => call({ method: 'PATCH', path: appPath(app, '/config'), query: environmentQuery(o), json: body }, configResponseSchema),
    },
    deployments: {
      create: (app, source, o) => {
        const path = appPath(app, '/deployments');
        if ('archive' in source) {
          const query = { ...environmentQuery(o), fileName: source.fileName };
          return call({ method: 'POST', path, query, raw: { data: source.archive, contentType: 'application/gzip' } }, createDeploymentResponseSchema);
        }
        return call({ method: 'POST', path, query: environmentQuery(o), json: source }, createDeploymentResponseSchema);
      },
      list: (app, o) =>
        call({ method: 'GET', path: appPath(app, '/deployments'), query: { ...environmentQuery(o), limit: o?.limit } }, listDeploymentsResponseSchema),
      get: (id) => call({ method: 'GET', path: `/api/v1/deployments/${encodeURIComponent(id)}` }, deploymentSchema),
      events: async function* (id, o) {
        const path = `/api/v1/deployments/${encodeURIComponent(id)}/events`;
        for await (const event of sse({ method: 'GET', path, query: { after: o?.after }, signal: o?.signal }, `deployment ${id} event`)) {
          // Unknown event names (keep-alives, future kinds) are skipped so old CLIs keep working.
          if (!deploymentEventTypes.has(event.event)) continue;
          yield parseWith(deploymentEventSchema, parseData(event), `slipwayd sent a malformed "${event.event}" event for deployment ${id}`);
        }
      },
    },
    releases: {
      list: (app, o) => call({ method: 'GET', path: appPath(app, '/releases'), query: environmentQuery(o) }, listReleasesResponseSchema),
      rollback: (app, body, o) =>
        call({ method: 'POST', path: appPath(app, '/rollback'), query: environmentQuery(o), json: body }, createDeploymentResponseSchema),
    },
    instances: {
      list: (app, o) => call({ method: 'GET', path: appPath(app, '/instances'), query: environmentQuery(o) }, listInstancesResponseSchema),
    },
    logs: {
      get: (app, o) => call({ method: 'GET', path: appPath(app, '/logs'), query: logsQuery(o, false) }, logsResponseSchema),
      follow: async function* (app, o) {
        const spec: RequestSpec = { method: 'GET', path: appPath(app, '/logs'), query: logsQuery(o, true), signal: o?.signal };
        for await (const event of sse(spec, `log of ${app}`)) {
          if (event.event !== 'log') continue;
          yield parseWith(logLineSchema, parseData(event), `slipwayd sent a malformed log line for ${app}`);
        }
      },
    },
    validate: (body) => call({ method: 'POST', path: '/api/v1/validate', json: body }, validateResponseSchema),
  };
}

function parseData(event: SseEvent): unknown {
  try {
    return JSON.parse(event.data);
  } catch (error) {
    throw new SlipwayError('INTERNAL', `slipwayd sent a "${event.event}" event whose data is not JSON`, { cause: error, details: { id: event.id } });
  }
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, context: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
  const first = issues[0];
  const summary = first === undefined ? '' : `: ${first.path === '' ? '(root)' : first.path}: ${first.message}`;
  throw new SlipwayError('INTERNAL', `${context}${summary} (is the CLI older or newer than slipwayd?)`, { details: { issues } });
}
