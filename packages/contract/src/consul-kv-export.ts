/**
 * Consul's KV export format (`consul kv export` / `consul kv import`, and `slipway kv export|import`): a JSON array of
 * `{"key", "flags", "value"}` with values in base64, indented with tabs as Consul writes it. Decoding checks every
 * entry first, so an import either writes the whole file or refuses it with every issue named (`VALIDATION_FAILED`).
 */
import { z } from 'zod';
import { base64Value, encodeBase64 } from './catalog-base64.js';
import { invalidFileError, jsonFileIssues, notJsonIssue } from './json-file-issues.js';
import type { ManifestIssue } from './manifest-issues.js';
import { strictObject } from './strict-object.js';

/** One key of an export: its flags (a uint64 in Consul, kept below 2^53) and its value (empty for no value). */
export interface ConsulKvExportEntry {
  key: string;
  flags: number;
  value: Uint8Array;
}

/**
 * The catalog's key rule, as its HTTP API applies it: any non-empty key, except one that starts with `/` or has a
 * `..` segment (a path traversal for whatever later writes keys out as files).
 */
export function catalogKeyIssue(key: string): string | undefined {
  if (key === '') return 'must not be empty';
  if (key.startsWith('/')) return 'must not start with "/"';
  if (key.split('/').includes('..')) return 'must not have a ".." segment';
  return undefined;
}

const entrySchema = strictObject({
  key: z.string().superRefine((key, context) => {
    const issue = catalogKeyIssue(key);
    if (issue !== undefined) context.addIssue({ code: 'custom', message: issue });
  }),
  // Go's decoder leaves a missing field at zero: `consul kv import` takes an entry without flags.
  flags: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  value: base64Value,
});

/** The export's schema: an array of entries (that each key appears once is checked by `decodeConsulKvExport`). */
export const consulKvExportSchema = z.array(entrySchema);

/** Keys given twice: checked on the raw input, so they are named even beside an entry of the wrong shape. */
function duplicateKeyIssues(input: unknown): ManifestIssue[] {
  if (!Array.isArray(input)) return [];
  const seen = new Set<string>();
  const issues: ManifestIssue[] = [];
  input.forEach((entry: unknown, at) => {
    const key: unknown = typeof entry === 'object' && entry !== null && 'key' in entry ? entry.key : undefined;
    if (typeof key !== 'string' || key === '') return;
    if (seen.has(key)) issues.push({ path: `${at}.key`, message: `"${key}" appears twice` });
    seen.add(key);
  });
  return issues;
}

/** The entries as Consul writes them: keys in the order given, a null value as `""`, tab-indented. */
export function encodeConsulKvExport(
  entries: readonly { key: string; flags: number; value: Uint8Array | null }[],
): string {
  const exported = entries.map((entry) => ({
    key: entry.key,
    flags: entry.flags,
    value: entry.value === null ? '' : encodeBase64(entry.value),
  }));
  return `${JSON.stringify(exported, null, '\t')}\n`;
}

/** Reads an export; anything else is `VALIDATION_FAILED` naming every issue (`details.issues`, paths like `3.value`). */
export function decodeConsulKvExport(json: string): ConsulKvExportEntry[] {
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch (error) {
    throw invalidFileError('VALIDATION_FAILED', 'KV export', [notJsonIssue(error)]);
  }
  const parsed = consulKvExportSchema.safeParse(input);
  const issues = [...(parsed.success ? [] : jsonFileIssues(parsed.error, input)), ...duplicateKeyIssues(input)];
  if (!parsed.success || issues.length > 0) throw invalidFileError('VALIDATION_FAILED', 'KV export', issues);
  return parsed.data;
}
