/**
 * What the live stream's `catalog` topic carries: each service the caller may see with its instances by their worst
 * check, and the number of KV keys it may read, at the catalog's index. Read from the engine's memory; rendered per
 * stream (the caller's catalog ACL rules decide what it holds) and only when the index moved.
 */
import type { CatalogServiceSummaryView } from '@slipway/contract';
import { catalogServiceSummaries, type Catalog, type CatalogAuthority } from '@slipway/core';

export type LiveCatalog = Pick<Catalog, 'index' | 'services' | 'checks' | 'kvKeys'>;

export interface CatalogSummary {
  readonly index: number;
  readonly services: CatalogServiceSummaryView[];
  readonly kvKeys: number;
}

export function summarizeCatalog(
  catalog: LiveCatalog,
  authority: Pick<CatalogAuthority, 'isAdmin' | 'canSeeService' | 'canSeeKey'>,
): CatalogSummary {
  const index = catalog.index();
  const keys = catalog.kvKeys('').value;
  return {
    index,
    services: catalogServiceSummaries(catalog, (name) => authority.canSeeService(name)),
    kvKeys: authority.isAdmin ? keys.length : keys.filter((key) => authority.canSeeKey(key)).length,
  };
}
