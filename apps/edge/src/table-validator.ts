/**
 * Checks a routing table received or read from disk against the contract's shape (`routingTableSchema`), by hand:
 * the edge does not load zod, which would cost it ≈ 14 MiB of its idle memory. A split's checks beyond its shape
 * (weights adding up to 100, RE2 patterns) are the contract's own `splitIssues`. Kept in step with the schema by
 * `table-validator.test.ts`, which runs the same cases through both.
 */
import type { RouteSplit, RoutingTable, TrafficMatch } from '@slipway/contract';
import { splitIssues } from '@slipway/contract/split-issues';

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

/** A header value: 1–256 visible characters, no CR or LF (it goes into the response head as is). */
const hstsValue: Check = (value, path, issues) => {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256 || !/^[\x20-\x7e]+$/.test(value))
    issues.push({ path, message: 'expected a header value of 1–256 visible ASCII characters' });
};

const boolean: Check = (value, path, issues) => {
  if (typeof value !== 'boolean') issues.push({ path, message: `expected a boolean, got ${kindOf(value)}` });
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

/** As `object`, and a key it does not list is an issue (the schema's `.strict()`). */
const strictObject =
  (fields: Record<string, Check>): Check =>
  (value, path, issues) => {
    object(fields)(value, path, issues);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    const unknown = Object.keys(value).filter((key) => !(key in fields));
    if (unknown.length > 0) issues.push({ path, message: `unrecognized key(s): ${unknown.join(', ')}` });
  };

const boundedArray =
  (check: Check, limits: { min: number; max: number }): Check =>
  (value, path, issues) => {
    array(check)(value, path, issues);
    if (!Array.isArray(value)) return;
    if (value.length < limits.min) issues.push({ path, message: `at least ${limits.min} item(s)` });
    if (value.length > limits.max) issues.push({ path, message: `at most ${limits.max} item(s)` });
  };

const boundedString =
  (limits: { min: number; max: number }): Check =>
  (value, path, issues) => {
    string(value, path, issues);
    if (typeof value !== 'string') return;
    if (value.length < limits.min) issues.push({ path, message: `at least ${limits.min} character(s)` });
    if (value.length > limits.max) issues.push({ path, message: `at most ${limits.max} characters` });
  };

const oneOf =
  (choices: readonly string[]): Check =>
  (value, path, issues) => {
    if (typeof value !== 'string' || !choices.includes(value))
      issues.push({ path, message: `expected one of ${choices.join(', ')}` });
  };

const headerMatch = strictObject({
  header: boundedString({ min: 1, max: 256 }),
  value: boundedString({ min: 0, max: 1024 }),
  kind: optional(oneOf(['exact', 'prefix', 'regex'])),
});
const cookieMatch = strictObject({
  cookie: boundedString({ min: 1, max: 256 }),
  value: boundedString({ min: 0, max: 1024 }),
});

/** Either form; like the schema's union, a match that is neither is one issue at the match's own path. */
const trafficMatch: Check = (value, path, issues) => {
  const found: TableIssue[] = [];
  const isHeader = typeof value === 'object' && value !== null && 'header' in value;
  (isHeader ? headerMatch : cookieMatch)(value, path, found);
  const first = found[0];
  if (first !== undefined)
    issues.push({ path, message: `not a header or cookie match (${first.path}: ${first.message})` });
};

const split = strictObject({
  releases: boundedArray(
    strictObject({
      releaseNumber: number({ isInteger: true }),
      weight: number({ min: 0, max: 100 }),
      matches: optional(boundedArray(trafficMatch, { min: 0, max: 16 })),
    }),
    { min: 1, max: 8 },
  ),
  stickyCookie: nullable(boundedString({ min: 1, max: 256 })),
});

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

const coldStart = strictObject({
  holdTimeoutMs: number({ isInteger: true, min: 1, max: 300_000 }),
  maxHeldRequests: number({ isInteger: true, min: 1, max: 10_000 }),
  maxHeldBytes: number({ isInteger: true, min: 1024, max: 64 * 1024 * 1024 }),
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
  split: optional(split),
  isNoindex: optional(boolean),
  httpsRedirectPort: optional(number({ isInteger: true, min: 1, max: 65_535 })),
  hsts: optional(hstsValue),
  coldStart: optional(coldStart),
});

const table = object({ routes: array(route) });

/** Unknown keys are dropped, as the schema does, so the table served and persisted holds only what the edge knows. */
export function checkRoutingTable(value: unknown): TableCheck {
  const issues: TableIssue[] = [];
  table(value, '', issues);
  if (issues.length === 0) {
    (value as RoutingTable).routes.forEach((r, index) => {
      if (r.split === undefined) return;
      for (const issue of splitIssues(r.split))
        issues.push({ path: ['routes', index, 'split', ...issue.path].join('.'), message: issue.message });
    });
  }
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
      ...(r.split === undefined ? {} : { split: splitOf(r.split) }),
      ...(r.isNoindex === undefined ? {} : { isNoindex: r.isNoindex }),
      ...(r.httpsRedirectPort === undefined ? {} : { httpsRedirectPort: r.httpsRedirectPort }),
      ...(r.hsts === undefined ? {} : { hsts: r.hsts }),
      ...(r.coldStart === undefined
        ? {}
        : {
            coldStart: {
              holdTimeoutMs: r.coldStart.holdTimeoutMs,
              maxHeldRequests: r.coldStart.maxHeldRequests,
              maxHeldBytes: r.coldStart.maxHeldBytes,
            },
          }),
    })),
  };
}

function splitOf(input: RouteSplit): RouteSplit {
  return {
    releases: input.releases.map((release) => ({
      releaseNumber: release.releaseNumber,
      weight: release.weight,
      ...(release.matches === undefined ? {} : { matches: release.matches.map(matchOf) }),
    })),
    stickyCookie: input.stickyCookie,
  };
}

/** A header match without its `kind` is `exact`, as the schema's default has it. */
function matchOf(match: TrafficMatch): TrafficMatch {
  return 'header' in match
    ? { header: match.header, value: match.value, kind: match.kind ?? 'exact' }
    : { cookie: match.cookie, value: match.value };
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
