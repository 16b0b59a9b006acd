/**
 * What every catalog holds by itself, as Consul's server agent does: its node, the node's `serfHealth` check
 * (passing while slipwayd runs) and the `consul` service on port 8300; and the snapshot a restore stores (the
 * restored rows under this node, at an index that never goes back).
 */
import type { CatalogDraft } from './catalog-draft.js';
import type { CatalogNode, CatalogSnapshot, ServiceRecord } from './catalog-records.js';
import type { CatalogState } from './catalog-state.js';
import { topicKeys } from './catalog-topics.js';
import { sameRecord } from './canonical-json.js';
import { registerService, writeCheck, type ServiceWriteContext } from './service-writes.js';

/** The node as slipwayd is configured. */
export interface CatalogNodeSettings {
  name: string;
  address: string;
  /** A UUID; when absent, the stored one (or a new one the first time). */
  id?: string;
  meta?: Record<string, string>;
  /** Default: `lan`, `lan_ipv4`, `wan`, `wan_ipv4` all the node's address. */
  taggedAddresses?: Record<string, string>;
}

export const serfHealthCheckId = 'serfHealth';
export const consulServiceId = 'consul';
/** Consul's server RPC port, which its `consul` service and `status/leader` name. */
export const consulServicePort = 8300;

export function emptySnapshot(datacenter: string, settings: CatalogNodeSettings): CatalogSnapshot {
  return {
    index: 0,
    node: {
      name: settings.name,
      id: settings.id ?? '',
      address: settings.address,
      datacenter,
      meta: settings.meta ?? {},
      taggedAddresses: {},
      createIndex: 0,
      modifyIndex: 0,
    },
    kv: [],
    tombstones: [],
    sessions: [],
    services: [],
    checks: [],
  };
}

/** Writes the node, `serfHealth` and the `consul` service where they differ from what is stored. */
export function builtinRecords(
  draft: CatalogDraft,
  datacenter: string,
  settings: CatalogNodeSettings,
  context: ServiceWriteContext,
): void {
  const stored = draft.node;
  const desired: CatalogNode = {
    name: settings.name,
    id: settings.id ?? (stored.id !== '' ? stored.id : context.newSessionId()),
    address: settings.address,
    datacenter,
    meta: settings.meta ?? {},
    taggedAddresses: settings.taggedAddresses ?? {
      lan: settings.address,
      lan_ipv4: settings.address,
      wan: settings.address,
      wan_ipv4: settings.address,
    },
    createIndex: stored.createIndex,
    modifyIndex: stored.modifyIndex,
  };
  if (stored.modifyIndex === 0 || !sameRecord(stored, desired)) {
    const index = draft.writeIndex();
    draft.changedNode = {
      ...desired,
      createIndex: stored.createIndex === 0 ? index : stored.createIndex,
      modifyIndex: index,
    };
    draft.touch(topicKeys.nodes);
    draft.touch(topicKeys.node(desired.name));
  }
  writeCheck(
    draft,
    {
      checkId: serfHealthCheckId,
      name: 'Serf Health Status',
      serviceId: '',
      notes: '',
      status: 'passing',
      output: 'Agent alive and reachable',
      definition: { type: 'serf' },
    },
    context,
  );
  registerService(draft, consulService(), false, context);
}

function consulService(): Omit<ServiceRecord, 'createIndex' | 'modifyIndex'> & { checks: [] } {
  return {
    id: consulServiceId,
    name: 'consul',
    tags: [],
    address: '',
    port: consulServicePort,
    meta: {},
    taggedAddresses: {},
    weights: { passing: 1, warning: 1 },
    enableTagOverride: false,
    source: { kind: 'agent' },
    checks: [],
  };
}

/** The snapshot a restore stores: its rows, this node, the built-ins, at an index past everything seen. */
export function restoredSnapshot(snapshot: CatalogSnapshot, state: CatalogState, nowMs: number): CatalogSnapshot {
  let highest = snapshot.index;
  for (const rows of [snapshot.kv, snapshot.tombstones, snapshot.sessions, snapshot.services, snapshot.checks]) {
    for (const row of rows) highest = Math.max(highest, row.modifyIndex);
  }
  const index = highest > state.index ? highest : state.index + 1;
  const services = snapshot.services.filter((service) => service.id !== consulServiceId);
  const consul = state.services.get(consulServiceId);
  if (consul) services.push({ ...consul, createIndex: index, modifyIndex: index });
  const checks = snapshot.checks.filter((check) => check.checkId !== serfHealthCheckId);
  const serf = state.checks.get(serfHealthCheckId);
  if (serf) checks.push({ ...serf, createIndex: index, modifyIndex: index });
  return {
    index,
    node: { ...state.node, modifyIndex: index },
    kv: snapshot.kv,
    tombstones: snapshot.tombstones.map((tombstone) => ({
      ...tombstone,
      deletedAtMs: Math.min(tombstone.deletedAtMs, nowMs),
    })),
    sessions: snapshot.sessions.map((session) => ({ ...session, node: state.node.name })),
    services,
    checks,
  };
}
