/** Host claims: list which project holds each host, grant a host to a project, free one (admins and owners). */
import type { FastifyInstance } from 'fastify';
import { grantHostBodySchema, hostParamsSchema } from '@slipway/contract';
import { grantHost, listHosts, revokeHost } from '@slipway/core';
import type { ServerContext } from '../server-context.js';
import { validate } from '../validate.js';

export function hostRoutes(app: FastifyInstance, context: ServerContext): void {
  const { deps } = context;
  app.get('/api/v1/hosts', async () => ({ hosts: await listHosts(deps) }));
  app.post('/api/v1/hosts', async (request, reply) => {
    const body = validate(grantHostBodySchema, request.body, 'body');
    return reply.status(201).send(await grantHost(deps, body));
  });
  app.delete('/api/v1/hosts/:host', async (request, reply) => {
    const params = validate(hostParamsSchema, request.params, 'params');
    await revokeHost(deps, params.host);
    return reply.status(204).send();
  });
}
