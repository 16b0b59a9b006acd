/** The memory catalog store runs the CatalogStore contract, so the engine's unit tests over it say what holds over SQLite. */
import { describeCatalogStore } from './catalog-store-contract.js';
import { createMemoryCatalogStore } from './memory-catalog-store.js';

describeCatalogStore('memory', () => createMemoryCatalogStore());
