/** Shared test suites and fakes: every implementation of a port runs the same contract. */
export * from './store-contract.js';
