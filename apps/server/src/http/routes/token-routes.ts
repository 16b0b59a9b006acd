/** API tokens of the calling user: create (the secret is in this answer only), list, revoke. */
import type { FastifyInstance } from 'fastify';
import { createTokenBodySchema, tokenParamsSchema } from '@slipway/contract';
import { createApiToken, listApiTokens, revokeApiToken, type IdentityDeps } from '@slipway/core';
import { requirePrincipal } from '../auth/request-principal.js';
import { validate } from '../validate.js';

export function tokenRoutes(app: FastifyInstance, identity: IdentityDeps): void {
  app.post('/api/v1/tokens', async (request, reply) => {
    const body = validate(createTokenBodySchema, request.body, 'body');
    // The secret must not linger in caches or intermediaries.
    void reply.header('cache-control', 'no-store');
    return reply.status(201).send(await createApiToken(identity, requirePrincipal(request), body));
  });
  app.get('/api/v1/tokens', async (request) => ({
    tokens: await listApiTokens(identity, requirePrincipal(request)),
  }));
  app.delete('/api/v1/tokens/:id', async (request, reply) => {
    const params = validate(tokenParamsSchema, request.params, 'params');
    await revokeApiToken(identity, requirePrincipal(request), params.id);
    return reply.status(204).send();
  });
}
