/**
 * Secrets of an app environment (write-only: answers carry names, versions and times, never a value) and the
 * master-key rotation.
 */
import {
  appParamsSchema,
  deleteSecretQuerySchema,
  environmentQuerySchema,
  listSecretsResponseSchema,
  patchSecretsBodySchema,
  rotateMasterKeyBodySchema,
  rotateMasterKeyResponseSchema,
  secretChangeResponseSchema,
  secretParamsSchema,
  setSecretBodySchema,
} from '@slipway/contract';
import { changeSecrets, listSecrets, type SecretChangeRequest } from '@slipway/core';
import { actorOfRequest } from '../auth/request-principal.js';
import { globally, onApp } from '../auth/route-permissions.js';
import { routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

async function change(context: RouteContext, request: SecretChangeRequest) {
  const result = await changeSecrets(context.deps, request);
  if (result.deploymentId) context.worker.poke();
  return result;
}

export const secretRoutes: RouteGroup<RouteContext> = {
  name: 'secret-routes',
  routes: [
    route({
      method: 'GET',
      url: '/api/v1/apps/:app/secrets',
      summary: 'List secrets: names, versions and update times; values are write-only and never returned',
      permission: { action: 'secrets.list', access: onApp('viewer') },
      schema: {
        params: appParamsSchema,
        querystring: environmentQuerySchema,
        response: { 200: listSecretsResponseSchema },
      },
      handler: async ({ params, query }, _reply, { deps }) => ({
        secrets: await listSecrets(deps, { app: params.app, environment: query.environment }),
      }),
    }),
    route({
      method: 'PATCH',
      url: '/api/v1/apps/:app/secrets',
      summary: 'Set and unset several secrets in one change; rolls out one new release unless deploy=false',
      permission: { action: 'secrets.change', access: onApp('deployer') },
      schema: {
        params: appParamsSchema,
        querystring: environmentQuerySchema,
        body: patchSecretsBodySchema,
        response: { 200: secretChangeResponseSchema },
      },
      handler: async (request, _reply, context) => {
        const { params, query, body } = request;
        return change(context, {
          app: params.app,
          environment: query.environment,
          set: body.set,
          unset: body.unset,
          deploy: body.deploy,
          actor: actorOfRequest(request),
        });
      },
    }),
    route({
      method: 'PUT',
      url: '/api/v1/apps/:app/secrets/:name',
      summary: 'Set a secret (encrypted at rest); rolls out a new release unless deploy=false',
      permission: { action: 'secrets.set', access: onApp('deployer') },
      schema: {
        params: secretParamsSchema,
        querystring: environmentQuerySchema,
        body: setSecretBodySchema,
        response: { 200: secretChangeResponseSchema },
      },
      handler: async (request, _reply, context) => {
        const { params, query, body } = request;
        return change(context, {
          app: params.app,
          environment: query.environment,
          set: { [params.name]: body.value },
          unset: [],
          deploy: body.deploy,
          actor: actorOfRequest(request),
        });
      },
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/apps/:app/secrets/:name',
      summary: 'Unset a secret; rolls out a new release unless deploy=false',
      permission: { action: 'secrets.unset', access: onApp('deployer') },
      schema: {
        params: secretParamsSchema,
        querystring: deleteSecretQuerySchema,
        response: { 200: secretChangeResponseSchema },
      },
      handler: async (request, _reply, context) => {
        const { params, query } = request;
        return change(context, {
          app: params.app,
          environment: query.environment,
          set: {},
          unset: [params.name],
          deploy: query.deploy,
          actor: actorOfRequest(request),
        });
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/master-key/rotate',
      summary: 'Rotate the master key: a new key, every data key re-wrapped under it, the old key retired (owner only)',
      permission: { action: 'secrets.master-key.rotate', access: globally('owner') },
      schema: { body: rotateMasterKeyBodySchema, response: { 200: rotateMasterKeyResponseSchema } },
      handler: async (request, _reply, { masterKeyRotation, auditRecorder }) => {
        const rotation = await masterKeyRotation.rotate();
        auditRecorder.onSecurityEvent({
          name: 'secrets.master-key.rotated',
          actor: actorOfRequest(request),
          target: { kind: 'master-key', id: rotation.masterKeyId },
          outcome: 'success',
          details: { rewrappedDataKeys: rotation.rewrappedDataKeys },
        });
        return rotation;
      },
    }),
  ],
};
