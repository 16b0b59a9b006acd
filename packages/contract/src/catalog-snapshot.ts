/**
 * The catalog snapshot file (`slipway catalog snapshot save|restore`, `GET/PUT /v1/snapshot`): everything the catalog
 * holds at one index, as versioned JSON with KV values in base64. Decoding checks the shape and what the shape cannot
 * say (unique keys and ids, indexes no later than the snapshot's, locks held by sessions it has), so a restore either
 * takes the whole file or refuses it with every issue named (`CATALOG_SNAPSHOT_INVALID`).
 */
import { z } from 'zod';
import { base64Value, encodeBase64 } from './catalog-base64.js';
import { invalidFileError, jsonFileIssues, notJsonIssue } from './json-file-issues.js';
import type { ManifestIssue } from './manifest-issues.js';
import { strictObject } from './strict-object.js';

/** What a snapshot file says it is. */
export const catalogSnapshotFormat = 'slipway-catalog-snapshot';
/** The version this code writes and reads; a file of a later one is refused with a message that says so. */
export const catalogSnapshotVersion = 1;

/** Consul indexes are uint64; the catalog keeps them below 2^53 so they survive JSON. */
const index = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const text = z.string();
const stringMap = z.record(z.string(), z.string());
const milliseconds = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const indexes = { createIndex: index, modifyIndex: index };

const nodeSchema = strictObject({
  name: z.string().min(1),
  id: z.string().min(1),
  address: text,
  datacenter: z.string().min(1),
  meta: stringMap,
  taggedAddresses: stringMap,
  ...indexes,
});

const kvSchema = strictObject({
  key: z.string().min(1),
  value: base64Value.nullable(),
  flags: index,
  lockIndex: index,
  session: z.string().min(1).nullable(),
  ...indexes,
});

const tombstoneSchema = strictObject({ key: z.string().min(1), modifyIndex: index, deletedAtMs: milliseconds });

const sessionSchema = strictObject({
  id: z.string().min(1),
  name: text,
  node: z.string().min(1),
  lockDelayMs: milliseconds,
  behavior: z.enum(['release', 'delete']),
  ttlMs: milliseconds.nullable(),
  nodeChecks: z.array(text),
  serviceChecks: z.array(text),
  expiresAtMs: milliseconds.nullable(),
  ...indexes,
});

const serviceSchema = strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  tags: z.array(text),
  address: text,
  port: z.number().int().min(0).max(65_535),
  meta: stringMap,
  taggedAddresses: z.record(z.string(), strictObject({ address: text, port: z.number().int().min(0).max(65_535) })),
  weights: strictObject({ passing: z.number().int().min(0), warning: z.number().int().min(0) }),
  enableTagOverride: z.boolean(),
  source: z.discriminatedUnion('kind', [
    strictObject({ kind: z.literal('agent') }),
    strictObject({ kind: z.literal('slipway'), instanceId: z.string().min(1), appId: z.string().min(1) }),
  ]),
  ...indexes,
});

const probe = { intervalMs: milliseconds, timeoutMs: milliseconds };
const definitionSchema = z.discriminatedUnion('type', [
  strictObject({ type: z.literal('ttl'), ttlMs: milliseconds }),
  strictObject({
    type: z.literal('http'),
    url: z.string().min(1),
    method: z.string().min(1),
    header: z.record(z.string(), z.array(z.string())),
    body: text,
    tlsSkipVerify: z.boolean(),
    ...probe,
  }),
  strictObject({ type: z.literal('tcp'), address: z.string().min(1), ...probe }),
  strictObject({
    type: z.literal('grpc'),
    target: z.string().min(1),
    useTls: z.boolean(),
    tlsSkipVerify: z.boolean(),
    ...probe,
  }),
  strictObject({ type: z.literal('script'), args: z.array(z.string()).min(1), ...probe }),
  strictObject({ type: z.literal('slipway'), instanceId: z.string().min(1) }),
  strictObject({ type: z.literal('maintenance') }),
  strictObject({ type: z.literal('serf') }),
]);

const checkSchema = strictObject({
  checkId: z.string().min(1),
  name: text,
  status: z.enum(['passing', 'warning', 'critical']),
  notes: text,
  output: text,
  serviceId: text,
  serviceName: text,
  serviceTags: z.array(text),
  definition: definitionSchema,
  ttlExpiresAtMs: milliseconds.nullable(),
  ...indexes,
});

const snapshotShape = strictObject({
  format: z.literal(catalogSnapshotFormat),
  version: z.literal(catalogSnapshotVersion),
  index,
  node: nodeSchema,
  kv: z.array(kvSchema),
  tombstones: z.array(tombstoneSchema),
  sessions: z.array(sessionSchema),
  services: z.array(serviceSchema),
  checks: z.array(checkSchema),
});

/** The snapshot file's schema: its shape, then the rules across its records. */
export const catalogSnapshotFileSchema = snapshotShape.superRefine((file, context) => {
  for (const issue of consistencyIssues(file)) context.addIssue({ code: 'custom', ...issue });
});

type SnapshotFile = z.output<typeof snapshotShape>;

/** A decoded snapshot: the shape of the catalog's `CatalogSnapshot` (KV values as bytes, null for an empty body). */
export type CatalogSnapshotData = Omit<SnapshotFile, 'format' | 'version'>;

/** The snapshot as the file's JSON text, pretty-printed so a diff of two snapshots reads. */
export function encodeCatalogSnapshot(snapshot: CatalogSnapshotData): string {
  const file = {
    format: catalogSnapshotFormat,
    version: catalogSnapshotVersion,
    index: snapshot.index,
    node: snapshot.node,
    kv: snapshot.kv.map((entry) => ({ ...entry, value: entry.value === null ? null : encodeBase64(entry.value) })),
    tombstones: snapshot.tombstones,
    sessions: snapshot.sessions,
    services: snapshot.services,
    checks: snapshot.checks,
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Reads a snapshot file; anything else is `CATALOG_SNAPSHOT_INVALID` naming every issue (`details.issues`). */
export function decodeCatalogSnapshot(json: string): CatalogSnapshotData {
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch (error) {
    throw invalidFileError('CATALOG_SNAPSHOT_INVALID', 'catalog snapshot', [notJsonIssue(error)]);
  }
  const versionIssue = laterVersionIssue(input);
  if (versionIssue !== undefined)
    throw invalidFileError('CATALOG_SNAPSHOT_INVALID', 'catalog snapshot', [versionIssue]);
  const parsed = catalogSnapshotFileSchema.safeParse(input);
  if (!parsed.success)
    throw invalidFileError('CATALOG_SNAPSHOT_INVALID', 'catalog snapshot', jsonFileIssues(parsed.error, input));
  const { format: _format, version: _version, ...snapshot } = parsed.data;
  return snapshot;
}

/** A file of a later version is not a broken file: say which versions this slipwayd reads. */
function laterVersionIssue(input: unknown): ManifestIssue | undefined {
  if (typeof input !== 'object' || input === null || !('version' in input)) return undefined;
  const { version } = input;
  if (typeof version !== 'number' || version <= catalogSnapshotVersion) return undefined;
  return {
    path: 'version',
    message: `is ${version}, written by a later Slipway; this one reads version ${catalogSnapshotVersion}`,
  };
}

interface Issue {
  path: (string | number)[];
  message: string;
}

/** Duplicates, indexes later than the snapshot's or a modify before its create, and locks of absent sessions. */
function consistencyIssues(file: SnapshotFile): Issue[] {
  const issues: Issue[] = [];
  const unique = <T>(list: string, rows: readonly T[], field: string, id: (row: T) => string): void => {
    const seen = new Set<string>();
    rows.forEach((row, at) => {
      if (seen.has(id(row))) issues.push({ path: [list, at, field], message: `"${id(row)}" appears twice` });
      seen.add(id(row));
    });
  };
  unique('kv', file.kv, 'key', (row) => row.key);
  unique('tombstones', file.tombstones, 'key', (row) => row.key);
  unique('sessions', file.sessions, 'id', (row) => row.id);
  unique('services', file.services, 'id', (row) => row.id);
  unique('checks', file.checks, 'checkId', (row) => row.checkId);

  const indexed = (path: (string | number)[], row: { createIndex?: number; modifyIndex: number }): void => {
    if (row.modifyIndex > file.index)
      issues.push({
        path: [...path, 'modifyIndex'],
        message: `is ${row.modifyIndex}, later than the snapshot's index ${file.index}`,
      });
    if (row.createIndex !== undefined && row.createIndex > row.modifyIndex)
      issues.push({
        path: [...path, 'createIndex'],
        message: `is ${row.createIndex}, later than its modifyIndex ${row.modifyIndex}`,
      });
  };
  indexed(['node'], file.node);
  file.kv.forEach((row, at) => indexed(['kv', at], row));
  file.tombstones.forEach((row, at) => indexed(['tombstones', at], row));
  file.sessions.forEach((row, at) => indexed(['sessions', at], row));
  file.services.forEach((row, at) => indexed(['services', at], row));
  file.checks.forEach((row, at) => indexed(['checks', at], row));

  const sessions = new Set(file.sessions.map((session) => session.id));
  file.kv.forEach((row, at) => {
    if (row.session !== null && !sessions.has(row.session))
      issues.push({
        path: ['kv', at, 'session'],
        message: `names session "${row.session}", which the snapshot does not have`,
      });
  });
  return issues;
}
