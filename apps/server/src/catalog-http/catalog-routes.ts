/** `/v1/catalog/*`: datacenters, nodes, services (names to tag unions), a service's instances, a node's services. */
import type { Indexed, ServiceRecord } from '@slipway/core';
import { blockingRead } from './blocking-read.js';
import { badRequest } from './catalog-http-error.js';
import type { CatalogHttpEnv } from './catalog-http-env.js';
import { agentServiceOf, catalogServiceOf, nodeOf } from './catalog-mappers.js';
import { json, route, type CatalogRequest, type CatalogRoute } from './catalog-route.js';

export function catalogRoutes(env: CatalogHttpEnv): CatalogRoute[] {
  const { catalog } = env;
  const count = (): void => env.metrics?.catalogOperation('catalog');
  const blocking = { onWaiting: (delta: 1 | -1) => env.metrics?.blockingWaiters(delta) };
  const canSeeNode = (request: CatalogRequest): boolean =>
    request.authority.can({ kind: 'node', name: catalog.node.name }, 'read');
  const nodeIndexed = (): Indexed<null> => ({ value: null, index: Math.max(1, catalog.node.modifyIndex) });

  return [
    route(['GET'], '/v1/catalog/datacenters', () => {
      count();
      return json([env.datacenter]);
    }),
    route(['GET'], '/v1/catalog/nodes', async (request) => {
      count();
      const read = await blockingRead(catalog, request, [{ kind: 'nodes' }], nodeIndexed, blocking);
      return json(canSeeNode(request) ? [nodeOf(catalog.node)] : [], read.index);
    }),
    route(['GET'], '/v1/catalog/services', async (request) => {
      count();
      const listed = await blockingRead(catalog, request, [{ kind: 'services' }], () => catalog.services(), blocking);
      const tags = new Map<string, Set<string>>();
      for (const service of listed.value) {
        if (!request.authority.canSeeService(service.name)) continue;
        const union = tags.get(service.name) ?? new Set<string>();
        for (const tag of service.tags) union.add(tag);
        tags.set(service.name, union);
      }
      const names = [...tags.keys()].sort();
      return json(Object.fromEntries(names.map((name) => [name, [...(tags.get(name) ?? [])].sort()])), listed.index);
    }),
    route(['GET'], '/v1/catalog/service/', async (request) => {
      const name = request.tail;
      if (name === '') throw badRequest('Missing service name');
      count();
      const tags = request.query.params.getAll('tag');
      const listed = await blockingRead(
        catalog,
        request,
        [{ kind: 'service', name }],
        () => catalog.serviceInstances(name, tags),
        blocking,
      );
      const visible = request.authority.canSeeService(name) ? listed.value : [];
      return json(visible.map(catalogServiceOf), listed.index);
    }),
    route(['GET'], '/v1/catalog/node/', async (request) => {
      const name = request.tail;
      if (name === '') throw badRequest('Missing node name');
      count();
      const listed = await blockingRead(
        catalog,
        request,
        [{ kind: 'node', name }, { kind: 'services' }],
        () => catalog.services(),
        blocking,
      );
      if (name !== catalog.node.name || !canSeeNode(request)) return json(null, listed.index);
      const services = listed.value.filter((service: ServiceRecord) => request.authority.canSeeService(service.name));
      return json(
        {
          Node: nodeOf(catalog.node),
          Services: Object.fromEntries(
            services.map((service) => [service.id, agentServiceOf(service, env.datacenter)]),
          ),
        },
        listed.index,
      );
    }),
  ];
}
