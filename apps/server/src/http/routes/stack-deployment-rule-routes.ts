/**
 * A stack's deployment rules, as an app's (`deployment-rule-routes.ts`): list and dry-run (viewers of the stack's
 * project), add, enable, disable, move and remove (its admins). A stack's rules read the stack's own repository.
 */
import {
  addDeploymentRuleBodySchema,
  stackParamsSchema,
  stackDeploymentRuleParamsSchema,
  deploymentRuleSchema,
  listDeploymentRulesResponseSchema,
  moveDeploymentRuleBodySchema,
  noBodySchema,
  testDeploymentRulesQuerySchema,
  testDeploymentRulesResponseSchema,
} from '@slipway/contract';
import {
  addDeploymentRule,
  listDeploymentRules,
  moveDeploymentRule,
  removeDeploymentRule,
  setDeploymentRuleEnabled,
  testDeploymentRules,
} from '@slipway/core';
import { onStack } from '../auth/route-permissions.js';
import { noContent, routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();
const rulesPath = '/api/v1/stacks/:stack/rules';
const rulePath = `${rulesPath}/:rule`;

export const stackDeploymentRuleRoutes: RouteGroup<RouteContext> = {
  name: 'stack-deployment-rule-routes',
  routes: [
    route({
      method: 'GET',
      url: rulesPath,
      summary: "The stack's deployment rules in order, with their trigger counts and last deployed commits",
      permission: { action: 'stacks.rules.list', access: onStack('viewer') },
      schema: { params: stackParamsSchema, response: { 200: listDeploymentRulesResponseSchema } },
      handler: async ({ params }, _reply, { deps }) => ({
        rules: await listDeploymentRules(deps, { stack: params.stack }),
      }),
    }),
    route({
      method: 'GET',
      url: `${rulesPath}/test`,
      summary: 'Dry run: which rule a push of a full ref fires, and why each earlier one does not; deploys nothing',
      permission: { action: 'stacks.rules.test', access: onStack('viewer') },
      schema: {
        params: stackParamsSchema,
        querystring: testDeploymentRulesQuerySchema,
        response: { 200: testDeploymentRulesResponseSchema },
      },
      handler: async ({ params, query }, _reply, { deps }) =>
        testDeploymentRules(deps, { owner: { stack: params.stack }, ref: query.ref }),
    }),
    route({
      method: 'POST',
      url: rulesPath,
      summary: "Add a rule: pushes of matching refs of the stack's repository deploy the stack to an environment",
      permission: { action: 'stacks.rules.create', access: onStack('admin') },
      schema: { params: stackParamsSchema, body: addDeploymentRuleBodySchema, response: { 201: deploymentRuleSchema } },
      handler: async ({ params, body }, reply, { deps }) =>
        reply.status(201).send(await addDeploymentRule(deps, { stack: params.stack }, body)),
    }),
    route({
      method: 'POST',
      url: `${rulePath}/enable`,
      summary: 'Enable a rule (idempotent)',
      permission: { action: 'stacks.rules.enable', access: onStack('admin') },
      schema: { params: stackDeploymentRuleParamsSchema, body: noBodySchema, response: { 200: deploymentRuleSchema } },
      handler: async ({ params }, _reply, { deps }) =>
        setDeploymentRuleEnabled(deps, { owner: { stack: params.stack }, rule: params.rule, isEnabled: true }),
    }),
    route({
      method: 'POST',
      url: `${rulePath}/disable`,
      summary: 'Disable a rule: it never fires, and the next enabled one that matches does (idempotent)',
      permission: { action: 'stacks.rules.disable', access: onStack('admin') },
      schema: { params: stackDeploymentRuleParamsSchema, body: noBodySchema, response: { 200: deploymentRuleSchema } },
      handler: async ({ params }, _reply, { deps }) =>
        setDeploymentRuleEnabled(deps, { owner: { stack: params.stack }, rule: params.rule, isEnabled: false }),
    }),
    route({
      method: 'POST',
      url: `${rulePath}/move`,
      summary: 'Move a rule to another position (1 = first); the others shift',
      permission: { action: 'stacks.rules.move', access: onStack('admin') },
      schema: {
        params: stackDeploymentRuleParamsSchema,
        body: moveDeploymentRuleBodySchema,
        response: { 200: deploymentRuleSchema },
      },
      handler: async ({ params, body }, _reply, { deps }) =>
        moveDeploymentRule(deps, { owner: { stack: params.stack }, rule: params.rule, position: body.position }),
    }),
    route({
      method: 'DELETE',
      url: rulePath,
      summary: 'Remove a rule; the ones after it move up',
      permission: { action: 'stacks.rules.delete', access: onStack('admin') },
      schema: { params: stackDeploymentRuleParamsSchema, response: { 204: noContent } },
      handler: async ({ params }, reply, { deps }) => {
        await removeDeploymentRule(deps, { owner: { stack: params.stack }, rule: params.rule });
        return reply.status(204).send();
      },
    }),
  ],
};
