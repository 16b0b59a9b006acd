/** The images Slipway built: list them with the releases that need them, and prune those no retained release needs. */
import { listImagesResponseSchema, pruneImagesResponseSchema } from '@slipway/contract';
import { listImages, pruneImages } from '@slipway/core';
import { globally } from '../auth/route-permissions.js';
import { routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

export const imageRoutes: RouteGroup<RouteContext> = {
  name: 'image-routes',
  routes: [
    route({
      method: 'GET',
      url: '/api/v1/system/images',
      summary: 'The container images Slipway built, with the retained releases that run them (admin or owner)',
      permission: { action: 'images.list', access: globally('admin') },
      schema: { response: { 200: listImagesResponseSchema } },
      handler: async (_request, _reply, { deps }) => ({ images: await listImages(deps) }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/system/images/prune',
      summary: 'Remove the images no retained release runs; one a container still uses is kept (admin or owner)',
      permission: { action: 'images.prune', access: globally('admin') },
      schema: { response: { 200: pruneImagesResponseSchema } },
      handler: async (_request, _reply, { deps }) => pruneImages(deps),
    }),
  ],
};
