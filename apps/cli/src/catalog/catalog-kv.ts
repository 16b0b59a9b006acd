/** KV reads and writes over the catalog client, in Consul's wire shapes (`DirEntry`, base64 values, CAS booleans). */
import { z } from 'zod';
import { SlipwayError } from '@slipway/contract';
import { encodeCatalogPath, type BlockingOptions, type CatalogClient } from './catalog-client.js';

/** Consul's `DirEntry`, as the catalog answers it. */
export const dirEntrySchema = z.object({
  Key: z.string(),
  Value: z.string().nullable(),
  Flags: z.number(),
  CreateIndex: z.number(),
  ModifyIndex: z.number(),
  LockIndex: z.number(),
  Session: z.string().optional(),
});
export type DirEntry = z.infer<typeof dirEntrySchema>;

export interface KvEntryRead {
  key: string;
  /** Decoded bytes; empty for a `null` value. */
  value: Uint8Array;
  flags: number;
  createIndex: number;
  modifyIndex: number;
  session: string | undefined;
}

export interface KvRead<T> {
  index: number;
  /** `undefined`: nothing at that key or under that prefix. */
  value: T | undefined;
}

function decodeEntries(path: string, data: unknown): KvEntryRead[] {
  const parsed = z.array(dirEntrySchema).safeParse(data);
  if (!parsed.success) throw new SlipwayError('UNAVAILABLE', `the catalog answered ${path} with an unexpected shape`);
  return parsed.data.map((entry) => ({
    key: entry.Key,
    value: entry.Value === null ? new Uint8Array() : new Uint8Array(Buffer.from(entry.Value, 'base64')),
    flags: entry.Flags,
    createIndex: entry.CreateIndex,
    modifyIndex: entry.ModifyIndex,
    session: entry.Session,
  }));
}

const kvPath = (key: string) => `/v1/kv/${encodeCatalogPath(key)}`;

export function validateKey(key: string): void {
  if (key === '') throw new SlipwayError('VALIDATION_FAILED', 'a key cannot be empty');
  if (key.startsWith('/')) throw new SlipwayError('VALIDATION_FAILED', `a key cannot start with "/": ${key}`);
}

/** One key's entry (blocking when `options.index` is given). */
export async function kvGet(
  client: CatalogClient,
  key: string,
  options: BlockingOptions = {},
): Promise<KvRead<KvEntryRead>> {
  validateKey(key);
  const path = kvPath(key);
  const answer = await client.readJson<unknown>(path, {}, { ...options, isAbsentOk: true });
  if (answer.value === undefined) return { index: answer.index, value: undefined };
  return { index: answer.index, value: decodeEntries(path, answer.value)[0] };
}

/** Every entry under a prefix, sorted by key (an empty prefix is the whole KV). */
export async function kvTree(
  client: CatalogClient,
  prefix: string,
  options: BlockingOptions = {},
): Promise<KvRead<KvEntryRead[]>> {
  const path = kvPath(prefix);
  const answer = await client.readJson<unknown>(path, { recurse: true }, { ...options, isAbsentOk: true });
  if (answer.value === undefined) return { index: answer.index, value: undefined };
  return { index: answer.index, value: decodeEntries(path, answer.value) };
}

/** Keys under a prefix, folded at `separator` when given (`a/x/`). */
export async function kvKeys(
  client: CatalogClient,
  prefix: string,
  options: BlockingOptions & { separator?: string | undefined } = {},
): Promise<KvRead<string[]>> {
  const path = kvPath(prefix);
  const answer = await client.readJson<unknown>(
    path,
    { keys: true, separator: options.separator === '' ? undefined : options.separator },
    { ...options, isAbsentOk: true },
  );
  if (answer.value === undefined) return { index: answer.index, value: undefined };
  const parsed = z.array(z.string()).safeParse(answer.value);
  if (!parsed.success) throw new SlipwayError('UNAVAILABLE', `the catalog answered ${path} with an unexpected shape`);
  return { index: answer.index, value: parsed.data };
}

/** Sets a key; with `cas`, only when its ModifyIndex is that (0: only when absent). Resolves whether it was set. */
export async function kvPut(
  client: CatalogClient,
  key: string,
  value: Uint8Array | string,
  options: { flags?: number | undefined; cas?: number | undefined } = {},
): Promise<boolean> {
  validateKey(key);
  const answer = await client.write('PUT', kvPath(key), { flags: options.flags, cas: options.cas }, value);
  return answer === true;
}

/** Deletes a key, or every key under a prefix with `isRecursive`; with `cas`, only at that ModifyIndex. */
export async function kvDelete(
  client: CatalogClient,
  key: string,
  options: { isRecursive?: boolean; cas?: number | undefined } = {},
): Promise<boolean> {
  if (options.isRecursive !== true) validateKey(key);
  const answer = await client.write('DELETE', kvPath(key), {
    recurse: options.isRecursive === true ? true : undefined,
    cas: options.cas,
  });
  return answer === true;
}
