/**
 * The catalog's reads over the committed state: synchronous, each with the index a blocking query on it compares
 * with (never 0: Consul rewrites 0 to 1).
 */
import type { Catalog, Indexed } from './catalog.js';
import type { CatalogSession, CheckRecord, ServiceInstanceView, ServiceRecord } from './catalog-records.js';
import type { CatalogState } from './catalog-state.js';
import { topicKeys } from './catalog-topics.js';

type CatalogReads = Pick<
  Catalog,
  | 'kvGet'
  | 'kvList'
  | 'kvKeys'
  | 'sessionGet'
  | 'sessionList'
  | 'services'
  | 'serviceInstances'
  | 'service'
  | 'checks'
  | 'check'
>;

export function createCatalogReads(state: CatalogState): CatalogReads {
  const indexed = <T>(value: T, index: number): Indexed<T> => ({ value, index: Math.max(1, index) });
  const byCheckId = (a: CheckRecord, b: CheckRecord) => (a.checkId < b.checkId ? -1 : a.checkId > b.checkId ? 1 : 0);

  return {
    kvGet: (key) => indexed(state.kv.get(key), state.keyIndex(key)),
    kvList: (prefix) => indexed(state.kvList(prefix), state.prefixIndex(prefix)),
    kvKeys(prefix, separator) {
      const keys = state.keysWithPrefix(prefix);
      if (separator === undefined || separator === '') return indexed(keys, state.prefixIndex(prefix));
      const cut = new Set<string>();
      for (const key of keys) {
        const at = key.indexOf(separator, prefix.length);
        cut.add(at === -1 ? key : key.slice(0, at + separator.length));
      }
      return indexed([...cut], state.prefixIndex(prefix));
    },

    sessionGet: (id) => indexed(state.sessions.get(id), state.topicIndex(topicKeys.sessions)),
    sessionList(node) {
      const sessions: CatalogSession[] = [];
      for (const session of state.sessions.values())
        if (node === undefined || session.node === node) sessions.push(session);
      sessions.sort((a, b) => (a.id < b.id ? -1 : 1));
      return indexed(sessions, state.topicIndex(topicKeys.sessions));
    },

    services() {
      const services = [...state.services.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
      return indexed(services, state.topicIndex(topicKeys.services));
    },
    serviceInstances(name, tags = []) {
      const wanted = name.toLowerCase();
      const wantedTags = tags.map((tag) => tag.toLowerCase());
      const nodeChecks = [...state.checks.values()].filter((check) => check.serviceId === '').sort(byCheckId);
      const matching: ServiceRecord[] = [];
      for (const service of state.services.values()) {
        if (service.name.toLowerCase() !== wanted) continue;
        const own = service.tags.map((tag) => tag.toLowerCase());
        if (wantedTags.every((tag) => own.includes(tag))) matching.push(service);
      }
      matching.sort((a, b) => (a.id < b.id ? -1 : 1));
      const views: ServiceInstanceView[] = matching.map((service) => ({
        node: state.node,
        service,
        checks: [
          ...nodeChecks,
          ...[...state.checks.values()].filter((check) => check.serviceId === service.id).sort(byCheckId),
        ],
      }));
      return indexed(views, state.serviceIndex(name));
    },
    service: (id) => state.services.get(id),
    checks: () => indexed([...state.checks.values()].sort(byCheckId), state.topicIndex(topicKeys.checks)),
    check: (checkId) => state.checks.get(checkId),
  };
}
