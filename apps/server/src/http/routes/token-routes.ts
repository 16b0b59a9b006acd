/** API tokens of the calling user: create (the secret is in this answer only), list, revoke. */
import {
  createTokenBodySchema,
  createTokenResponseSchema,
  listTokensResponseSchema,
  tokenParamsSchema,
} from '@slipway/contract';
import { createApiToken, listApiTokens, revokeApiToken } from '@slipway/core';
import { requirePrincipal } from '../auth/request-principal.js';
import { authenticated } from '../auth/route-permissions.js';
import { noContent, routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

export const tokenRoutes: RouteGroup<RouteContext> = {
  name: 'token-routes',
  routes: [
    route({
      method: 'POST',
      url: '/api/v1/tokens',
      summary: 'Create an API token of the calling user; the secret is in this answer only',
      permission: { action: 'tokens.create', access: authenticated },
      schema: { body: createTokenBodySchema, response: { 201: createTokenResponseSchema } },
      handler: async (request, reply, { identity }) => {
        // The secret must not linger in caches or intermediaries.
        void reply.header('cache-control', 'no-store');
        return reply.status(201).send(await createApiToken(identity, requirePrincipal(request), request.body));
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/tokens',
      summary: "The calling user's API tokens",
      permission: { action: 'tokens.list', access: authenticated },
      schema: { response: { 200: listTokensResponseSchema } },
      handler: async (request, _reply, { identity }) => ({
        tokens: await listApiTokens(identity, requirePrincipal(request)),
      }),
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/tokens/:id',
      summary: 'Revoke an API token at once',
      permission: { action: 'tokens.revoke', access: authenticated },
      schema: { params: tokenParamsSchema, response: { 204: noContent } },
      handler: async (request, reply, { identity }) => {
        await revokeApiToken(identity, requirePrincipal(request), request.params.id);
        return reply.status(204).send();
      },
    }),
  ],
};
