/** Wire vocabulary shared by the server, the CLI and the dashboard. */
export * from './error-code.js';
export * from './slipway-error.js';
export * from './names.js';
export * from './manifest.js';
export * from './resources.js';
export * from './api.js';
export * from './secrets-api.js';
export * from './roles.js';
export * from './identity-api.js';
export * from './audit-api.js';
export * from './routing-table.js';
export * from './sse-parser.js';
export * from './api-client.js';
export * from './identity-client.js';
export * from './audit-client.js';
export * from './byte-size.js';
