/** The domain and its use cases, behind ports; imports no I/O library. */
export type * from './domain/records.js';
export type * from './ports/clock.js';
export type * from './ports/logger.js';
export type * from './ports/id-generator.js';
export type * from './ports/runtime-driver.js';
export type * from './ports/source-fetcher.js';
export type * from './ports/builder.js';
export type * from './ports/health-prober.js';
export type * from './ports/router-table.js';
export type * from './ports/store.js';
