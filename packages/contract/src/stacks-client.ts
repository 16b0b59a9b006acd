/** The stacks part of the typed API client. */
import type { ApiTransport } from './api-transport.js';
import {
  listStacksResponseSchema,
  putStackResponseSchema,
  stackDeploymentResponseSchema,
  stackSchema,
  type DeployStackBody,
  type PutStackBody,
  type PutStackResponse,
  type StackDeploymentView,
  type StackView,
} from './stacks-api.js';
import { z } from 'zod';

const removeResponseSchema = z.object({ removedApps: z.array(z.string()) });

export interface StacksClient {
  stacks: {
    /** POST /api/v1/stacks (admin on the project) — creates the stack or replaces its compose file; deploys nothing. */
    put(body: PutStackBody): Promise<PutStackResponse>;
    /** GET /api/v1/stacks */
    list(options?: { environment?: string | undefined }): Promise<{ stacks: StackView[] }>;
    /** GET /api/v1/stacks/:stack */
    get(name: string, options?: { environment?: string | undefined }): Promise<StackView>;
    /** POST /api/v1/stacks/:stack/deploy (deployer) */
    deploy(
      name: string,
      body?: DeployStackBody,
      options?: { environment?: string | undefined },
    ): Promise<{ deployment: StackDeploymentView }>;
    /** POST /api/v1/stacks/:stack/rollback (deployer) */
    rollback(
      name: string,
      options?: { environment?: string | undefined },
    ): Promise<{ deployment: StackDeploymentView }>;
    /** GET /api/v1/stacks/:stack/deployments/:id */
    deployment(name: string, id: string): Promise<{ deployment: StackDeploymentView }>;
    /** DELETE /api/v1/stacks/:stack (admin) — with its apps unless `keepApps`. */
    remove(name: string, options?: { keepApps?: boolean }): Promise<{ removedApps: string[] }>;
  };
}

const environmentQuery = (environment: string | undefined) =>
  environment === undefined ? {} : { query: { environment } };

export function createStacksClient({ call }: Pick<ApiTransport, 'call'>): StacksClient {
  const path = (name: string) => `/api/v1/stacks/${encodeURIComponent(name)}`;
  return {
    stacks: {
      put: (body) => call({ method: 'POST', path: '/api/v1/stacks', json: body }, putStackResponseSchema),
      list: (options = {}) =>
        call(
          { method: 'GET', path: '/api/v1/stacks', ...environmentQuery(options.environment) },
          listStacksResponseSchema,
        ),
      get: (name, options = {}) =>
        call({ method: 'GET', path: path(name), ...environmentQuery(options.environment) }, stackSchema),
      deploy: (name, body = {}, options = {}) =>
        call(
          { method: 'POST', path: `${path(name)}/deploy`, json: body, ...environmentQuery(options.environment) },
          stackDeploymentResponseSchema,
        ),
      rollback: (name, options = {}) =>
        call(
          { method: 'POST', path: `${path(name)}/rollback`, json: {}, ...environmentQuery(options.environment) },
          stackDeploymentResponseSchema,
        ),
      deployment: (name, id) =>
        call(
          { method: 'GET', path: `${path(name)}/deployments/${encodeURIComponent(id)}` },
          stackDeploymentResponseSchema,
        ),
      remove: (name, options = {}) =>
        call(
          {
            method: 'DELETE',
            path: path(name),
            ...(options.keepApps === true ? { query: { keepApps: 'true' } } : {}),
          },
          removeResponseSchema,
        ),
    },
  };
}
