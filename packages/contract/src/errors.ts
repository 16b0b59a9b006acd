/**
 * The error vocabulary alone (the codes and the one error type), without the zod schemas the index also evaluates:
 * what a process that must stay small imports (`@slipway/contract/errors`; the edge router).
 */
export * from './error-code.js';
export * from './slipway-error.js';
