/** The Catalog page's calls: services and their instances, the KV store by prefix, and CAS-safe KV edits. */
import type {
  CatalogKvEntryView,
  GetCatalogServiceResponse,
  ListCatalogKvResponse,
  ListCatalogServicesResponse,
} from '@slipway/contract';
import { callJson } from './web-api.js';

const query = (params: Record<string, string | number | undefined>): string => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, String(value));
  return `?${search.toString()}`;
};

/** Every catalog query's key starts with this: a `catalog` live event marks them all stale. */
export const catalogKey = ['catalog'] as const;

export const catalogApi = {
  services: () => callJson<ListCatalogServicesResponse>('GET', '/api/v1/catalog/services'),
  service: (name: string) =>
    callJson<GetCatalogServiceResponse>('GET', `/api/v1/catalog/services/${encodeURIComponent(name)}`),
  keys: (prefix: string, after?: string) =>
    callJson<ListCatalogKvResponse>('GET', `/api/v1/catalog/kv${query({ prefix, after, limit: 100 })}`),
  entry: (key: string) => callJson<CatalogKvEntryView>('GET', `/api/v1/catalog/kv/value${query({ key })}`),
  put: (key: string, value: string, encoding: 'utf8' | 'base64', cas: number) =>
    callJson<CatalogKvEntryView>('PUT', '/api/v1/catalog/kv/value', { key, value, encoding, cas }),
  remove: (key: string, cas: number) => callJson<undefined>('DELETE', `/api/v1/catalog/kv/value${query({ key, cas })}`),
};
