/**
 * Answers one parsed catalog name from the catalog's memory, as Consul's DNS does (agent/dns.go): a service's
 * instances without any critical check (node-level checks included, so maintenance hides them; warning stays),
 * shuffled on every answer, as A/AAAA (deduplicated by address) or SRV (targets `<node>.node.<dc>.consul.` or
 * `<hex>.addr.<dc>.consul.` when the instance's address is not its node's, with their address records in
 * Additional); a node as A/AAAA plus TXT from its meta; an `.addr.` name as its address. No instance or an unknown
 * name is NXDOMAIN with the SOA in Authority; a name without records of the asked type is NOERROR with the SOA.
 */
import type { Catalog, CatalogNode, CheckRecord, ServiceInstanceView } from '@slipway/core';
import type { Answer } from 'dns-packet';
import { catalogDnsDomain, type CatalogDnsLookup } from './catalog-dns-name.js';
import {
  addressRecord,
  dnsType,
  familyOf,
  hexOfAddress,
  metaTxtRecords,
  nsRecord,
  soaRecord,
  srvRecord,
} from './catalog-dns-records.js';

/** What the DNS reads of the catalog. */
export type CatalogDnsSource = Pick<Catalog, 'datacenter' | 'node' | 'services' | 'serviceInstances'>;

export type DnsAnswerRcode = 'NOERROR' | 'NXDOMAIN' | 'REFUSED' | 'SERVFAIL';

/** An answer before it is trimmed to its transport and encoded. */
export interface CatalogDnsAnswer {
  rcode: DnsAnswerRcode;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

export interface AnswerContext {
  source: CatalogDnsSource;
  /** The question's name as asked (case kept), without the root's dot: answer records carry it. */
  name: string;
  type: number;
  nowMs: number;
  /** A number in [0, 1) (shuffling). */
  random: () => number;
}

const worstStatus = (checks: readonly CheckRecord[]): CheckRecord['status'] =>
  checks.some((check) => check.status === 'critical')
    ? 'critical'
    : checks.some((check) => check.status === 'warning')
      ? 'warning'
      : 'passing';

/** Fisher–Yates, in place. */
const shuffle = <T>(items: T[], random: () => number): T[] => {
  for (let at = items.length - 1; at > 0; at -= 1) {
    const other = Math.floor(random() * (at + 1));
    const item = items[at] as T;
    items[at] = items[other] as T;
    items[other] = item;
  }
  return items;
};

const nodeTarget = (node: CatalogNode, datacenter: string) => `${node.name}.node.${datacenter}.${catalogDnsDomain}`;

const noName = (nowMs: number): CatalogDnsAnswer => ({
  rcode: 'NXDOMAIN',
  answers: [],
  authorities: [soaRecord(nowMs)],
  additionals: [],
});

/** The answer for a name that exists: the SOA goes in Authority when no record answers the type. */
const found = (nowMs: number, answers: Answer[], additionals: Answer[] = []): CatalogDnsAnswer => ({
  rcode: 'NOERROR',
  answers,
  authorities: answers.length === 0 ? [soaRecord(nowMs)] : [],
  additionals,
});

/** The instances a service lookup answers with: by name and tag (case-insensitive), none with a critical check. */
const healthyInstances = (source: CatalogDnsSource, service: string, tag: string | undefined) => {
  const names = new Set(
    source
      .services()
      .value.map((record) => record.name)
      .filter((name) => name.toLowerCase() === service),
  );
  return [...names]
    .flatMap((name) => source.serviceInstances(name).value)
    .filter((view) => tag === undefined || view.service.tags.some((candidate) => candidate.toLowerCase() === tag))
    .filter((view) => worstStatus(view.checks) !== 'critical');
};

const serviceAddressOf = (view: ServiceInstanceView) =>
  view.service.address === '' ? view.node.address : view.service.address;

const addressAnswers = (context: AnswerContext, views: readonly ServiceInstanceView[]): Answer[] => {
  const seen = new Set<string>();
  const answers: Answer[] = [];
  for (const view of views) {
    const address = serviceAddressOf(view);
    if (seen.has(address)) continue;
    seen.add(address);
    const record = addressRecord(context.name, address, context.type);
    if (record !== undefined) answers.push(record);
  }
  return answers;
};

const srvAnswers = (context: AnswerContext, views: readonly ServiceInstanceView[]) => {
  const { datacenter } = context.source;
  const seen = new Set<string>();
  const answers: Answer[] = [];
  const additionals: Answer[] = [];
  const extraNames = new Set<string>();
  for (const view of views) {
    const address = serviceAddressOf(view);
    const tuple = `${view.node.name}:${address}:${view.service.port}`;
    const family = familyOf(address);
    if (seen.has(tuple) || family === 'none') continue;
    seen.add(tuple);
    const weights = view.service.weights;
    const weight = worstStatus(view.checks) === 'warning' ? weights.warning : weights.passing;
    // A node has one address: an instance elsewhere is named by its address (`c000020a.addr.dc1.consul.`), and a
    // host name is its own target.
    const target =
      address === view.node.address
        ? nodeTarget(view.node, datacenter)
        : family === 'name'
          ? address
          : `${hexOfAddress(address)}.addr.${datacenter}.${catalogDnsDomain}`;
    answers.push(srvRecord(context.name, target, view.service.port, weight));
    if (family === 'name' || extraNames.has(target)) continue;
    extraNames.add(target);
    const extra = addressRecord(target, address, dnsType.any);
    if (extra !== undefined) additionals.push(extra);
    if (address === view.node.address) additionals.push(...metaTxtRecords(target, view.node.meta));
  }
  return { answers, additionals };
};

const answerService = (
  context: AnswerContext,
  lookup: Extract<CatalogDnsLookup, { kind: 'service' }>,
): CatalogDnsAnswer => {
  const views = shuffle(healthyInstances(context.source, lookup.service, lookup.tag), context.random);
  if (views.length === 0) return noName(context.nowMs);
  if (context.type === dnsType.srv) {
    const { answers, additionals } = srvAnswers(context, views);
    return found(context.nowMs, answers, additionals);
  }
  return found(context.nowMs, addressAnswers(context, views));
};

const answerNode = (context: AnswerContext, nodeName: string): CatalogDnsAnswer => {
  const { node } = context.source;
  if (node.name.toLowerCase() !== nodeName) return noName(context.nowMs);
  const meta = metaTxtRecords(context.name, node.meta);
  if (context.type === dnsType.txt) return found(context.nowMs, meta);
  const record = addressRecord(context.name, node.address, context.type);
  if (record === undefined) return found(context.nowMs, []);
  // Consul adds the node's meta to an address answer (`enable_additional_node_meta_txt`, on by default); ANY puts
  // it in the answer itself.
  return context.type === dnsType.any ? found(context.nowMs, [record, ...meta]) : found(context.nowMs, [record], meta);
};

const answerDomain = (context: AnswerContext): CatalogDnsAnswer => {
  const { node, datacenter } = context.source;
  const soa = soaRecord(context.nowMs);
  const target = nodeTarget(node, datacenter);
  const ns = nsRecord(context.name, target);
  const glue = addressRecord(target, node.address, dnsType.any);
  const additionals = glue === undefined ? [] : [glue];
  if (context.type === dnsType.soa) return found(context.nowMs, [{ ...soa, name: context.name }]);
  if (context.type === dnsType.ns) return found(context.nowMs, [ns], additionals);
  if (context.type === dnsType.any) return found(context.nowMs, [{ ...soa, name: context.name }, ns], additionals);
  return found(context.nowMs, []);
};

/** Answers a lookup under `consul.`; `outside` is REFUSED (no recursors). */
export const answerCatalogLookup = (context: AnswerContext, lookup: CatalogDnsLookup): CatalogDnsAnswer => {
  switch (lookup.kind) {
    case 'outside':
      return { rcode: 'REFUSED', answers: [], authorities: [], additionals: [] };
    case 'invalid':
      return noName(context.nowMs);
    case 'domain':
      return answerDomain(context);
    case 'service':
    case 'node':
    case 'addr': {
      if (lookup.datacenter !== undefined && lookup.datacenter !== context.source.datacenter.toLowerCase()) {
        return noName(context.nowMs);
      }
      if (lookup.kind === 'service') return answerService(context, lookup);
      if (lookup.kind === 'node') return answerNode(context, lookup.node);
      const record = addressRecord(context.name, lookup.address, context.type);
      return found(context.nowMs, record === undefined ? [] : [record]);
    }
  }
};
