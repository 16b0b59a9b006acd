/**
 * Alerts: rules (anyone who may read the project lists them; its admins add and remove them) and the alerts they
 * raised (anyone who may read the project). Every route is `any-project`: the project is in the body, the query or
 * the rule, and each handler checks the caller's role on it, answering NOT_FOUND for what the caller may not see.
 */
import {
  addAlertRuleBodySchema,
  alertRuleParamsSchema,
  alertRuleSchema,
  listAlertRulesQuerySchema,
  listAlertRulesResponseSchema,
  listAlertsQuerySchema,
  listAlertsResponseSchema,
  SlipwayError,
} from '@slipway/contract';
import { addAlertRule, getAlertRule, listAlertRules, listAlerts, removeAlertRule } from '@slipway/core';
import { visibleProjectNames } from '../auth/authorize.js';
import { anyProject } from '../auth/route-permissions.js';
import { noContent, routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

const projectNotFound = (project: string): SlipwayError =>
  new SlipwayError('PROJECT_NOT_FOUND', `project ${project} not found`);

export const alertRoutes: RouteGroup<RouteContext> = {
  name: 'alert-routes',
  routes: [
    route({
      method: 'GET',
      url: '/api/v1/alerts/rules',
      summary: "Alert rules of the projects the caller may read, the projects' built-in rules included",
      permission: { action: 'alerts.rules.list', access: anyProject('viewer') },
      schema: { querystring: listAlertRulesQuerySchema, response: { 200: listAlertRulesResponseSchema } },
      handler: async (request, _reply, { deps }) => {
        const canSee = await visibleProjectNames(request, deps.store);
        const { project } = request.query;
        if (project !== undefined && !canSee(project)) throw projectNotFound(project);
        return { rules: (await listAlertRules(deps, project)).filter((r) => canSee(r.project)) };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/alerts/rules',
      summary:
        'Add an alert rule to a project, for all its apps or one, in every environment or one (admin of the project); 400 ALERT_RULE_INVALID for a threshold out of bounds or a kind slipwayd cannot observe',
      permission: { action: 'alerts.rules.add', access: anyProject('admin') },
      schema: { body: addAlertRuleBodySchema, response: { 201: alertRuleSchema } },
      handler: async (request, reply, { deps }) => {
        const canAdminister = await visibleProjectNames(request, deps.store, 'admin');
        if (!canAdminister(request.body.project)) throw projectNotFound(request.body.project);
        return reply.status(201).send(await addAlertRule(deps, request.body));
      },
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/alerts/rules/:id',
      summary:
        'Remove an alert rule, or turn a built-in one off (admin of its project); its firing alerts resolve at the next evaluation',
      permission: { action: 'alerts.rules.remove', access: anyProject('admin') },
      schema: { params: alertRuleParamsSchema, response: { 204: noContent } },
      handler: async (request, reply, { deps }) => {
        const canAdminister = await visibleProjectNames(request, deps.store, 'admin');
        const rule = await getAlertRule(deps, request.params.id);
        if (!canAdminister(rule.project)) {
          throw new SlipwayError('ALERT_RULE_NOT_FOUND', `alert rule ${request.params.id} not found`);
        }
        await removeAlertRule(deps, rule.id);
        return reply.status(204).send();
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/alerts',
      summary:
        'Alerts: pending and firing ones first, then the recently resolved, each with its state, times and value',
      permission: { action: 'alerts.list', access: anyProject('viewer') },
      schema: { querystring: listAlertsQuerySchema, response: { 200: listAlertsResponseSchema } },
      handler: async (request, _reply, { deps }) => {
        const canSee = await visibleProjectNames(request, deps.store);
        const { project, state, limit } = request.query;
        if (project !== undefined && !canSee(project)) throw projectNotFound(project);
        const alerts = await listAlerts(deps, {
          ...(project === undefined ? {} : { project }),
          ...(state === undefined ? {} : { state }),
          limit,
        });
        return { alerts: alerts.filter((a) => canSee(a.project)) };
      },
    }),
  ],
};
