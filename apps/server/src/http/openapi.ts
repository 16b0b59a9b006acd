/** The OpenAPI 3.1 document, built from the same zod schemas the routes validate with. */
import { z } from 'zod';
import {
  appSchema,
  configPatchBodySchema,
  configResponseSchema,
  createAppBodySchema,
  createDeploymentBodySchema,
  createDeploymentResponseSchema,
  createProjectBodySchema,
  deploymentEventSchema,
  deploymentSchema,
  errorCodes,
  listAppsResponseSchema,
  listDeploymentsResponseSchema,
  listInstancesResponseSchema,
  listProjectsResponseSchema,
  listReleasesResponseSchema,
  logLineSchema,
  logsResponseSchema,
  listSecretsResponseSchema,
  manifestSchema,
  patchSecretsBodySchema,
  projectSchema,
  rollbackBodySchema,
  rotateMasterKeyResponseSchema,
  secretChangeResponseSchema,
  setSecretBodySchema,
  scaleBodySchema,
  scaleResponseSchema,
  statusSchema,
  validateBodySchema,
  validateResponseSchema,
} from '@slipway/contract';
import { auditOperations } from './openapi-audit.js';
import { accessOf, identityOperations } from './openapi-identity.js';

export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  body?: z.ZodType;
  bodyType?: string;
  ok: number;
  response?: z.ZodType;
  responseType?: string;
  query?: Record<string, string>;
}

const environmentQuery = { environment: 'Environment name (default production)' };

const operations: Operation[] = [
  {
    method: 'get',
    path: '/api/v1/status',
    summary: 'Control plane, edge and apps at a glance',
    ok: 200,
    response: statusSchema,
  },
  { method: 'get', path: '/api/v1/projects', summary: 'List projects', ok: 200, response: listProjectsResponseSchema },
  {
    method: 'post',
    path: '/api/v1/projects',
    summary: 'Create a project',
    body: createProjectBodySchema,
    ok: 201,
    response: projectSchema,
  },
  { method: 'get', path: '/api/v1/apps', summary: 'List apps', ok: 200, response: listAppsResponseSchema },
  {
    method: 'post',
    path: '/api/v1/apps',
    summary: 'Create an app',
    body: createAppBodySchema,
    ok: 201,
    response: appSchema,
  },
  { method: 'get', path: '/api/v1/apps/{app}', summary: 'Describe an app', ok: 200, response: appSchema },
  {
    method: 'delete',
    path: '/api/v1/apps/{app}',
    summary: 'Delete an app, its instances, routes and releases',
    ok: 204,
  },
  {
    method: 'get',
    path: '/api/v1/apps/{app}/config',
    summary: 'Read config (env vars)',
    ok: 200,
    response: configResponseSchema,
    query: environmentQuery,
  },
  {
    method: 'patch',
    path: '/api/v1/apps/{app}/config',
    summary: 'Set/unset config; rolls out a new release unless deploy=false',
    body: configPatchBodySchema,
    ok: 200,
    response: configResponseSchema,
    query: environmentQuery,
  },
  {
    method: 'post',
    path: '/api/v1/apps/{app}/deployments',
    summary:
      'Deploy from a directory or git repository (JSON), or from an uploaded .tar.gz (Content-Type: application/gzip, ?fileName=)',
    body: createDeploymentBodySchema,
    ok: 202,
    response: createDeploymentResponseSchema,
    query: { ...environmentQuery, fileName: 'Archive uploads: the file name' },
  },
  {
    method: 'get',
    path: '/api/v1/apps/{app}/deployments',
    summary: 'List deployments, newest first',
    ok: 200,
    response: listDeploymentsResponseSchema,
    query: { ...environmentQuery, limit: 'At most this many (default 20)' },
  },
  {
    method: 'get',
    path: '/api/v1/deployments/{id}',
    summary: 'Describe a deployment with its phases',
    ok: 200,
    response: deploymentSchema,
  },
  {
    method: 'post',
    path: '/api/v1/deployments/{id}/cancel',
    summary: 'Cancel a pending or running deployment (idempotent); 409 once it has finished',
    ok: 202,
    response: deploymentSchema,
  },
  {
    method: 'get',
    path: '/api/v1/deployments/{id}/events',
    summary: 'Live events (SSE): phase, log and state; ends after the final state',
    ok: 200,
    response: deploymentEventSchema,
    responseType: 'text/event-stream',
    query: { after: 'Only events after this sequence number' },
  },
  {
    method: 'get',
    path: '/api/v1/apps/{app}/releases',
    summary: 'List retained releases, newest first',
    ok: 200,
    response: listReleasesResponseSchema,
    query: environmentQuery,
  },
  {
    method: 'post',
    path: '/api/v1/apps/{app}/rollback',
    summary: 'Roll back to an earlier release without a build',
    body: rollbackBodySchema,
    ok: 202,
    response: createDeploymentResponseSchema,
    query: environmentQuery,
  },
  {
    method: 'put',
    path: '/api/v1/apps/{app}/scale',
    summary: 'Set replicas per process type',
    body: scaleBodySchema,
    ok: 200,
    response: scaleResponseSchema,
    query: environmentQuery,
  },
  {
    method: 'get',
    path: '/api/v1/apps/{app}/instances',
    summary: 'List instances',
    ok: 200,
    response: listInstancesResponseSchema,
    query: environmentQuery,
  },
  {
    method: 'get',
    path: '/api/v1/apps/{app}/logs',
    summary: 'Instance output: tail (JSON), or follow (SSE of log lines)',
    ok: 200,
    response: logsResponseSchema,
    query: {
      ...environmentQuery,
      tail: 'Lines per instance (default 100)',
      follow: 'true to stream',
      process: 'Only this process type',
    },
  },
  {
    method: 'get',
    path: '/api/v1/apps/{app}/secrets',
    summary: 'List secrets: names, versions and update times; values are write-only and never returned',
    ok: 200,
    response: listSecretsResponseSchema,
    query: environmentQuery,
  },
  {
    method: 'patch',
    path: '/api/v1/apps/{app}/secrets',
    summary: 'Set and unset several secrets in one change; rolls out one new release unless deploy=false',
    body: patchSecretsBodySchema,
    ok: 200,
    response: secretChangeResponseSchema,
    query: environmentQuery,
  },
  {
    method: 'put',
    path: '/api/v1/apps/{app}/secrets/{name}',
    summary: 'Set a secret (encrypted at rest); rolls out a new release unless deploy=false',
    body: setSecretBodySchema,
    ok: 200,
    response: secretChangeResponseSchema,
    query: environmentQuery,
  },
  {
    method: 'delete',
    path: '/api/v1/apps/{app}/secrets/{name}',
    summary: 'Unset a secret; rolls out a new release unless deploy=false',
    ok: 200,
    response: secretChangeResponseSchema,
    query: { ...environmentQuery, deploy: 'false to store the change without rolling out (default true)' },
  },
  {
    method: 'post',
    path: '/api/v1/master-key/rotate',
    summary: 'Rotate the master key: a new key, every data key re-wrapped under it, the old key retired (owner only)',
    ok: 200,
    response: rotateMasterKeyResponseSchema,
  },
  {
    method: 'post',
    path: '/api/v1/validate',
    summary: 'Validate a slipway.yaml document',
    body: validateBodySchema,
    ok: 200,
    response: validateResponseSchema,
  },
  ...identityOperations,
  ...auditOperations,
];

const errorBody = z.object({
  error: z.object({
    code: z.enum(errorCodes),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
    requestId: z.string(),
  }),
});

const jsonSchema = (schema: z.ZodType): unknown => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

export function buildOpenApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const parameters = [
      ...[...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...Object.entries(op.query ?? {}).map(([name, description]) => ({
        name,
        in: 'query',
        required: false,
        description,
        schema: { type: 'string' },
      })),
    ];
    paths[op.path] ??= {};
    (paths[op.path] as Record<string, unknown>)[op.method] = {
      summary: op.summary,
      ...accessOf(op),
      parameters,
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { [op.bodyType ?? 'application/json']: { schema: jsonSchema(op.body) } },
            },
          }
        : {}),
      responses: {
        [String(op.ok)]: {
          description: 'success',
          ...(op.response
            ? { content: { [op.responseType ?? 'application/json']: { schema: jsonSchema(op.response) } } }
            : {}),
        },
        default: { description: 'a coded error', content: { 'application/json': { schema: jsonSchema(errorBody) } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Slipway API',
      version,
      description:
        'Deploy, roll out, route and keep running. Errors are { error: { code, message, details?, requestId } }.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: { Manifest: jsonSchema(manifestSchema), LogLine: jsonSchema(logLineSchema) },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token (slw_…) or an access token from POST /api/v1/auth/login',
        },
      },
    },
  };
}
