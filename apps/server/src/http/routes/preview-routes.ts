/**
 * Pull-request previews of an app: their settings (admins turn them on and off), the list, a deployer's approval of a
 * fork's commit, and removal.
 */
import {
  appParamsSchema,
  enablePreviewsBodySchema,
  listPreviewsResponseSchema,
  previewParamsSchema,
  previewSchema,
  previewSettingsSchema,
} from '@slipway/contract';
import {
  approvePreview,
  disablePreviews,
  enablePreviews,
  getPreviewSettings,
  listPreviews,
  removePreviewByNumber,
} from '@slipway/core';
import { onApp } from '../auth/route-permissions.js';
import { requirePrincipal } from '../auth/request-principal.js';
import { noContent, routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();
const previewsPath = '/api/v1/apps/:app/previews';

export const previewRoutes: RouteGroup<RouteContext> = {
  name: 'preview-routes',
  routes: [
    route({
      method: 'GET',
      url: previewsPath,
      summary: "The app's previews, one per pull request, with their state, commit and hosts",
      permission: { action: 'previews.list', access: onApp('viewer') },
      schema: { params: appParamsSchema, response: { 200: listPreviewsResponseSchema } },
      handler: async ({ params }, _reply, { deps }) => ({ previews: await listPreviews(deps, params.app) }),
    }),
    route({
      method: 'GET',
      url: `${previewsPath}/settings`,
      summary: "The app's preview settings (404 PREVIEW_NOT_FOUND when previews are off); the token is never shown",
      permission: { action: 'previews.settings.show', access: onApp('viewer') },
      schema: { params: appParamsSchema, response: { 200: previewSettingsSchema } },
      handler: async ({ params }, _reply, { deps }) => getPreviewSettings(deps, params.app),
    }),
    route({
      method: 'PUT',
      url: `${previewsPath}/settings`,
      summary: "Turn previews on for a repository's pull requests, or change their settings",
      permission: { action: 'previews.settings.set', access: onApp('admin') },
      schema: { params: appParamsSchema, body: enablePreviewsBodySchema, response: { 200: previewSettingsSchema } },
      handler: async ({ params, body }, _reply, { deps }) => enablePreviews(deps, { app: params.app, body }),
    }),
    route({
      method: 'DELETE',
      url: `${previewsPath}/settings`,
      summary: 'Turn previews off: every preview is removed, then the settings (idempotent)',
      permission: { action: 'previews.settings.clear', access: onApp('admin') },
      schema: { params: appParamsSchema, response: { 204: noContent } },
      handler: async ({ params }, reply, { deps }) => {
        await disablePreviews(deps, params.app);
        return reply.status(204).send();
      },
    }),
    route({
      method: 'POST',
      url: `${previewsPath}/:number/approve`,
      summary: "Let a fork's pull request build at its current head commit (a later commit waits again)",
      permission: { action: 'previews.approve', access: onApp('deployer') },
      schema: { params: previewParamsSchema, response: { 200: previewSchema } },
      handler: async (request, _reply, { deps }) => {
        const principal = requirePrincipal(request);
        const { preview } = await approvePreview(deps, {
          app: request.params.app,
          number: request.params.number,
          by: principal.userName,
        });
        return preview;
      },
    }),
    route({
      method: 'DELETE',
      url: `${previewsPath}/:number`,
      summary: 'Remove a preview with everything it made (idempotent)',
      permission: { action: 'previews.remove', access: onApp('deployer') },
      schema: { params: previewParamsSchema, response: { 204: noContent } },
      handler: async ({ params }, reply, { deps }) => {
        await removePreviewByNumber(deps, { app: params.app, number: params.number });
        return reply.status(204).send();
      },
    }),
  ],
};
