/** Environments of an app: create, list, delete; their strategy override and approval policy (admins set them). */
import {
  appEnvironmentParamsSchema,
  appParamsSchema,
  approvalPolicyBodySchema,
  approvalPolicySchema,
  deleteEnvironmentQuerySchema,
  environmentSchema,
  listEnvironmentsResponseSchema,
  setStrategyBodySchema,
} from '@slipway/contract';
import {
  clearApprovalPolicy,
  createEnvironment,
  deleteEnvironment,
  getApprovalPolicy,
  listEnvironments,
  setApprovalPolicy,
  setEnvironmentStrategy,
} from '@slipway/core';
import { onApp } from '../auth/route-permissions.js';
import { noContent, routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();
const envPath = '/api/v1/apps/:app/environments/:env';

export const environmentRoutes: RouteGroup<RouteContext> = {
  name: 'environment-routes',
  routes: [
    route({
      method: 'GET',
      url: '/api/v1/apps/:app/environments',
      summary: "The app's environments with their default host, release, strategy override and policy",
      permission: { action: 'environments.list', access: onApp('viewer') },
      schema: { params: appParamsSchema, response: { 200: listEnvironmentsResponseSchema } },
      handler: async ({ params }, _reply, { deps }) => ({ environments: await listEnvironments(deps, params.app) }),
    }),
    route({
      method: 'POST',
      url: envPath,
      summary: 'Create an environment of the app (409 ENVIRONMENT_ALREADY_EXISTS when it has it)',
      permission: { action: 'environments.create', access: onApp('admin') },
      schema: { params: appEnvironmentParamsSchema, response: { 201: environmentSchema } },
      handler: async ({ params }, reply, { deps }) =>
        reply.status(201).send(await createEnvironment(deps, { app: params.app, environment: params.env })),
    }),
    route({
      method: 'DELETE',
      url: envPath,
      summary: 'Delete an environment with everything in it; 409 ENVIRONMENT_IN_USE while instances run unless force',
      permission: { action: 'environments.delete', access: onApp('admin') },
      schema: {
        params: appEnvironmentParamsSchema,
        querystring: deleteEnvironmentQuerySchema,
        response: { 204: noContent },
      },
      handler: async ({ params, query }, reply, { deps, fleet }) => {
        await deleteEnvironment(deps, fleet, { app: params.app, environment: params.env, force: query.force });
        return reply.status(204).send();
      },
    }),
    route({
      method: 'PUT',
      url: `${envPath}/strategy`,
      summary: "Set the strategy that replaces the manifest's in this environment",
      permission: { action: 'environments.strategy.set', access: onApp('admin') },
      schema: { params: appEnvironmentParamsSchema, body: setStrategyBodySchema, response: { 200: environmentSchema } },
      handler: async ({ params, body }, _reply, { deps }) =>
        setEnvironmentStrategy(deps, { app: params.app, environment: params.env, strategy: body.strategy }),
    }),
    route({
      method: 'DELETE',
      url: `${envPath}/strategy`,
      summary: "Remove the environment's strategy override: the manifest's applies again (idempotent)",
      permission: { action: 'environments.strategy.clear', access: onApp('admin') },
      schema: { params: appEnvironmentParamsSchema, response: { 200: environmentSchema } },
      handler: async ({ params }, _reply, { deps }) =>
        setEnvironmentStrategy(deps, { app: params.app, environment: params.env, strategy: null }),
    }),
    route({
      method: 'GET',
      url: `${envPath}/approval-policy`,
      summary: "The environment's approval policy; 404 APPROVAL_NOT_FOUND when deployments there need none",
      permission: { action: 'environments.approval-policy.read', access: onApp('viewer') },
      schema: { params: appEnvironmentParamsSchema, response: { 200: approvalPolicySchema } },
      handler: async ({ params }, _reply, { deps }) =>
        getApprovalPolicy(deps, { app: params.app, environment: params.env }),
    }),
    route({
      method: 'PUT',
      url: `${envPath}/approval-policy`,
      summary: "Set (replace) the environment's approval policy; omitted fields take their defaults",
      permission: { action: 'environments.approval-policy.set', access: onApp('admin') },
      schema: {
        params: appEnvironmentParamsSchema,
        body: approvalPolicyBodySchema,
        response: { 200: approvalPolicySchema },
      },
      handler: async ({ params, body }, _reply, { deps }) =>
        setApprovalPolicy(deps, { app: params.app, environment: params.env, policy: body }),
    }),
    route({
      method: 'DELETE',
      url: `${envPath}/approval-policy`,
      summary: 'Remove the approval policy: later deployments need no approval (idempotent)',
      permission: { action: 'environments.approval-policy.clear', access: onApp('admin') },
      schema: { params: appEnvironmentParamsSchema, response: { 204: noContent } },
      handler: async ({ params }, reply, { deps }) => {
        await clearApprovalPolicy(deps, { app: params.app, environment: params.env });
        return reply.status(204).send();
      },
    }),
  ],
};
