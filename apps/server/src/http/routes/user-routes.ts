/** Users: create, list, grant and revoke roles, set a password. */
import {
  createUserBodySchema,
  grantBodySchema,
  listUsersResponseSchema,
  revokeGrantQuerySchema,
  setPasswordBodySchema,
  userParamsSchema,
  userSchema,
} from '@slipway/contract';
import { createUser, grantRole, listUsers, revokeRole, setPassword } from '@slipway/core';
import { requirePrincipal } from '../auth/request-principal.js';
import { globally } from '../auth/route-permissions.js';
import { noContent, routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

export const userRoutes: RouteGroup<RouteContext> = {
  name: 'user-routes',
  routes: [
    route({
      method: 'POST',
      url: '/api/v1/users',
      summary: 'Create a user',
      permission: { action: 'users.create', access: globally('admin') },
      schema: { body: createUserBodySchema, response: { 201: userSchema } },
      handler: async (request, reply, { identity }) =>
        reply.status(201).send(await createUser(identity, requirePrincipal(request), request.body)),
    }),
    route({
      method: 'GET',
      url: '/api/v1/users',
      summary: 'List users and their roles',
      permission: { action: 'users.list', access: globally('admin') },
      schema: { response: { 200: listUsersResponseSchema } },
      handler: async (_request, _reply, { identity }) => ({ users: await listUsers(identity) }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/users/:user/grants',
      summary: 'Grant a role on a project, or globally (admin, owner); replaces the role there',
      permission: { action: 'users.grant', access: globally('admin') },
      schema: { params: userParamsSchema, body: grantBodySchema, response: { 200: userSchema } },
      handler: async (request, _reply, { identity }) =>
        grantRole(identity, requirePrincipal(request), request.params.user, request.body),
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/users/:user/grants',
      summary: "Revoke the user's role on a project, or the global one",
      permission: { action: 'users.revoke-grant', access: globally('admin') },
      schema: { params: userParamsSchema, querystring: revokeGrantQuerySchema, response: { 200: userSchema } },
      handler: async (request, _reply, { identity }) =>
        revokeRole(identity, requirePrincipal(request), request.params.user, request.query.project),
    }),
    route({
      method: 'PUT',
      url: '/api/v1/users/:user/password',
      summary: "Set a user's password; ends the user's sessions (owner only)",
      permission: { action: 'users.set-password', access: globally('owner') },
      schema: { params: userParamsSchema, body: setPasswordBodySchema, response: { 204: noContent } },
      handler: async (request, reply, { identity }) => {
        await setPassword(identity, requirePrincipal(request), request.params.user, request.body.password);
        return reply.status(204).send();
      },
    }),
  ],
};
