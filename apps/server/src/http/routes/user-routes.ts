/** Users: create, list, grant and revoke roles, set a password. */
import type { FastifyInstance } from 'fastify';
import {
  createUserBodySchema,
  grantBodySchema,
  revokeGrantQuerySchema,
  setPasswordBodySchema,
  userParamsSchema,
} from '@slipway/contract';
import { createUser, grantRole, listUsers, revokeRole, setPassword, type IdentityDeps } from '@slipway/core';
import { requirePrincipal } from '../auth/request-principal.js';
import { validate } from '../validate.js';

export function userRoutes(app: FastifyInstance, identity: IdentityDeps): void {
  app.post('/api/v1/users', async (request, reply) => {
    const body = validate(createUserBodySchema, request.body, 'body');
    return reply.status(201).send(await createUser(identity, requirePrincipal(request), body));
  });
  app.get('/api/v1/users', async () => ({ users: await listUsers(identity) }));
  app.post('/api/v1/users/:user/grants', async (request) => {
    const params = validate(userParamsSchema, request.params, 'params');
    const body = validate(grantBodySchema, request.body, 'body');
    return grantRole(identity, requirePrincipal(request), params.user, body);
  });
  app.delete('/api/v1/users/:user/grants', async (request) => {
    const params = validate(userParamsSchema, request.params, 'params');
    const query = validate(revokeGrantQuerySchema, request.query, 'query');
    return revokeRole(identity, requirePrincipal(request), params.user, query.project);
  });
  app.put('/api/v1/users/:user/password', async (request, reply) => {
    const params = validate(userParamsSchema, request.params, 'params');
    const body = validate(setPasswordBodySchema, request.body, 'body');
    await setPassword(identity, requirePrincipal(request), params.user, body.password);
    return reply.status(204).send();
  });
}
