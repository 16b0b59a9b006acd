/** Catalog and health reads over the catalog client: the service names with their tags, and a service's instances. */
import { z } from 'zod';
import { SlipwayError } from '@slipway/contract';
import { encodeCatalogPath, type BlockingOptions, type CatalogClient } from './catalog-client.js';

const stringMap = z.record(z.string(), z.string()).nullish();

const healthCheckSchema = z.object({
  CheckID: z.string(),
  Name: z.string(),
  Status: z.string(),
  Output: z.string().optional(),
  ServiceID: z.string().optional(),
});

/** One entry of `GET /v1/health/service/:name`. */
export const healthServiceSchema = z.object({
  Node: z.object({
    ID: z.string().optional(),
    Node: z.string(),
    Address: z.string(),
    Datacenter: z.string().optional(),
    TaggedAddresses: stringMap,
    Meta: stringMap,
  }),
  Service: z.object({
    ID: z.string(),
    Service: z.string(),
    Tags: z.array(z.string()).nullish(),
    Address: z.string(),
    Port: z.number(),
    Meta: stringMap,
    Weights: z.object({ Passing: z.number(), Warning: z.number() }).nullish(),
  }),
  Checks: z.array(healthCheckSchema).nullish(),
});
export type HealthServiceEntry = z.infer<typeof healthServiceSchema>;

export type CheckStatusName = 'passing' | 'warning' | 'critical';

/** An instance's status: the worst of its checks (node checks included); passing without checks. */
export function aggregateStatus(entry: HealthServiceEntry): CheckStatusName {
  const statuses = (entry.Checks ?? []).map((check) => check.Status);
  if (statuses.includes('critical')) return 'critical';
  if (statuses.includes('warning')) return 'warning';
  return 'passing';
}

export interface CatalogRead<T> {
  index: number;
  value: T;
}

const unexpected = (path: string) =>
  new SlipwayError('UNAVAILABLE', `the catalog answered ${path} with an unexpected shape`);

/** Service names and the union of their tags (`GET /v1/catalog/services`). */
export async function listServices(
  client: CatalogClient,
  options: BlockingOptions = {},
): Promise<CatalogRead<Array<{ name: string; tags: string[] }>>> {
  const path = '/v1/catalog/services';
  const answer = await client.readJson<unknown>(path, {}, options);
  const parsed = z.record(z.string(), z.array(z.string()).nullable()).safeParse(answer.value);
  if (!parsed.success) throw unexpected(path);
  const services = Object.entries(parsed.data)
    .map(([name, tags]) => ({ name, tags: [...(tags ?? [])].sort() }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { index: answer.index, value: services };
}

/** A service's instances with their checks (`GET /v1/health/service/:name`), filtered by tags and `passing`. */
export async function listServiceHealth(
  client: CatalogClient,
  name: string,
  options: BlockingOptions & { tags?: readonly string[]; isPassingOnly?: boolean } = {},
): Promise<CatalogRead<HealthServiceEntry[]>> {
  if (name === '') throw new SlipwayError('VALIDATION_FAILED', 'a service name cannot be empty');
  const path = `/v1/health/service/${encodeCatalogPath(name)}`;
  const query = {
    tag: options.tags === undefined || options.tags.length === 0 ? undefined : options.tags,
    passing: options.isPassingOnly === true ? (true as const) : undefined,
  };
  const answer = await client.readJson<unknown>(path, query, options);
  const parsed = z.array(healthServiceSchema).safeParse(answer.value);
  if (!parsed.success) throw unexpected(path);
  return { index: answer.index, value: parsed.data };
}
