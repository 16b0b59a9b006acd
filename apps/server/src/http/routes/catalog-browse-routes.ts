/**
 * The dashboard's catalog routes: services with their instances and checks, the KV store by prefix, and CAS-safe KV
 * edits. Any signed-in caller may call them; what each answers is decided by the caller's catalog ACL rules, through
 * the same authority the Consul API uses (docs/catalog-access.md), so a user sees and changes only what its rules give.
 */
import {
  SlipwayError,
  catalogKvEntrySchema,
  catalogKvKeyQuerySchema,
  catalogServiceParamsSchema,
  deleteCatalogKvQuerySchema,
  getCatalogServiceResponseSchema,
  listCatalogKvQuerySchema,
  listCatalogKvResponseSchema,
  listCatalogServicesResponseSchema,
  putCatalogKvBodySchema,
} from '@slipway/contract';
import {
  deleteCatalogKv,
  getCatalogKv,
  getCatalogService,
  listCatalogKv,
  listCatalogServices,
  putCatalogKv,
  type CatalogAuthority,
} from '@slipway/core';
import type { FastifyRequest } from 'fastify';
import { requirePrincipal } from '../auth/request-principal.js';
import { authenticated } from '../auth/route-permissions.js';
import { noContent, routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

/** The catalog and the caller's authority over it. Errors: `CATALOG_DISABLED` when slipwayd runs none. */
async function catalogOf(
  request: FastifyRequest,
  context: RouteContext,
): Promise<{ catalog: NonNullable<RouteContext['catalog']>; authority: CatalogAuthority }> {
  const { catalog, catalogAccess } = context;
  if (catalog === undefined || catalogAccess === undefined) {
    throw new SlipwayError('CATALOG_DISABLED', 'this slipwayd runs no catalog');
  }
  return { catalog, authority: await catalogAccess.authorizePrincipal(requirePrincipal(request)) };
}

export const catalogBrowseRoutes: RouteGroup<RouteContext> = {
  name: 'catalog-browse-routes',
  routes: [
    route({
      method: 'GET',
      url: '/api/v1/catalog/services',
      summary: 'Catalog services the caller may read, with their instances counted by their worst check',
      permission: { action: 'catalog.services.list', access: authenticated },
      schema: { response: { 200: listCatalogServicesResponseSchema } },
      handler: async (request, _reply, context) => {
        const { catalog, authority } = await catalogOf(request, context);
        return listCatalogServices(catalog, authority);
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/catalog/services/:service',
      summary: "A catalog service's instances with their checks (status and output)",
      permission: { action: 'catalog.services.get', access: authenticated },
      schema: { params: catalogServiceParamsSchema, response: { 200: getCatalogServiceResponseSchema } },
      handler: async (request, _reply, context) => {
        const { catalog, authority } = await catalogOf(request, context);
        return getCatalogService(catalog, authority, request.params.service);
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/catalog/kv',
      summary: 'One page of the KV folders and keys directly under a prefix that the caller may read (no values)',
      permission: { action: 'catalog.kv.list', access: authenticated },
      schema: { querystring: listCatalogKvQuerySchema, response: { 200: listCatalogKvResponseSchema } },
      handler: async (request, _reply, context) => {
        const { catalog, authority } = await catalogOf(request, context);
        return listCatalogKv(catalog, authority, request.query);
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/catalog/kv/value',
      summary: 'One KV key with its value (UTF-8 text, or base64 when binary) and its ModifyIndex',
      permission: { action: 'catalog.kv.get', access: authenticated },
      schema: { querystring: catalogKvKeyQuerySchema, response: { 200: catalogKvEntrySchema } },
      handler: async (request, _reply, context) => {
        const { catalog, authority } = await catalogOf(request, context);
        return getCatalogKv(catalog, authority, request.query.key);
      },
    }),
    route({
      method: 'PUT',
      url: '/api/v1/catalog/kv/value',
      summary: 'Create or change a KV key if its ModifyIndex is still `cas` (0: create only); else KV_CAS_CONFLICT',
      permission: { action: 'catalog.kv.put', access: authenticated },
      schema: { body: putCatalogKvBodySchema, response: { 200: catalogKvEntrySchema } },
      handler: async (request, _reply, context) => {
        const { catalog, authority } = await catalogOf(request, context);
        return putCatalogKv(catalog, authority, request.body);
      },
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/catalog/kv/value',
      summary: 'Delete a KV key if its ModifyIndex is still `cas`; else KV_CAS_CONFLICT',
      permission: { action: 'catalog.kv.delete', access: authenticated },
      schema: { querystring: deleteCatalogKvQuerySchema, response: { 204: noContent } },
      handler: async (request, reply, context) => {
        const { catalog, authority } = await catalogOf(request, context);
        await deleteCatalogKv(catalog, authority, request.query);
        return reply.status(204).send();
      },
    }),
  ],
};
