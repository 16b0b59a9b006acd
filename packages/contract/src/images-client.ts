/** The images part of the typed API client. */
import type { ApiTransport } from './api-transport.js';
import {
  listImagesResponseSchema,
  pruneImagesResponseSchema,
  type ImageView,
  type PruneImagesView,
} from './images-api.js';

export interface ImagesClient {
  images: {
    /** GET /api/v1/system/images (admin or owner) */
    list(): Promise<{ images: ImageView[] }>;
    /** POST /api/v1/system/images/prune (admin or owner) — removes the images no retained release needs. */
    prune(): Promise<PruneImagesView>;
  };
}

export function createImagesClient({ call }: Pick<ApiTransport, 'call'>): ImagesClient {
  return {
    images: {
      list: () => call({ method: 'GET', path: '/api/v1/system/images' }, listImagesResponseSchema),
      prune: () => call({ method: 'POST', path: '/api/v1/system/images/prune' }, pruneImagesResponseSchema),
    },
  };
}
