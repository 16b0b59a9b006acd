/**
 * The catalog's template functions (`key`, `keyOrDefault`, `ls`, `tree`, `services`, `service`) over a cache of the
 * catalog queries they make: each render records which queries it used, so `template watch` can block on exactly
 * those and render again when one changes.
 */
import type { CatalogClient, BlockingOptions } from '../catalog/catalog-client.js';
import { kvGet, kvTree, type KvEntryRead } from '../catalog/catalog-kv.js';
import {
  aggregateStatus,
  listServiceHealth,
  listServices,
  type CheckStatusName,
  type HealthServiceEntry,
} from '../catalog/catalog-services.js';
import { TemplateFunctionError } from './template-error.js';
import type { TemplateFunctions } from './template-evaluator.js';
import type { TemplateValue } from './template-values.js';

/** One catalog query a template depends on. */
export type CatalogDependency =
  | { kind: 'key'; key: string }
  | { kind: 'tree'; prefix: string }
  | { kind: 'services' }
  | { kind: 'service'; name: string; tag: string | undefined };

export type DependencyValue =
  | { kind: 'key'; entry: KvEntryRead | undefined }
  | { kind: 'tree'; entries: KvEntryRead[] }
  | { kind: 'services'; services: Array<{ name: string; tags: string[] }> }
  | { kind: 'service'; instances: HealthServiceEntry[] };

export interface DependencyResult {
  index: number;
  value: DependencyValue;
}

/** A stable id of a dependency: the cache key and the watch loop's name. */
export function dependencyId(dependency: CatalogDependency): string {
  switch (dependency.kind) {
    case 'key':
      return `key:${dependency.key}`;
    case 'tree':
      return `tree:${dependency.prefix}`;
    case 'services':
      return 'services';
    case 'service':
      return `service:${dependency.tag === undefined ? '' : `${dependency.tag}.`}${dependency.name}`;
  }
}

/** Runs one dependency's query, blocking when `options.index` is given. */
export async function fetchDependency(
  client: CatalogClient,
  dependency: CatalogDependency,
  options: BlockingOptions = {},
): Promise<DependencyResult> {
  switch (dependency.kind) {
    case 'key': {
      const read = await kvGet(client, dependency.key, options);
      return { index: read.index, value: { kind: 'key', entry: read.value } };
    }
    case 'tree': {
      const read = await kvTree(client, dependency.prefix, options);
      return { index: read.index, value: { kind: 'tree', entries: read.value ?? [] } };
    }
    case 'services': {
      const read = await listServices(client, options);
      return { index: read.index, value: { kind: 'services', services: read.value } };
    }
    case 'service': {
      const tags = dependency.tag === undefined ? [] : [dependency.tag];
      const read = await listServiceHealth(client, dependency.name, { ...options, tags });
      return { index: read.index, value: { kind: 'service', instances: read.value } };
    }
  }
}

/** Whether two results say the same (a blocking query may return without a change). */
export function isSameValue(left: DependencyValue, right: DependencyValue): boolean {
  const serialize = (value: DependencyValue) =>
    JSON.stringify(value, (_key, item: unknown) =>
      item instanceof Uint8Array ? Buffer.from(item).toString('base64') : item,
    );
  return serialize(left) === serialize(right);
}

/** The catalog queries of one render: answered from `cache` when there, else fetched (and cached). */
export interface CatalogTemplateSource {
  client: CatalogClient;
  cache: Map<string, DependencyResult>;
}

const decoder = new TextDecoder();
const statusNames: readonly CheckStatusName[] = ['passing', 'warning', 'critical'];

function parseServiceQuery(query: string): { name: string; tag: string | undefined } {
  const dot = query.lastIndexOf('.');
  const tag = dot === -1 ? undefined : query.slice(0, dot);
  const name = dot === -1 ? query : query.slice(dot + 1);
  if (name === '' || tag === '')
    throw new TemplateFunctionError(`invalid service ${JSON.stringify(query)}: use "name" or "tag.name"`);
  return { name, tag };
}

function parseStatuses(filter: TemplateValue): readonly CheckStatusName[] {
  if (filter === undefined) return ['passing'];
  if (typeof filter !== 'string') throw new TemplateFunctionError('the status filter must be a string');
  if (filter === 'any') return statusNames;
  const wanted = filter.split(',').map((status) => status.trim());
  for (const status of wanted) {
    if (!statusNames.includes(status as CheckStatusName)) {
      throw new TemplateFunctionError(
        `unknown status ${JSON.stringify(status)}: use any, or passing, warning, critical`,
      );
    }
  }
  return wanted as CheckStatusName[];
}

const textOf = (entry: KvEntryRead) => decoder.decode(entry.value);

function keyPair(entry: KvEntryRead, prefix: string): TemplateValue {
  return {
    Path: entry.key,
    Key: entry.key.slice(prefix.length),
    Value: textOf(entry),
    Flags: entry.flags,
    CreateIndex: entry.createIndex,
    ModifyIndex: entry.modifyIndex,
  };
}

function instanceValue(entry: HealthServiceEntry, status: CheckStatusName): TemplateValue {
  const meta = new Map(Object.entries(entry.Service.Meta ?? {}));
  return {
    ID: entry.Service.ID,
    Name: entry.Service.Service,
    Node: entry.Node.Node,
    NodeAddress: entry.Node.Address,
    NodeDatacenter: entry.Node.Datacenter ?? '',
    NodeMeta: new Map(Object.entries(entry.Node.Meta ?? {})),
    Address: entry.Service.Address === '' ? entry.Node.Address : entry.Service.Address,
    Port: entry.Service.Port,
    Tags: [...(entry.Service.Tags ?? [])],
    Meta: meta,
    ServiceMeta: meta,
    Status: status,
    Weights: { Passing: entry.Service.Weights?.Passing ?? 1, Warning: entry.Service.Weights?.Warning ?? 1 },
    Checks: (entry.Checks ?? []).map((check) => ({
      CheckID: check.CheckID,
      Name: check.Name,
      Status: check.Status,
      Output: check.Output ?? '',
    })),
  };
}

/** The catalog functions of one render; every query made is added to `used`. */
export function createCatalogTemplateFunctions(
  source: CatalogTemplateSource,
  used: Map<string, CatalogDependency>,
): TemplateFunctions {
  const query = async (dependency: CatalogDependency): Promise<DependencyValue> => {
    const id = dependencyId(dependency);
    used.set(id, dependency);
    let result = source.cache.get(id);
    if (result === undefined) {
      result = await fetchDependency(source.client, dependency);
      source.cache.set(id, result);
    }
    return result.value;
  };
  const keyText = (value: TemplateValue, what: string): string => {
    if (typeof value !== 'string' || value === '')
      throw new TemplateFunctionError(`${what} must be a non-empty string`);
    return value;
  };
  const prefixText = (value: TemplateValue): string => {
    if (typeof value !== 'string') throw new TemplateFunctionError('the prefix must be a string');
    const trimmed = value.replace(/^\/+/, '');
    return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
  };
  const treeEntries = async (prefix: string): Promise<KvEntryRead[]> => {
    const value = await query({ kind: 'tree', prefix });
    return value.kind === 'tree' ? value.entries : [];
  };

  return {
    key: async (key) => {
      const name = keyText(key, 'the key');
      const value = await query({ kind: 'key', key: name });
      if (value.kind !== 'key' || value.entry === undefined) {
        throw new TemplateFunctionError(`${JSON.stringify(name)} does not exist (keyOrDefault gives a default)`, true);
      }
      return textOf(value.entry);
    },
    keyOrDefault: async (key, fallback) => {
      const name = keyText(key, 'the key');
      if (typeof fallback !== 'string') throw new TemplateFunctionError('the default must be a string');
      const value = await query({ kind: 'key', key: name });
      return value.kind === 'key' && value.entry !== undefined ? textOf(value.entry) : fallback;
    },
    ls: async (prefix) => {
      const base = prefixText(prefix);
      const entries = await treeEntries(base);
      return entries
        .filter((entry) => {
          const rest = entry.key.slice(base.length);
          return rest !== '' && !rest.includes('/');
        })
        .map((entry) => keyPair(entry, base));
    },
    tree: async (prefix) => {
      const base = prefixText(prefix);
      const entries = await treeEntries(base);
      return entries.filter((entry) => !entry.key.endsWith('/')).map((entry) => keyPair(entry, base));
    },
    services: async () => {
      const value = await query({ kind: 'services' });
      if (value.kind !== 'services') return [];
      return value.services.map((service) => ({ Name: service.name, Tags: service.tags }));
    },
    service: async (serviceQuery, statusFilter) => {
      const { name, tag } = parseServiceQuery(keyText(serviceQuery, 'the service'));
      const statuses = parseStatuses(statusFilter);
      const value = await query({ kind: 'service', name, tag });
      if (value.kind !== 'service') return [];
      return value.instances
        .map((entry) => ({ entry, status: aggregateStatus(entry) }))
        .filter(({ status }) => statuses.includes(status))
        .map(({ entry, status }) => instanceValue(entry, status));
    },
  };
}
