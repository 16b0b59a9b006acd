/** Shared test suites and fakes: every implementation of a port runs the same contract. */
export * from './store-contract.js';
export * from './wait-for.js';
export * from './runtime-driver-contract.js';
export * from './fake-runtime-driver.js';
export * from './container-runtime-programs.js';
export * from './silent-logger.js';
export * from './skip-unless.js';
export * from './docker-test-engine.js';
export * from './process-privileges.js';
export * from './python-test-package.js';
export * from './metric-source-contract.js';
export * from './fake-metric-source.js';
export * from './notifier-contract.js';
export * from './notification-receiver.js';
export * from './provider-api-recorder.js';
export * from './catalog-store-contract.js';
export * from './memory-catalog-store.js';
