/**
 * What the live stream's `catalog` topic carries: each service with its instances by their worst check, and the number
 * of KV keys, at the catalog's index. Read from the engine's memory; a new summary is sent only when the index moved.
 */
import type { Catalog, CheckStatus } from '@slipway/core';

export type LiveCatalog = Pick<Catalog, 'index' | 'services' | 'checks' | 'kvKeys'>;

export interface CatalogSummary {
  readonly index: number;
  readonly services: { name: string; instances: number; passing: number; warning: number; critical: number }[];
  readonly kvKeys: number;
}

const severity: Readonly<Record<CheckStatus, number>> = { passing: 0, warning: 1, critical: 2 };

export function summarizeCatalog(catalog: LiveCatalog): CatalogSummary {
  const index = catalog.index();
  const worst = new Map<string, CheckStatus>();
  for (const check of catalog.checks().value) {
    if (check.serviceId === '') continue;
    const before = worst.get(check.serviceId);
    if (before === undefined || severity[check.status] > severity[before]) worst.set(check.serviceId, check.status);
  }
  const byName = new Map<string, CatalogSummary['services'][number]>();
  for (const service of catalog.services().value) {
    let row = byName.get(service.name);
    if (row === undefined) {
      row = { name: service.name, instances: 0, passing: 0, warning: 0, critical: 0 };
      byName.set(service.name, row);
    }
    row.instances += 1;
    row[worst.get(service.id) ?? 'passing'] += 1;
  }
  return {
    index,
    services: [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    kvKeys: catalog.kvKeys('').value.length,
  };
}
