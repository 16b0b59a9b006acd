/** Stacks: create or update from a compose file or a repository, list, show, deploy, roll back, remove. */
import { z } from 'zod';
import {
  deployStackBodySchema,
  listStacksResponseSchema,
  putStackBodySchema,
  putStackResponseSchema,
  stackDeploymentParamsSchema,
  stackDeploymentResponseSchema,
  stackEnvironmentQuerySchema,
  stackParamsSchema,
  stackSchema,
  SlipwayError,
} from '@slipway/contract';
import {
  deployStack,
  getStack,
  listStacks,
  putStack,
  removeStack,
  rollbackStack,
  stackDeploymentView,
  stackView,
} from '@slipway/core';
import { localSourceAccess } from '../../local-sources.js';
import { visibleProjects } from '../auth/authorize.js';
import { requirePrincipal } from '../auth/request-principal.js';
import { anyProject, onBodyProject, onStack } from '../auth/route-permissions.js';
import { routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

const removeQuerySchema = z.strictObject({
  keepApps: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true')
    .describe('Keep the apps, remove only the stack'),
});
const removeResponseSchema = z.object({ removedApps: z.array(z.string()) });

export const stackRoutes: RouteGroup<RouteContext> = {
  name: 'stack-routes',
  routes: [
    route({
      method: 'POST',
      url: '/api/v1/stacks',
      summary: "Create a stack, or replace a stack's compose file, and create its services' apps; deploys nothing",
      permission: { action: 'stacks.create', access: onBodyProject('admin') },
      schema: { body: putStackBodySchema, response: { 200: putStackResponseSchema, 201: putStackResponseSchema } },
      handler: async (request, reply, { deps }) => {
        const { body } = request;
        const localAccess = localSourceAccess(requirePrincipal(request));
        // Build contexts are checked where every `path` source is: by the fetch, against this access.
        const result = await putStack(deps, {
          name: body.name,
          project: body.project,
          runtime: body.runtime,
          ...(body.prefix === undefined ? {} : { prefix: body.prefix }),
          source: body.source,
          localAccess,
        });
        const view = await stackView(deps, result.stack, 'production');
        return reply
          .status(result.isCreated ? 201 : 200)
          .send({ stack: view, isCreated: result.isCreated, warnings: result.warnings });
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/stacks',
      summary: 'List the stacks of the projects the caller may read',
      permission: { action: 'stacks.list', access: anyProject('viewer') },
      schema: { querystring: stackEnvironmentQuerySchema, response: { 200: listStacksResponseSchema } },
      handler: async (request, _reply, { deps }) => {
        const stacks = await listStacks(deps, visibleProjects(request));
        return { stacks: await Promise.all(stacks.map((s) => stackView(deps, s, request.query.environment))) };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/stacks/:stack',
      summary: "Describe a stack: its services' health, the stack's status and its last deployment",
      permission: { action: 'stacks.read', access: onStack('viewer') },
      schema: { params: stackParamsSchema, querystring: stackEnvironmentQuerySchema, response: { 200: stackSchema } },
      handler: async (request, _reply, { deps }) =>
        stackView(deps, await getStack(deps, request.params.stack), request.query.environment),
    }),
    route({
      method: 'POST',
      url: '/api/v1/stacks/:stack/deploy',
      summary: 'Deploy every service of a stack, each after what it depends on is healthy',
      permission: { action: 'stacks.deploy', access: onStack('deployer') },
      schema: {
        params: stackParamsSchema,
        querystring: stackEnvironmentQuerySchema,
        body: deployStackBodySchema.optional(),
        response: { 202: stackDeploymentResponseSchema },
      },
      handler: async (request, reply, { deps }) => {
        const stack = await getStack(deps, request.params.stack);
        const { ref, commit } = request.body ?? {};
        if ((ref !== undefined || commit !== undefined) && stack.source.kind !== 'repository')
          throw new SlipwayError(
            'VALIDATION_FAILED',
            `stack "${stack.name}" is deployed from a compose file: no ref or commit`,
          );
        const source =
          commit === undefined || stack.source.kind !== 'repository'
            ? undefined
            : { repositoryId: stack.source.repositoryId, ref: ref ?? stack.source.ref, commit };
        const deployment = await deployStack(deps, stack.id, source, {
          environment: request.query.environment,
          requestedBy: requirePrincipal(request).userName,
          ...(ref === undefined ? {} : { ref }),
        });
        return reply.status(202).send({ deployment: stackDeploymentView(stack.name, deployment) });
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/stacks/:stack/rollback',
      summary: 'Roll each service of a stack back to its previous release, in dependency order, without a build',
      permission: { action: 'stacks.rollback', access: onStack('deployer') },
      schema: {
        params: stackParamsSchema,
        querystring: stackEnvironmentQuerySchema,
        body: z.strictObject({}).optional(),
        response: { 202: stackDeploymentResponseSchema },
      },
      handler: async (request, reply, { deps }) => {
        const stack = await getStack(deps, request.params.stack);
        const deployment = await rollbackStack(deps, stack.id, {
          environment: request.query.environment,
          requestedBy: requirePrincipal(request).userName,
        });
        return reply.status(202).send({ deployment: stackDeploymentView(stack.name, deployment) });
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/stacks/:stack/deployments/:id',
      summary: 'Describe a stack deployment: each service’s deployment and state',
      permission: { action: 'stacks.read', access: onStack('viewer') },
      schema: { params: stackDeploymentParamsSchema, response: { 200: stackDeploymentResponseSchema } },
      handler: async (request, _reply, { deps }) => {
        const stack = await getStack(deps, request.params.stack);
        const deployment = await deps.store.stacks.findDeployment(request.params.id);
        if (deployment?.stackId !== stack.id)
          throw new SlipwayError(
            'DEPLOYMENT_NOT_FOUND',
            `stack "${stack.name}" has no deployment ${request.params.id}`,
            {
              details: { stack: stack.name, deploymentId: request.params.id },
            },
          );
        return { deployment: stackDeploymentView(stack.name, deployment) };
      },
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/stacks/:stack',
      summary: 'Remove a stack and, unless keepApps, its apps',
      permission: { action: 'stacks.delete', access: onStack('admin') },
      schema: { params: stackParamsSchema, querystring: removeQuerySchema, response: { 200: removeResponseSchema } },
      handler: async (request, _reply, { deps, fleet }) =>
        removeStack(deps, fleet, { name: request.params.stack, isRemovingApps: !request.query.keepApps }),
    }),
  ],
};
