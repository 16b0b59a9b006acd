/**
 * `/v1/status/*`, `/v1/agent/self`, `/v1/agent/members` and `/v1/agent/metrics`: the single-node cluster Slipway
 * is to a Consul client (its own leader and only peer, one alive member) and the catalog's metrics.
 */
import { badRequest } from './catalog-http-error.js';
import type { CatalogHttpEnv } from './catalog-http-env.js';
import { json, route, type CatalogRoute } from './catalog-route.js';

/** Serf's member status: 1 is alive. */
const memberAlive = 1;

export function statusRoutes(env: CatalogHttpEnv): CatalogRoute[] {
  const { catalog } = env;
  const member = (): Record<string, unknown> => ({
    Name: catalog.node.name,
    Addr: catalog.node.address,
    Port: 8301,
    Tags: { dc: env.datacenter, role: 'consul', build: env.version, port: '8300', id: catalog.node.id },
    Status: memberAlive,
    ProtocolMin: 1,
    ProtocolMax: 5,
    ProtocolCur: 2,
    DelegateMin: 2,
    DelegateMax: 5,
    DelegateCur: 4,
  });
  return [
    route(['GET'], '/v1/status/leader', (request) => {
      request.require({ kind: 'operator' }, 'read');
      return json(env.serverAddress);
    }),
    route(['GET'], '/v1/status/peers', (request) => {
      request.require({ kind: 'operator' }, 'read');
      return json([env.serverAddress]);
    }),
    route(['GET'], '/v1/agent/self', (request) => {
      request.require({ kind: 'operator' }, 'read');
      return json({
        Config: {
          Datacenter: env.datacenter,
          PrimaryDatacenter: env.datacenter,
          NodeName: catalog.node.name,
          NodeID: catalog.node.id,
          Server: true,
          Revision: 'slipway',
          Version: env.version,
        },
        DebugConfig: {},
        Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 1e-5 },
        Member: member(),
        Stats: {},
        Meta: { ...catalog.node.meta },
        xDS: null,
      });
    }),
    route(['GET'], '/v1/agent/members', (request) => {
      request.require({ kind: 'operator' }, 'read');
      return json([member()]);
    }),
    route(['GET'], '/v1/agent/metrics', async (request) => {
      request.require({ kind: 'operator' }, 'read');
      const format = request.query.get('format');
      if (format !== 'prometheus') {
        if (format !== undefined && format !== '') throw badRequest(`Invalid format: ${format.slice(0, 32)}`);
        return json({ Timestamp: new Date().toISOString(), Gauges: [], Points: [], Counters: [], Samples: [] });
      }
      if (env.metrics === undefined) return { kind: 'text', text: '' };
      const exposition = await env.metrics.exposition();
      return { kind: 'text', text: exposition.text };
    }),
  ];
}
