/** The images Slipway built: list them with the releases that need them, and prune those no retained release needs. */
import type { FastifyInstance } from 'fastify';
import { listImages, pruneImages } from '@slipway/core';
import type { ServerContext } from '../server-context.js';

export function imageRoutes(app: FastifyInstance, context: ServerContext): void {
  const { deps } = context;
  app.get('/api/v1/system/images', async () => ({ images: await listImages(deps) }));
  app.post('/api/v1/system/images/prune', async () => pruneImages(deps));
}
