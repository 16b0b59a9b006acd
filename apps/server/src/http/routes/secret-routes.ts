/**
 * Secrets of an app environment (write-only: answers carry names, versions and times, never a value) and the
 * master-key rotation.
 */
import type { FastifyInstance } from 'fastify';
import {
  appParamsSchema,
  deleteSecretQuerySchema,
  environmentQuerySchema,
  patchSecretsBodySchema,
  rotateMasterKeyBodySchema,
  secretParamsSchema,
  setSecretBodySchema,
} from '@slipway/contract';
import { changeSecrets, listSecrets, type SecretChangeRequest } from '@slipway/core';
import { actorOfRequest } from '../auth/request-principal.js';
import type { ServerContext } from '../server-context.js';
import { validate } from '../validate.js';

export function secretRoutes(app: FastifyInstance, context: ServerContext): void {
  const { deps } = context;

  const change = async (request: SecretChangeRequest) => {
    const result = await changeSecrets(deps, request);
    if (result.deploymentId) context.worker.poke();
    return result;
  };

  app.get('/api/v1/apps/:app/secrets', async (request) => {
    const params = validate(appParamsSchema, request.params, 'params');
    const query = validate(environmentQuerySchema, request.query, 'query');
    return { secrets: await listSecrets(deps, { app: params.app, environment: query.environment }) };
  });

  app.patch('/api/v1/apps/:app/secrets', async (request) => {
    const params = validate(appParamsSchema, request.params, 'params');
    const query = validate(environmentQuerySchema, request.query, 'query');
    const body = validate(patchSecretsBodySchema, request.body, 'body');
    return change({
      app: params.app,
      environment: query.environment,
      set: body.set,
      unset: body.unset,
      deploy: body.deploy,
      actor: actorOfRequest(request),
    });
  });

  app.put('/api/v1/apps/:app/secrets/:name', async (request) => {
    const params = validate(secretParamsSchema, request.params, 'params');
    const query = validate(environmentQuerySchema, request.query, 'query');
    const body = validate(setSecretBodySchema, request.body, 'body');
    return change({
      app: params.app,
      environment: query.environment,
      set: { [params.name]: body.value },
      unset: [],
      deploy: body.deploy,
      actor: actorOfRequest(request),
    });
  });

  app.delete('/api/v1/apps/:app/secrets/:name', async (request) => {
    const params = validate(secretParamsSchema, request.params, 'params');
    const query = validate(deleteSecretQuerySchema, request.query, 'query');
    return change({
      app: params.app,
      environment: query.environment,
      set: {},
      unset: [params.name],
      deploy: query.deploy,
      actor: actorOfRequest(request),
    });
  });

  app.post('/api/v1/master-key/rotate', async (request) => {
    validate(rotateMasterKeyBodySchema, request.body, 'body');
    const rotation = await context.masterKeyRotation.rotate();
    context.auditRecorder.onSecurityEvent({
      name: 'secrets.master-key.rotated',
      actor: actorOfRequest(request),
      target: { kind: 'master-key', id: rotation.masterKeyId },
      outcome: 'success',
      details: { rewrappedDataKeys: rotation.rewrappedDataKeys },
    });
    return rotation;
  });
}
