/**
 * Request and response bodies of the dashboard's catalog routes (`/api/v1/catalog/services…`, `/api/v1/catalog/kv…`):
 * services with their instances and checks, and the KV store browsed by prefix and edited with CAS, each filtered
 * and decided by the caller's catalog ACL rules (docs/catalog-access.md).
 */
import { z } from 'zod';
import { catalogValueMaxBytes } from './catalog-base64.js';
/** A key or prefix: at most this many UTF-8 bytes are taken (Consul keys are paths; ours are bounded). */
export const catalogKvKeyMaxLength = 512;

const checkStatusSchema = z.enum(['passing', 'warning', 'critical']);
const indexSchema = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const catalogServiceSummarySchema = z.object({
  name: z.string(),
  tags: z.array(z.string()),
  instances: z.number().int(),
  /** Instances by their worst check (an instance without checks counts as passing). */
  passing: z.number().int(),
  warning: z.number().int(),
  critical: z.number().int(),
});
export type CatalogServiceSummaryView = z.infer<typeof catalogServiceSummarySchema>;

export const listCatalogServicesResponseSchema = z.object({
  index: z.number().int(),
  services: z.array(catalogServiceSummarySchema),
});
export type ListCatalogServicesResponse = z.infer<typeof listCatalogServicesResponseSchema>;

export const catalogCheckSchema = z.object({
  checkId: z.string(),
  name: z.string(),
  status: checkStatusSchema,
  /** The last probe's output (at most 4 KiB). */
  output: z.string(),
  notes: z.string(),
  /** `ttl`, `http`, `tcp`, `grpc`, `script` …, or `node` for a node-level check. */
  type: z.string(),
});
export type CatalogCheckView = z.infer<typeof catalogCheckSchema>;

export const catalogInstanceSchema = z.object({
  id: z.string(),
  node: z.string(),
  address: z.string(),
  port: z.number().int(),
  tags: z.array(z.string()),
  /** The worst of its checks (passing when it has none). */
  status: checkStatusSchema,
  checks: z.array(catalogCheckSchema),
});
export type CatalogInstanceView = z.infer<typeof catalogInstanceSchema>;

export const catalogServiceParamsSchema = z.object({ service: z.string().min(1).max(256) });

export const getCatalogServiceResponseSchema = z.object({
  index: z.number().int(),
  name: z.string(),
  instances: z.array(catalogInstanceSchema),
});
export type GetCatalogServiceResponse = z.infer<typeof getCatalogServiceResponseSchema>;

const keySchema = z.string().min(1).max(catalogKvKeyMaxLength);

export const listCatalogKvQuerySchema = z.object({
  /** Empty: the top. A folder is a prefix ending in `/`. */
  prefix: z.string().max(catalogKvKeyMaxLength).default(''),
  /** Page after this name (a key or a folder) of the same prefix. */
  after: z.string().max(catalogKvKeyMaxLength).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListCatalogKvQuery = z.input<typeof listCatalogKvQuerySchema>;

export const catalogKvKeySchema = z.object({
  key: z.string(),
  sizeBytes: z.number().int(),
  flags: z.number().int(),
  createIndex: z.number().int(),
  modifyIndex: z.number().int(),
  /** The session holding its lock, if any. */
  session: z.string().nullable(),
  /** Whether the caller's rules let it change or delete this key. */
  canWrite: z.boolean(),
});
export type CatalogKvKeyView = z.infer<typeof catalogKvKeySchema>;

export const listCatalogKvResponseSchema = z.object({
  index: z.number().int(),
  prefix: z.string(),
  /** Sub-prefixes holding a key the caller may read (`app/db/`), in order; a page holds folders and keys. */
  folders: z.array(z.string()),
  keys: z.array(catalogKvKeySchema),
  /** Pass as `after` for the next page; absent on the last one. */
  nextAfter: z.string().optional(),
  /** Whether the caller may create keys directly under this prefix. */
  canWrite: z.boolean(),
});
export type ListCatalogKvResponse = z.infer<typeof listCatalogKvResponseSchema>;

export const catalogKvKeyQuerySchema = z.object({ key: keySchema });

/** A value as text when it is UTF-8, else base64 (`encoding` says which). */
export const catalogKvEntrySchema = catalogKvKeySchema.extend({
  value: z.string(),
  encoding: z.enum(['utf8', 'base64']),
});
export type CatalogKvEntryView = z.infer<typeof catalogKvEntrySchema>;

export const putCatalogKvBodySchema = z
  .object({
    key: keySchema,
    value: z.string().max(Math.ceil(catalogValueMaxBytes / 3) * 4 + 4),
    encoding: z.enum(['utf8', 'base64']).default('utf8'),
    /** The ModifyIndex the edit was made on; 0: only create (the key must not exist). */
    cas: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  })
  .strict();
export type PutCatalogKvBody = z.input<typeof putCatalogKvBodySchema>;

export const deleteCatalogKvQuerySchema = z.object({ key: keySchema, cas: indexSchema });
