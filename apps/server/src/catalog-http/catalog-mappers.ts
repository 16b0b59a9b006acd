/**
 * The catalog's records in Consul's JSON shapes (PascalCase, the Go `api` structs' types, empty arrays and maps
 * rather than null), so Go and JavaScript clients decode them unchanged.
 */
import type {
  CatalogNode,
  CatalogSession,
  CheckDefinition,
  CheckRecord,
  KvEntry,
  ServiceInstanceView,
  ServiceRecord,
} from '@slipway/core';
import { formatGoDuration } from '@slipway/core';

/** A KV entry as a `DirEntry`: exactly these keys (`Session` only while locked); `Value` base64, null when empty. */
export function dirEntryOf(entry: KvEntry): Record<string, unknown> {
  return {
    LockIndex: entry.lockIndex,
    Key: entry.key,
    Flags: entry.flags,
    Value:
      entry.value === null
        ? null
        : Buffer.from(entry.value.buffer, entry.value.byteOffset, entry.value.byteLength).toString('base64'),
    ...(entry.session === null ? {} : { Session: entry.session }),
    CreateIndex: entry.createIndex,
    ModifyIndex: entry.modifyIndex,
  };
}

/**
 * The answer of a single-key read (`[DirEntry]`, serialized), made once per entry: entries are immutable (a write
 * makes a new one), so repeated reads of a key send the same bytes without encoding its value again; the cache goes
 * with the entry.
 */
const singleEntryAnswers = new WeakMap<KvEntry, Buffer>();
export function singleEntryAnswer(entry: KvEntry): Buffer {
  let bytes = singleEntryAnswers.get(entry);
  if (bytes === undefined) {
    bytes = Buffer.from(JSON.stringify([dirEntryOf(entry)]), 'utf8');
    singleEntryAnswers.set(entry, bytes);
  }
  return bytes;
}

const listOpen = Buffer.from('[');
const listComma = Buffer.from(',');
const listClose = Buffer.from(']');

/**
 * The answer of a recursive read (`[DirEntry, …]`), joined from the entries' cached single answers without their
 * brackets: thousands of watchers of one prefix woken by a write copy bytes instead of each encoding every value.
 */
export function entryListAnswer(entries: readonly KvEntry[]): Buffer {
  const parts: Buffer[] = [listOpen];
  for (const [at, entry] of entries.entries()) {
    const single = singleEntryAnswer(entry);
    if (at > 0) parts.push(listComma);
    parts.push(single.subarray(1, single.length - 1));
  }
  parts.push(listClose);
  return Buffer.concat(parts);
}

export function nodeOf(node: CatalogNode): Record<string, unknown> {
  return {
    ID: node.id,
    Node: node.name,
    Address: node.address,
    Datacenter: node.datacenter,
    TaggedAddresses: { ...node.taggedAddresses },
    Meta: { ...node.meta },
    CreateIndex: node.createIndex,
    ModifyIndex: node.modifyIndex,
  };
}

const weightsOf = (service: ServiceRecord): { Passing: number; Warning: number } => ({
  Passing: service.weights.passing,
  Warning: service.weights.warning,
});

const serviceTaggedAddressesOf = (service: ServiceRecord): Record<string, { Address: string; Port: number }> =>
  Object.fromEntries(
    Object.entries(service.taggedAddresses).map(([name, at]) => [name, { Address: at.address, Port: at.port }]),
  );

/** `GET /v1/agent/services` and `/v1/catalog/node/:node`'s services: an `AgentService`. */
export function agentServiceOf(service: ServiceRecord, datacenter: string): Record<string, unknown> {
  return {
    ID: service.id,
    Service: service.name,
    Tags: [...service.tags],
    Meta: { ...service.meta },
    Port: service.port,
    Address: service.address,
    TaggedAddresses: serviceTaggedAddressesOf(service),
    Weights: weightsOf(service),
    EnableTagOverride: service.enableTagOverride,
    Datacenter: datacenter,
  };
}

/** `GET /v1/health/service/:name`'s `Service`. */
export function healthServiceOf(service: ServiceRecord): Record<string, unknown> {
  return {
    ID: service.id,
    Service: service.name,
    Tags: [...service.tags],
    Address: service.address,
    TaggedAddresses: serviceTaggedAddressesOf(service),
    Meta: { ...service.meta },
    Port: service.port,
    Weights: weightsOf(service),
    EnableTagOverride: service.enableTagOverride,
    CreateIndex: service.createIndex,
    ModifyIndex: service.modifyIndex,
  };
}

/** `GET /v1/catalog/service/:name`: a `CatalogService`, the node's fields flattened beside the service's. */
export function catalogServiceOf(view: ServiceInstanceView): Record<string, unknown> {
  const { node, service } = view;
  return {
    ID: node.id,
    Node: node.name,
    Address: node.address,
    Datacenter: node.datacenter,
    TaggedAddresses: { ...node.taggedAddresses },
    NodeMeta: { ...node.meta },
    ServiceKind: '',
    ServiceID: service.id,
    ServiceName: service.name,
    ServiceTags: [...service.tags],
    ServiceAddress: service.address,
    ServiceTaggedAddresses: serviceTaggedAddressesOf(service),
    ServiceWeights: weightsOf(service),
    ServiceMeta: { ...service.meta },
    ServicePort: service.port,
    ServiceEnableTagOverride: service.enableTagOverride,
    CreateIndex: service.createIndex,
    ModifyIndex: service.modifyIndex,
  };
}

/** Consul's check `Type` and its `Interval`/`Timeout` strings (empty for checks without them). */
function checkTypeOf(definition: CheckDefinition): { type: string; interval: string; timeout: string } {
  switch (definition.type) {
    case 'ttl':
      return { type: 'ttl', interval: '', timeout: '' };
    case 'http':
    case 'tcp':
    case 'grpc':
    case 'script':
      return {
        type: definition.type,
        interval: formatGoDuration(definition.intervalMs),
        timeout: formatGoDuration(definition.timeoutMs),
      };
    case 'slipway':
      return { type: 'slipway', interval: '', timeout: '' };
    case 'maintenance':
    case 'serf':
      return { type: '', interval: '', timeout: '' };
  }
}

/** A `HealthCheck`. */
export function healthCheckOf(check: CheckRecord, nodeName: string): Record<string, unknown> {
  const { type, interval, timeout } = checkTypeOf(check.definition);
  return {
    Node: nodeName,
    CheckID: check.checkId,
    Name: check.name,
    Status: check.status,
    Notes: check.notes,
    Output: check.output,
    ServiceID: check.serviceId,
    ServiceName: check.serviceName,
    ServiceTags: [...check.serviceTags],
    Type: type,
    Interval: interval,
    Timeout: timeout,
    ExposedPort: 0,
    Definition: {},
    CreateIndex: check.createIndex,
    ModifyIndex: check.modifyIndex,
  };
}

/** `GET /v1/health/service/:name`: `{Node, Service, Checks}` with the node's checks first. */
export function serviceEntryOf(view: ServiceInstanceView): Record<string, unknown> {
  return {
    Node: nodeOf(view.node),
    Service: healthServiceOf(view.service),
    Checks: view.checks.map((check) => healthCheckOf(check, view.node.name)),
  };
}

/** A `SessionEntry`: `LockDelay` in nanoseconds (a Go Duration), `TTL` as a duration string. */
export function sessionOf(session: CatalogSession): Record<string, unknown> {
  return {
    ID: session.id,
    Name: session.name,
    Node: session.node,
    LockDelay: Math.round(session.lockDelayMs * 1e6),
    Behavior: session.behavior,
    TTL: session.ttlMs === null ? '' : formatGoDuration(session.ttlMs),
    NodeChecks: [...session.nodeChecks],
    ServiceChecks: session.serviceChecks.map((id) => ({ ID: id, Namespace: '' })),
    CreateIndex: session.createIndex,
    ModifyIndex: session.modifyIndex,
  };
}
