/**
 * `GET/PUT /v1/snapshot`: the whole catalog at one index in Slipway's snapshot format (versioned JSON, values in
 * base64), saved and restored by operators. A restore is atomic and never takes the index back.
 */
import type { CatalogSnapshot } from '@slipway/core';
import { permissionDenied } from './catalog-http-error.js';
import type { CatalogHttpEnv } from './catalog-http-env.js';
import { empty, route, type CatalogRoute } from './catalog-route.js';

/** The snapshot file's format (`@slipway/contract`'s catalog snapshot): decode throws `CATALOG_SNAPSHOT_INVALID`. */
export interface CatalogSnapshotCodec {
  encode(snapshot: CatalogSnapshot): string;
  decode(text: string): CatalogSnapshot;
}

export function snapshotRoutes(env: CatalogHttpEnv, codec: CatalogSnapshotCodec): CatalogRoute[] {
  return [
    route(['GET'], '/v1/snapshot', (request) => {
      // A snapshot holds every key and service: an operator's (admin's) only, as Consul asks `acl = write`.
      if (!request.authority.isAdmin) throw permissionDenied();
      env.metrics?.catalogOperation('snapshot');
      const snapshot = env.catalog.snapshot();
      return { kind: 'json', value: JSON.parse(codec.encode(snapshot)) as unknown, index: snapshot.index };
    }),
    route(['PUT'], '/v1/snapshot', async (request) => {
      if (!request.authority.isAdmin) throw permissionDenied();
      env.metrics?.catalogOperation('snapshot');
      const snapshot = codec.decode(request.body.toString('utf8'));
      await env.catalog.restore(snapshot);
      return empty(env.catalog.index());
    }),
  ];
}
