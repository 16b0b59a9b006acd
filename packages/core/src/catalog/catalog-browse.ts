/**
 * The dashboard's reads of the catalog (docs/catalog-access.md, Dashboard routes): services with their instances by
 * their worst check, one service's instances with their checks, and the KV store listed by prefix like folders.
 * Every answer is filtered by the caller's catalog authority, as the Consul API filters its lists.
 */
import {
  SlipwayError,
  encodeBase64,
  type CatalogCheckView,
  type CatalogKvEntryView,
  type CatalogKvKeyView,
  type CatalogServiceSummaryView,
  type GetCatalogServiceResponse,
  type ListCatalogKvResponse,
  type ListCatalogServicesResponse,
} from '@slipway/contract';
import type { CatalogAuthority } from './catalog-access.js';
import type { Catalog } from './catalog.js';
import type { CheckRecord, CheckStatus, KvEntry } from './catalog-records.js';

/** What the dashboard reads the catalog with. */
export type CatalogBrowser = Pick<Catalog, 'index' | 'services' | 'serviceInstances' | 'checks' | 'kvGet' | 'kvList'>;

const severity: Readonly<Record<CheckStatus, number>> = { passing: 0, warning: 1, critical: 2 };

const worse = (a: CheckStatus, b: CheckStatus): CheckStatus => (severity[b] > severity[a] ? b : a);

/** The worst of some checks; passing when there is none. */
export function worstCheckStatus(checks: readonly Pick<CheckRecord, 'status'>[]): CheckStatus {
  return checks.reduce<CheckStatus>((worst, check) => worse(worst, check.status), 'passing');
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Each service the caller may see, with its instances counted by their worst check: the instance's own checks and
 * the node's (a node in maintenance makes every instance on it critical, as Consul's health does).
 */
export function catalogServiceSummaries(
  catalog: Pick<Catalog, 'services' | 'checks'>,
  canSee: (service: string) => boolean,
): CatalogServiceSummaryView[] {
  let nodeWorst: CheckStatus = 'passing';
  const worst = new Map<string, CheckStatus>();
  for (const check of catalog.checks().value) {
    if (check.serviceId === '') nodeWorst = worse(nodeWorst, check.status);
    else worst.set(check.serviceId, worse(worst.get(check.serviceId) ?? 'passing', check.status));
  }
  const rows = new Map<string, CatalogServiceSummaryView>();
  for (const service of catalog.services().value) {
    if (!canSee(service.name)) continue;
    let row = rows.get(service.name);
    if (row === undefined) {
      row = { name: service.name, tags: [], instances: 0, passing: 0, warning: 0, critical: 0 };
      rows.set(service.name, row);
    }
    row.instances += 1;
    row[worse(nodeWorst, worst.get(service.id) ?? 'passing')] += 1;
    for (const tag of service.tags) if (!row.tags.includes(tag)) row.tags.push(tag);
  }
  return [...rows.values()].sort((a, b) => byName(a.name, b.name));
}

export function listCatalogServices(catalog: CatalogBrowser, authority: CatalogAuthority): ListCatalogServicesResponse {
  return {
    index: catalog.index(),
    services: catalogServiceSummaries(catalog, (name) => authority.canSeeService(name)),
  };
}

function checkView(check: CheckRecord): CatalogCheckView {
  return {
    checkId: check.checkId,
    name: check.name,
    status: check.status,
    output: check.output,
    notes: check.notes,
    type: check.serviceId === '' ? 'node' : check.definition.type,
  };
}

/** Errors: `CATALOG_PERMISSION_DENIED` when the rules hide it, `CATALOG_SERVICE_NOT_FOUND` when it has no instance. */
export function getCatalogService(
  catalog: CatalogBrowser,
  authority: CatalogAuthority,
  name: string,
): GetCatalogServiceResponse {
  if (!authority.canSeeService(name)) throw catalogDenied(authority, 'read', `service "${name}"`);
  const listed = catalog.serviceInstances(name);
  if (listed.value.length === 0) {
    throw new SlipwayError('CATALOG_SERVICE_NOT_FOUND', `no instance of service "${name}" is registered`, {
      details: { service: name },
    });
  }
  return {
    index: listed.index,
    name,
    instances: listed.value.map(({ node, service, checks }) => ({
      id: service.id,
      node: node.name,
      address: service.address === '' ? node.address : service.address,
      port: service.port,
      tags: service.tags,
      status: worstCheckStatus(checks),
      checks: checks.map(checkView),
    })),
  };
}

/** The refusal of an action the caller's catalog rules do not give. */
export function catalogDenied(authority: CatalogAuthority, access: 'read' | 'write', what: string): SlipwayError {
  return new SlipwayError(
    'CATALOG_PERMISSION_DENIED',
    `the catalog ACL rules of ${authority.actor} give no ${access} on ${what}`,
    { details: { access } },
  );
}

export function kvKeyView(entry: KvEntry, authority: CatalogAuthority): CatalogKvKeyView {
  return {
    key: entry.key,
    sizeBytes: entry.value?.byteLength ?? 0,
    flags: entry.flags,
    createIndex: entry.createIndex,
    modifyIndex: entry.modifyIndex,
    session: entry.session,
    canWrite: authority.can({ kind: 'key', key: entry.key }, 'write'),
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A value as text when it is valid UTF-8, else as base64. */
export function kvEntryView(entry: KvEntry, authority: CatalogAuthority): CatalogKvEntryView {
  const bytes = entry.value ?? new Uint8Array();
  let text: string | undefined;
  try {
    text = utf8.decode(bytes);
  } catch {
    text = undefined;
  }
  return {
    ...kvKeyView(entry, authority),
    ...(text === undefined ? { value: encodeBase64(bytes), encoding: 'base64' } : { value: text, encoding: 'utf8' }),
  };
}

/**
 * One page of what is directly under `prefix`: folders (a sub-prefix up to the next `/`, shown when it holds a key the
 * caller may read) and keys, in name order, after `after`, at most `limit` of both together.
 */
export function listCatalogKv(
  catalog: CatalogBrowser,
  authority: CatalogAuthority,
  query: { prefix: string; after?: string | undefined; limit: number },
): ListCatalogKvResponse {
  const { prefix, after, limit } = query;
  const listed = catalog.kvList(prefix);
  const folders = new Set<string>();
  const keys = new Map<string, KvEntry>();
  for (const entry of listed.value) {
    if (!authority.canSeeKey(entry.key)) continue;
    const slash = entry.key.indexOf('/', prefix.length);
    if (slash === -1 || slash === entry.key.length - 1) keys.set(entry.key, entry);
    else folders.add(entry.key.slice(0, slash + 1));
  }
  const names = [...new Set([...folders, ...keys.keys()])]
    .sort(byName)
    .filter((name) => after === undefined || name > after);
  const page = names.slice(0, limit);
  const last = page.at(-1);
  return {
    index: listed.index,
    prefix,
    folders: page.filter((name) => folders.has(name)),
    keys: page.flatMap((name) => {
      const entry = keys.get(name);
      return entry === undefined ? [] : [kvKeyView(entry, authority)];
    }),
    ...(names.length > limit && last !== undefined ? { nextAfter: last } : {}),
    canWrite: authority.can({ kind: 'key', key: prefix }, 'write'),
  };
}

/** Errors: `CATALOG_PERMISSION_DENIED` without read on it, `KV_KEY_NOT_FOUND`. */
export function getCatalogKv(catalog: CatalogBrowser, authority: CatalogAuthority, key: string): CatalogKvEntryView {
  if (!authority.canSeeKey(key)) throw catalogDenied(authority, 'read', `key "${key}"`);
  const entry = catalog.kvGet(key).value;
  if (entry === undefined) throw kvKeyNotFound(key);
  return kvEntryView(entry, authority);
}

export function kvKeyNotFound(key: string): SlipwayError {
  return new SlipwayError('KV_KEY_NOT_FOUND', `no key "${key}" in the catalog`, { details: { key } });
}
