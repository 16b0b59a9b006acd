/**
 * slipwayd's configuration, resolved once: defaults < config file < `SLIPWAY_*` environment < flags,
 * validated by one zod schema (every issue reported with its path) and deep-frozen.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SlipwayError } from '@slipway/contract';

const address = z.object({ host: z.string().min(1), port: z.number().int().min(0).max(65_535) });

export const configSchema = z
  .object({
    dataDir: z.string().min(1),
    api: address,
    edge: address,
    /** Edge router processes serving traffic: a number, or `auto` for one per core. */
    edgeWorkers: z.union([z.number().int().min(1).max(256), z.literal('auto')]),
    nodeName: z.string().min(1).max(63),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
    /** Ports handed to process instances as `PORT`. */
    instancePorts: z
      .object({ from: z.number().int().min(1024).max(65_535), to: z.number().int().min(1024).max(65_535) })
      .refine((r) => r.from <= r.to, 'from must be ≤ to'),
    releaseRetention: z.number().int().min(1).max(1000),
    buildConcurrency: z.number().int().min(1).max(64),
    maxArchiveBytes: z.number().int().min(1024),
    drainMs: z.number().int().min(0).max(600_000),
    defaultDomain: z.string().min(1),
    /**
     * The master key file (base64 of 32 bytes, mode 0600), created with a new key when absent; unused when
     * `SLIPWAY_MASTER_KEY` is set. Resolved to `<dataDir>/master.key` when not given.
     */
    masterKeyFile: z.string().min(1).optional(),
  })
  .strict();

type ConfigShape = z.infer<typeof configSchema>;
export type ResolvedConfig = Readonly<ConfigShape>;
/** What a file, the environment or flags may set: any subset. */
export type UserConfig = {
  -readonly [K in keyof ConfigShape]?: ConfigShape[K] extends object ? Partial<ConfigShape[K]> : ConfigShape[K];
};

export const defaultConfig: z.infer<typeof configSchema> = {
  dataDir: '.slipway',
  api: { host: '127.0.0.1', port: 7070 },
  edge: { host: '127.0.0.1', port: 8080 },
  edgeWorkers: 1,
  nodeName: hostname().split('.')[0] ?? 'local',
  logLevel: 'info',
  instancePorts: { from: 20_000, to: 29_999 },
  releaseRetention: 10,
  buildConcurrency: 1,
  maxArchiveBytes: 512 * 1024 * 1024,
  drainMs: 1_000,
  defaultDomain: 'localhost',
};

function parseAddress(value: string, what: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value) ?? /^(\d+)$/.exec(value);
  if (!match) throw new SlipwayError('VALIDATION_FAILED', `${what}: expected HOST:PORT or PORT, got "${value}"`);
  if (match.length === 2) return { host: '127.0.0.1', port: Number(match[1]) };
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port: Number(match[3]) };
}

/** `auto` as it is; anything else as a number (the schema checks its range). */
function parseWorkers(value: string): number | 'auto' {
  return value === 'auto' ? 'auto' : Number(value);
}

function fromEnv(env: NodeJS.ProcessEnv): UserConfig {
  const out: UserConfig = {};
  if (env.SLIPWAY_DATA_DIR) out.dataDir = env.SLIPWAY_DATA_DIR;
  if (env.SLIPWAY_API) out.api = parseAddress(env.SLIPWAY_API, 'SLIPWAY_API');
  if (env.SLIPWAY_EDGE) out.edge = parseAddress(env.SLIPWAY_EDGE, 'SLIPWAY_EDGE');
  if (env.SLIPWAY_EDGE_WORKERS) out.edgeWorkers = parseWorkers(env.SLIPWAY_EDGE_WORKERS);
  if (env.SLIPWAY_NODE_NAME) out.nodeName = env.SLIPWAY_NODE_NAME;
  if (env.SLIPWAY_LOG_LEVEL) out.logLevel = env.SLIPWAY_LOG_LEVEL as ResolvedConfig['logLevel'];
  if (env.SLIPWAY_RELEASE_RETENTION) out.releaseRetention = Number(env.SLIPWAY_RELEASE_RETENTION);
  if (env.SLIPWAY_BUILD_CONCURRENCY) out.buildConcurrency = Number(env.SLIPWAY_BUILD_CONCURRENCY);
  if (env.SLIPWAY_DRAIN_MS) out.drainMs = Number(env.SLIPWAY_DRAIN_MS);
  if (env.SLIPWAY_MASTER_KEY_FILE) out.masterKeyFile = env.SLIPWAY_MASTER_KEY_FILE;
  if (env.SLIPWAY_INSTANCE_PORTS) {
    const [from, to] = env.SLIPWAY_INSTANCE_PORTS.split('-').map(Number);
    out.instancePorts = { from: from ?? NaN, to: to ?? NaN };
  }
  return out;
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] =
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      current !== null &&
      typeof current === 'object'
        ? merge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

export const usage = `Usage: slipwayd [options]

Options:
  --config FILE        YAML or JSON config file (also SLIPWAY_CONFIG)
  --data-dir DIR       state directory (default .slipway; SLIPWAY_DATA_DIR)
  --api HOST:PORT      API address (default 127.0.0.1:7070; SLIPWAY_API)
  --edge HOST:PORT     edge router address (default 127.0.0.1:8080; SLIPWAY_EDGE)
  --edge-workers N     edge router processes, or auto for one per core (default 1; SLIPWAY_EDGE_WORKERS);
                       applies when slipwayd starts the router
  --node-name NAME     this node's name (default: the host name; SLIPWAY_NODE_NAME)
  --log-level LEVEL    trace|debug|info|warn|error (default info; SLIPWAY_LOG_LEVEL)
  --master-key-file F  key that wraps the secrets' data keys (default DATA_DIR/master.key, created
                       with mode 0600; SLIPWAY_MASTER_KEY_FILE); SLIPWAY_MASTER_KEY gives the key itself
  -h, --help           print this help
`;

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string' },
        'data-dir': { type: 'string' },
        api: { type: 'string' },
        edge: { type: 'string' },
        'edge-workers': { type: 'string' },
        'node-name': { type: 'string' },
        'log-level': { type: 'string' },
        'master-key-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (error) {
    throw new SlipwayError('VALIDATION_FAILED', `${(error as Error).message} (see slipwayd --help)`);
  }
}

/** Resolves the configuration; errors are `VALIDATION_FAILED` listing every issue with its path. */
export function resolveConfig(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): ResolvedConfig | 'help' {
  const { values } = parseFlags(argv);
  if (values.help) return 'help';
  const file = values.config ?? env.SLIPWAY_CONFIG;
  let fromFile: UserConfig = {};
  if (file) {
    try {
      fromFile = (parseYaml(readFileSync(resolve(cwd, file), 'utf8')) ?? {}) as UserConfig;
    } catch (error) {
      throw new SlipwayError('VALIDATION_FAILED', `cannot read config file ${file}: ${(error as Error).message}`);
    }
  }
  const fromFlags: UserConfig = {};
  if (values['data-dir']) fromFlags.dataDir = values['data-dir'];
  if (values.api) fromFlags.api = parseAddress(values.api, '--api');
  if (values.edge) fromFlags.edge = parseAddress(values.edge, '--edge');
  if (values['edge-workers']) fromFlags.edgeWorkers = parseWorkers(values['edge-workers']);
  if (values['node-name']) fromFlags.nodeName = values['node-name'];
  if (values['log-level']) fromFlags.logLevel = values['log-level'] as ResolvedConfig['logLevel'];
  if (values['master-key-file']) fromFlags.masterKeyFile = values['master-key-file'];

  let merged = merge(defaultConfig, fromFile);
  merged = merge(merged, fromEnv(env));
  merged = merge(merged, fromFlags);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new SlipwayError('VALIDATION_FAILED', `invalid configuration: ${issues.join('; ')}`, { details: { issues } });
  }
  const dataDir = resolve(cwd, parsed.data.dataDir);
  const masterKeyFile = resolve(cwd, parsed.data.masterKeyFile ?? join(dataDir, 'master.key'));
  return deepFreeze({ ...parsed.data, dataDir, masterKeyFile });
}
