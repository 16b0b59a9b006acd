/**
 * Notifications: targets (admins of the project; their secret parts write-only) and deliveries with every attempt
 * (anyone who may read the project). Every route is `any-project`: the project is in the body, the query or the
 * target, and each handler checks the caller's role on it, answering NOT_FOUND for what the caller may not see.
 */
import {
  addNotificationTargetBodySchema,
  listNotificationDeliveriesQuerySchema,
  listNotificationDeliveriesResponseSchema,
  listNotificationTargetsQuerySchema,
  listNotificationTargetsResponseSchema,
  notificationTargetParamsSchema,
  notificationTargetSchema,
  SlipwayError,
} from '@slipway/contract';
import {
  addNotificationTarget,
  getNotificationTarget,
  listNotificationDeliveries,
  listNotificationTargets,
  removeNotificationTarget,
} from '@slipway/core';
import { visibleProjectNames } from '../auth/authorize.js';
import { anyProject } from '../auth/route-permissions.js';
import { noContent, routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

const projectNotFound = (project: string): SlipwayError =>
  new SlipwayError('PROJECT_NOT_FOUND', `project ${project} not found`);

export const notificationRoutes: RouteGroup<RouteContext> = {
  name: 'notification-routes',
  routes: [
    route({
      method: 'GET',
      url: '/api/v1/notifications/targets',
      summary: 'Notification targets of the projects the caller administers, without their secret parts',
      permission: { action: 'notifications.targets.list', access: anyProject('admin') },
      schema: {
        querystring: listNotificationTargetsQuerySchema,
        response: { 200: listNotificationTargetsResponseSchema },
      },
      handler: async (request, _reply, { deps }) => {
        const canAdminister = await visibleProjectNames(request, deps.store, 'admin');
        const { project } = request.query;
        if (project !== undefined && !canAdminister(project)) throw projectNotFound(project);
        return { targets: (await listNotificationTargets(deps, project)).filter((t) => canAdminister(t.project)) };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/notifications/targets',
      summary:
        'Add a webhook, Slack or email target to a project (admin of it); 400 NOTIFICATION_TARGET_INVALID for a URL that is not http(s) or carries credentials',
      permission: { action: 'notifications.targets.add', access: anyProject('admin') },
      schema: { body: addNotificationTargetBodySchema, response: { 201: notificationTargetSchema } },
      handler: async (request, reply, { deps }) => {
        const canAdminister = await visibleProjectNames(request, deps.store, 'admin');
        if (!canAdminister(request.body.project)) throw projectNotFound(request.body.project);
        return reply.status(201).send(await addNotificationTarget(deps, request.body));
      },
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/notifications/targets/:id',
      summary: 'Remove a notification target (admin of its project); pending deliveries to it then fail',
      permission: { action: 'notifications.targets.remove', access: anyProject('admin') },
      schema: { params: notificationTargetParamsSchema, response: { 204: noContent } },
      handler: async (request, reply, { deps }) => {
        const canAdminister = await visibleProjectNames(request, deps.store, 'admin');
        const target = await getNotificationTarget(deps, request.params.id);
        if (!canAdminister(target.project)) {
          throw new SlipwayError('NOTIFICATION_TARGET_NOT_FOUND', `notification target ${request.params.id} not found`);
        }
        await removeNotificationTarget(deps, target.id);
        return reply.status(204).send();
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/notifications/deliveries',
      summary: 'Notification deliveries, newest first, with every attempt (time, outcome, answer, duration)',
      permission: { action: 'notifications.deliveries.list', access: anyProject('viewer') },
      schema: {
        querystring: listNotificationDeliveriesQuerySchema,
        response: { 200: listNotificationDeliveriesResponseSchema },
      },
      handler: async (request, _reply, { deps }) => {
        const canSee = await visibleProjectNames(request, deps.store);
        const { project, state, limit } = request.query;
        if (project !== undefined && !canSee(project)) throw projectNotFound(project);
        const deliveries = await listNotificationDeliveries(deps, {
          ...(project === undefined ? {} : { project }),
          ...(state === undefined ? {} : { state }),
          limit,
        });
        return { deliveries: deliveries.filter((d) => canSee(d.project)) };
      },
    }),
  ],
};
