export { createSystemClock } from './system/system-clock.js';
export { createSortableIdGenerator } from './system/sortable-id-generator.js';
export { createFsArtifactStore } from './artifacts/fs-artifact-store.js';
export { createSqliteStore } from './store/sqlite-store.js';
export { createEdgeRouterTable, type EdgeRouterTable, type EdgeRouterTableOptions } from './router/edge-router-table.js';
