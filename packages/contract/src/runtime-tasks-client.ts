/** The runtime-tasks part of the typed API client: stop, start, restart, maintenance and one-off runs. */
import type { z } from 'zod';
import { createDeploymentResponseSchema } from './api.js';
import type { ApiTransport } from './api-transport.js';
import {
  runEventSchema,
  runStateResponseSchema,
  type maintenanceBodySchema,
  type RunEvent,
  type runBodySchema,
  type RunStateView,
} from './runtime-tasks-api.js';

interface EnvironmentOption {
  environment?: string | undefined;
}

export interface RuntimeTasksClient {
  runtime: {
    /** POST /api/v1/apps/:app/stop — idempotent. */
    stop(app: string, options?: EnvironmentOption): Promise<RunStateView>;
    /** POST /api/v1/apps/:app/start — idempotent. */
    start(app: string, options?: EnvironmentOption): Promise<RunStateView>;
    /** POST /api/v1/apps/:app/restart — a `restart` deployment. */
    restart(app: string, options?: EnvironmentOption): Promise<z.output<typeof createDeploymentResponseSchema>>;
    /** PUT /api/v1/apps/:app/maintenance */
    maintenance(
      app: string,
      body: z.input<typeof maintenanceBodySchema>,
      options?: EnvironmentOption,
    ): Promise<RunStateView>;
    /** POST /api/v1/apps/:app/runs — the run's events until it exits; `signal` stops it. */
    run(
      app: string,
      body: z.input<typeof runBodySchema>,
      options?: EnvironmentOption & { signal?: AbortSignal | undefined },
    ): AsyncIterable<RunEvent>;
  };
}

const runEventNames: ReadonlySet<string> = new Set(['started', 'output', 'exit']);

export function createRuntimeTasksClient({ call, stream }: Pick<ApiTransport, 'call' | 'stream'>): RuntimeTasksClient {
  const path = (app: string, rest: string): string => `/api/v1/apps/${encodeURIComponent(app)}${rest}`;
  const query = (options: EnvironmentOption | undefined) =>
    options?.environment === undefined ? {} : { environment: options.environment };
  return {
    runtime: {
      stop: (app, o) => call({ method: 'POST', path: path(app, '/stop'), query: query(o) }, runStateResponseSchema),
      start: (app, o) => call({ method: 'POST', path: path(app, '/start'), query: query(o) }, runStateResponseSchema),
      restart: (app, o) =>
        call({ method: 'POST', path: path(app, '/restart'), query: query(o) }, createDeploymentResponseSchema),
      maintenance: (app, body, o) =>
        call({ method: 'PUT', path: path(app, '/maintenance'), query: query(o), json: body }, runStateResponseSchema),
      run: (app, body, o) =>
        stream(
          { method: 'POST', path: path(app, '/runs'), query: query(o), json: body, signal: o?.signal },
          runEventNames,
          runEventSchema,
        ),
    },
  };
}
