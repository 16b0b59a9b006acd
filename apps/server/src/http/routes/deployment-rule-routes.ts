/**
 * An app's deployment rules: list and dry-run (viewers), add, enable, disable, move and remove (admins, as the
 * environment's strategy and approval policy). Every change is audited by the audit hooks with the rule's action.
 */
import {
  addDeploymentRuleBodySchema,
  appParamsSchema,
  deploymentRuleParamsSchema,
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
import { onApp } from '../auth/route-permissions.js';
import { noContent, routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();
const rulesPath = '/api/v1/apps/:app/rules';
const rulePath = `${rulesPath}/:rule`;

export const deploymentRuleRoutes: RouteGroup<RouteContext> = {
  name: 'deployment-rule-routes',
  routes: [
    route({
      method: 'GET',
      url: rulesPath,
      summary: "The app's deployment rules in order, with their trigger counts and last deployed commits",
      permission: { action: 'rules.list', access: onApp('viewer') },
      schema: { params: appParamsSchema, response: { 200: listDeploymentRulesResponseSchema } },
      handler: async ({ params }, _reply, { deps }) => ({ rules: await listDeploymentRules(deps, params.app) }),
    }),
    route({
      method: 'GET',
      url: `${rulesPath}/test`,
      summary: 'Dry run: which rule a push of a full ref fires, and why each earlier one does not; deploys nothing',
      permission: { action: 'rules.test', access: onApp('viewer') },
      schema: {
        params: appParamsSchema,
        querystring: testDeploymentRulesQuerySchema,
        response: { 200: testDeploymentRulesResponseSchema },
      },
      handler: async ({ params, query }, _reply, { deps }) =>
        testDeploymentRules(deps, { owner: params.app, ref: query.ref }),
    }),
    route({
      method: 'POST',
      url: rulesPath,
      summary: "Add a rule: pushes of matching refs of a repository of the app's project deploy to an environment",
      permission: { action: 'rules.create', access: onApp('admin') },
      schema: { params: appParamsSchema, body: addDeploymentRuleBodySchema, response: { 201: deploymentRuleSchema } },
      handler: async ({ params, body }, reply, { deps }) =>
        reply.status(201).send(await addDeploymentRule(deps, params.app, body)),
    }),
    route({
      method: 'POST',
      url: `${rulePath}/enable`,
      summary: 'Enable a rule (idempotent)',
      permission: { action: 'rules.enable', access: onApp('admin') },
      schema: { params: deploymentRuleParamsSchema, body: noBodySchema, response: { 200: deploymentRuleSchema } },
      handler: async ({ params }, _reply, { deps }) =>
        setDeploymentRuleEnabled(deps, { owner: params.app, rule: params.rule, isEnabled: true }),
    }),
    route({
      method: 'POST',
      url: `${rulePath}/disable`,
      summary: 'Disable a rule: it never fires, and the next enabled one that matches does (idempotent)',
      permission: { action: 'rules.disable', access: onApp('admin') },
      schema: { params: deploymentRuleParamsSchema, body: noBodySchema, response: { 200: deploymentRuleSchema } },
      handler: async ({ params }, _reply, { deps }) =>
        setDeploymentRuleEnabled(deps, { owner: params.app, rule: params.rule, isEnabled: false }),
    }),
    route({
      method: 'POST',
      url: `${rulePath}/move`,
      summary: 'Move a rule to another position (1 = first); the others shift',
      permission: { action: 'rules.move', access: onApp('admin') },
      schema: {
        params: deploymentRuleParamsSchema,
        body: moveDeploymentRuleBodySchema,
        response: { 200: deploymentRuleSchema },
      },
      handler: async ({ params, body }, _reply, { deps }) =>
        moveDeploymentRule(deps, { owner: params.app, rule: params.rule, position: body.position }),
    }),
    route({
      method: 'DELETE',
      url: rulePath,
      summary: 'Remove a rule; the ones after it move up',
      permission: { action: 'rules.delete', access: onApp('admin') },
      schema: { params: deploymentRuleParamsSchema, response: { 204: noContent } },
      handler: async ({ params }, reply, { deps }) => {
        await removeDeploymentRule(deps, { owner: params.app, rule: params.rule });
        return reply.status(204).send();
      },
    }),
  ],
};
