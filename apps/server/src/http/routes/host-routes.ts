/** Host claims: list which project holds each host, grant a host to a project, free one (admins and owners). */
import { grantHostBodySchema, hostClaimSchema, hostParamsSchema, listHostsResponseSchema } from '@slipway/contract';
import { grantHost, listHosts, revokeHost } from '@slipway/core';
import { globally } from '../auth/route-permissions.js';
import { noContent, routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

export const hostRoutes: RouteGroup<RouteContext> = {
  name: 'host-routes',
  routes: [
    route({
      method: 'GET',
      url: '/api/v1/hosts',
      summary: 'Which project holds each host the edge may route, and how it came to (admin or owner)',
      permission: { action: 'hosts.list', access: globally('admin') },
      schema: { response: { 200: listHostsResponseSchema } },
      handler: async (_request, _reply, { deps }) => ({ hosts: await listHosts(deps) }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/hosts',
      summary: 'Grant a host or wildcard, reserved ones included, to a project; 409 HOST_TAKEN when another holds it',
      permission: { action: 'hosts.grant', access: globally('admin') },
      schema: { body: grantHostBodySchema, response: { 201: hostClaimSchema } },
      handler: async (request, reply, { deps }) => reply.status(201).send(await grantHost(deps, request.body)),
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/hosts/:host',
      summary: 'Free a host no route uses (409 HOST_IN_USE otherwise), for whoever claims it next (admin or owner)',
      permission: { action: 'hosts.revoke', access: globally('admin') },
      schema: { params: hostParamsSchema, response: { 204: noContent } },
      handler: async (request, reply, { deps }) => {
        await revokeHost(deps, request.params.host);
        return reply.status(204).send();
      },
    }),
  ],
};
