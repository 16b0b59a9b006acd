/**
 * Checks a routing table received or read from disk against the contract's shape (`routingTableSchema`), by hand:
 * the edge does not load zod, which would cost it ≈ 14 MiB of its idle memory. Kept in step with the schema by
 * `table-validator.test.ts`, which runs the same cases through both.
 */
import type { RoutingTable } from '@slipway/contract';

export interface TableIssue {
  /** Dotted path of the offending value, `(root)` for the table itself (as the schema's issues are reported). */
  readonly path: string;
  readonly message: string;
}

export type TableCheck =
  { readonly isValid: true; readonly table: RoutingTable } | { readonly isValid: false; readonly issues: TableIssue[] };

type Check = (value: unknown, path: string, issues: TableIssue[]) => void;

const string: Check = (value, path, issues) => {
  if (typeof value !== 'string') issues.push({ path, message: `expected a string, got ${kindOf(value)}` });
};

const number =
  (rules: { isInteger?: boolean; min?: number; max?: number; isPositive?: boolean }): Check =>
  (value, path, issues) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      issues.push({ path, message: `expected a number, got ${kindOf(value)}` });
      return;
    }
    if (rules.isInteger === true && !Number.isInteger(value)) issues.push({ path, message: 'expected an integer' });
    if (rules.min !== undefined && value < rules.min) issues.push({ path, message: `must be at least ${rules.min}` });
    if (rules.max !== undefined && value > rules.max) issues.push({ path, message: `must be at most ${rules.max}` });
    if (rules.isPositive === true && value <= 0) issues.push({ path, message: 'must be positive' });
  };

const nullable =
  (check: Check): Check =>
  (value, path, issues) => {
    if (value !== null) check(value, path, issues);
  };

const array =
  (check: Check): Check =>
  (value, path, issues) => {
    if (!Array.isArray(value)) {
      issues.push({ path, message: `expected an array, got ${kindOf(value)}` });
      return;
    }
    value.forEach((item, index) => check(item, `${path}.${index}`, issues));
  };

/** A member that may be left out (or undefined); checked when present. */
const optional = (check: Check): Check => Object.assign(check.bind(null), { isOptional: true });

const object =
  (fields: Record<string, Check>): Check =>
  (value, path, issues) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      issues.push({ path, message: `expected an object, got ${kindOf(value)}` });
      return;
    }
    const record = value as Record<string, unknown>;
    for (const [name, check] of Object.entries(fields)) {
      const fieldPath = path === '' ? name : `${path}.${name}`;
      if (!(name in record) || record[name] === undefined) {
        if (!('isOptional' in check)) issues.push({ path: fieldPath, message: 'required' });
      } else check(record[name], fieldPath, issues);
    }
  };

const pathPrefix: Check = (value, path, issues) => {
  string(value, path, issues);
  if (typeof value === 'string' && !value.startsWith('/')) issues.push({ path, message: 'must start with "/"' });
};

const upstream = object({
  instanceId: string,
  host: string,
  port: number({ isInteger: true, min: 1, max: 65_535 }),
  releaseNumber: number({ isInteger: true }),
  weight: number({ min: 0 }),
});

const maxMaintenancePageBytes = 64 * 1024;

const maintenancePage: Check = (value, path, issues) => {
  string(value, path, issues);
  if (typeof value === 'string' && Buffer.byteLength(value) > maxMaintenancePageBytes)
    issues.push({ path, message: 'at most 64 KiB' });
};

const maintenance = object({
  retryAfterSeconds: number({ isInteger: true, min: 1, max: 86_400 }),
  page: nullable(maintenancePage),
});

const route = object({
  host: string,
  pathPrefix,
  app: string,
  environment: string,
  process: string,
  timeoutMs: nullable(number({ isInteger: true, isPositive: true })),
  upstreams: array(upstream),
  maintenance: optional(maintenance),
});

const table = object({ routes: array(route) });

/** Unknown keys are dropped, as the schema does, so the table served and persisted holds only what the edge knows. */
export function checkRoutingTable(value: unknown): TableCheck {
  const issues: TableIssue[] = [];
  table(value, '', issues);
  if (issues.length > 0)
    return { isValid: false, issues: issues.map((i) => ({ ...i, path: i.path === '' ? '(root)' : i.path })) };
  return { isValid: true, table: stripUnknown(value as RoutingTable) };
}

function stripUnknown(input: RoutingTable): RoutingTable {
  return {
    routes: input.routes.map((r) => ({
      host: r.host,
      pathPrefix: r.pathPrefix,
      app: r.app,
      environment: r.environment,
      process: r.process,
      timeoutMs: r.timeoutMs,
      upstreams: r.upstreams.map((u) => ({
        instanceId: u.instanceId,
        host: u.host,
        port: u.port,
        releaseNumber: u.releaseNumber,
        weight: u.weight,
      })),
      ...(r.maintenance === undefined
        ? {}
        : { maintenance: { retryAfterSeconds: r.maintenance.retryAfterSeconds, page: r.maintenance.page } }),
    })),
  };
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
