/**
 * What the catalog engine's tests share: a manual clock, the stores they run over (the memory fake and the real
 * SQLite catalog store on a temporary file), and an engine opened on one of them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteCatalogStore } from '@slipway/adapters';
import {
  createCatalog,
  type CatalogDeps,
  type CatalogEngine,
  type CatalogStore,
  type Clock,
  type ServiceRegistration,
} from '@slipway/core';
import { createMemoryCatalogStore, silentLogger } from '@slipway/testkit';

export interface ManualClock extends Clock {
  advance(ms: number): void;
}

/** A clock that moves only when told; `sleep` resolves once the clock has been advanced past it. */
export function manualClock(startMs = Date.UTC(2026, 0, 1)): ManualClock {
  let nowMs = startMs;
  const sleepers: { untilMs: number; resolve: () => void }[] = [];
  return {
    nowMs: () => nowMs,
    sleep(ms, signal) {
      return new Promise((resolve, reject) => {
        signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
        sleepers.push({ untilMs: nowMs + ms, resolve });
      });
    },
    advance(ms) {
      nowMs += ms;
      for (const sleeper of sleepers.filter((s) => s.untilMs <= nowMs)) {
        sleepers.splice(sleepers.indexOf(sleeper), 1);
        sleeper.resolve();
      }
    },
  };
}

/** A store the engine runs over, and how to open it again after the engine closed it (a restart). */
export interface CatalogStoreUnderTest {
  store: CatalogStore;
  reopen(): Promise<CatalogStore>;
  cleanup(): Promise<void>;
}

export const catalogStoreKinds: [string, () => Promise<CatalogStoreUnderTest>][] = [
  [
    'memory store',
    () => {
      const store = createMemoryCatalogStore();
      return Promise.resolve({
        store,
        reopen: () => Promise.resolve(store.reopen()),
        cleanup: () => Promise.resolve(),
      });
    },
  ],
  [
    'SQLite catalog store',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'slipway-catalog-'));
      const file = join(dir, 'catalog.db');
      const store = await createSqliteCatalogStore({ file });
      return {
        store,
        reopen: () => createSqliteCatalogStore({ file }),
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    },
  ],
];

export function openCatalog(
  store: CatalogStore,
  clock: Clock,
  overrides: Partial<CatalogDeps> = {},
): Promise<CatalogEngine> {
  let sessionCount = 0;
  return createCatalog({
    store,
    clock,
    logger: silentLogger,
    datacenter: 'dc1',
    node: { name: 'node-a', address: '127.0.0.1', id: '7d3c1ab4-0000-4000-8000-000000000001' },
    newSessionId: () => {
      sessionCount += 1;
      return `00000000-0000-4000-8000-${String(sessionCount).padStart(12, '0')}`;
    },
    ...overrides,
  });
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (value: Uint8Array | null | undefined): string | null =>
  value === null || value === undefined ? null : new TextDecoder().decode(value);

/** A service registration with Consul's defaults, for tests to vary. */
export function serviceRegistration(overrides: Partial<ServiceRegistration> & { id: string }): ServiceRegistration {
  return {
    name: overrides.id,
    tags: [],
    address: '',
    port: 8080,
    meta: {},
    taggedAddresses: {},
    weights: { passing: 1, warning: 1 },
    enableTagOverride: false,
    source: { kind: 'agent' },
    checks: [],
    ...overrides,
  };
}
