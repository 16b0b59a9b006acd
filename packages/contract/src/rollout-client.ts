/** The rollouts part of the typed API client: an app environment's rollout status and the controls a user has on it. */
import type { z } from 'zod';
import { createDeploymentResponseSchema } from './api.js';
import type { ApiTransport } from './api-transport.js';
import { rolloutViewSchema, type PromoteRequest, type RolloutView } from './rollout-api.js';

interface EnvironmentOption {
  environment?: string | undefined;
}

export interface RolloutClient {
  rollout: {
    /** GET /api/v1/apps/:app/rollout — the environment's current (or last) rollout. */
    get(app: string, options?: EnvironmentOption): Promise<RolloutView>;
    /** POST /api/v1/apps/:app/rollout/promote — leave the current pause or gate; `full` skips every remaining step. */
    promote(app: string, body: Partial<PromoteRequest>, options?: EnvironmentOption): Promise<RolloutView>;
    /** POST /api/v1/apps/:app/rollout/pause — hold at the current step until resumed. */
    pause(app: string, options?: EnvironmentOption): Promise<RolloutView>;
    /** POST /api/v1/apps/:app/rollout/resume — go on from a pause a user asked for. */
    resume(app: string, options?: EnvironmentOption): Promise<RolloutView>;
    /** POST /api/v1/apps/:app/rollout/abort — all traffic back on the stable release, which is desired again. */
    abort(app: string, options?: EnvironmentOption): Promise<RolloutView>;
    /**
     * POST /api/v1/apps/:app/rollout/retry — roll out the aborted release again from its first step: a new deployment
     * (202), as `deploy` answers.
     */
    retry(app: string, options?: EnvironmentOption): Promise<z.output<typeof createDeploymentResponseSchema>>;
  };
}

type Control = 'pause' | 'resume' | 'abort';

export function createRolloutClient({ call }: Pick<ApiTransport, 'call'>): RolloutClient {
  const path = (app: string, control?: 'promote' | 'retry' | Control) =>
    `/api/v1/apps/${encodeURIComponent(app)}/rollout${control === undefined ? '' : `/${control}`}`;
  const query = (o: EnvironmentOption | undefined) => ({ environment: o?.environment });
  const control = (name: Control) => (app: string, o?: EnvironmentOption) =>
    call({ method: 'POST', path: path(app, name), query: query(o) }, rolloutViewSchema);
  return {
    rollout: {
      get: (app, o) => call({ method: 'GET', path: path(app), query: query(o) }, rolloutViewSchema),
      promote: (app, body, o) =>
        call(
          { method: 'POST', path: path(app, 'promote'), query: query(o), json: { full: body.full ?? false } },
          rolloutViewSchema,
        ),
      pause: control('pause'),
      resume: control('resume'),
      abort: control('abort'),
      retry: (app, o) =>
        call({ method: 'POST', path: path(app, 'retry'), query: query(o) }, createDeploymentResponseSchema),
    },
  };
}
