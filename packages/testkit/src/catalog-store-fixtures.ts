/** Records the catalog store contract writes and reads back: one of each kind, with every optional shape filled. */
import type { CatalogNode, CatalogSession, CheckRecord, KvEntry, ServiceRecord } from '@slipway/core';

export const catalogNode: CatalogNode = {
  name: 'node-1',
  id: '6f0a9e3c-2b1d-4c59-9a4e-0d2f6c1b7e55',
  address: '127.0.0.1',
  datacenter: 'dc1',
  meta: { 'consul-network-segment': '', rack: 'a' },
  taggedAddresses: { lan: '127.0.0.1', wan: '127.0.0.1' },
  createIndex: 1,
  modifyIndex: 1,
};

export function kvEntry(key: string, value: string | Uint8Array | null, index: number): KvEntry {
  return {
    key,
    value: typeof value === 'string' ? new TextEncoder().encode(value) : value,
    flags: 0,
    createIndex: index,
    modifyIndex: index,
    lockIndex: 0,
    session: null,
  };
}

export const lockSession: CatalogSession = {
  id: '3b1f6f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
  name: 'leader-election',
  node: 'node-1',
  lockDelayMs: 15_000,
  behavior: 'delete',
  ttlMs: 30_000,
  nodeChecks: ['serfHealth'],
  serviceChecks: ['service:web-1'],
  createIndex: 3,
  modifyIndex: 3,
  expiresAtMs: 1_767_225_630_000,
};

export const webService: ServiceRecord = {
  id: 'ins_01',
  name: 'shop',
  tags: ['production', 'web', 'release-7'],
  address: '127.0.0.1',
  port: 41_234,
  meta: { app: 'shop', environment: 'production', process: 'web', release: '7', commit: 'c0ffee' },
  taggedAddresses: { lan_ipv4: { address: '127.0.0.1', port: 41_234 } },
  weights: { passing: 1, warning: 1 },
  enableTagOverride: false,
  source: { kind: 'slipway', instanceId: 'ins_01', appId: 'app_01' },
  createIndex: 4,
  modifyIndex: 5,
};

export const agentService: ServiceRecord = {
  id: 'redis-1',
  name: 'redis',
  tags: [],
  address: '',
  port: 6379,
  meta: {},
  taggedAddresses: {},
  weights: { passing: 10, warning: 1 },
  enableTagOverride: true,
  source: { kind: 'agent' },
  createIndex: 6,
  modifyIndex: 6,
};

function check(checkId: string, definition: CheckRecord['definition'], serviceId = 'redis-1'): CheckRecord {
  return {
    checkId,
    name: `check ${checkId}`,
    status: 'critical',
    notes: '',
    output: '',
    serviceId,
    serviceName: serviceId === '' ? '' : 'redis',
    serviceTags: [],
    definition,
    createIndex: 6,
    modifyIndex: 6,
    ttlExpiresAtMs: null,
  };
}

/** One check of every definition type. */
export const checks: CheckRecord[] = [
  check('serfHealth', { type: 'serf' }, ''),
  check('_node_maintenance', { type: 'maintenance' }, ''),
  { ...check('service:redis-1', { type: 'ttl', ttlMs: 10_000 }), ttlExpiresAtMs: 1_767_225_610_000 },
  check('redis-http', {
    type: 'http',
    url: 'http://127.0.0.1:8080/health',
    method: 'POST',
    header: { 'X-Probe': ['a', 'b'] },
    body: '{"deep":true}',
    tlsSkipVerify: true,
    intervalMs: 10_000,
    timeoutMs: 1_000,
  }),
  check('redis-tcp', { type: 'tcp', address: '127.0.0.1:6379', intervalMs: 5_000, timeoutMs: 500 }),
  check('redis-grpc', {
    type: 'grpc',
    target: '127.0.0.1:50051/redis',
    useTls: true,
    tlsSkipVerify: false,
    intervalMs: 5_000,
    timeoutMs: 500,
  }),
  check('redis-script', { type: 'script', args: ['/bin/check', '--fast'], intervalMs: 30_000, timeoutMs: 5_000 }),
  {
    ...check('service:ins_01', { type: 'slipway', instanceId: 'ins_01' }, 'ins_01'),
    serviceName: 'shop',
    serviceTags: ['production', 'web', 'release-7'],
    status: 'passing',
    output: 'healthy',
  },
];
