/**
 * slipwayd's configuration, resolved once: defaults < config file < `SLIPWAY_*` environment < flags,
 * validated by one zod schema (every issue reported with its path) and deep-frozen.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SlipwayError } from '@slipway/contract';
import { defaultRateLimitConfig, rateLimitConfigSchema } from './rate-limit-config.js';

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
    /** Audit records older than this are pruned (the chain stays verifiable from a checkpoint). */
    auditRetentionDays: z.number().int().min(1).max(36_500),
    /** Token buckets per route class and the failed-login throttle (see rate-limit-config.ts). */
    rateLimits: rateLimitConfigSchema,
    /**
     * How the API is served: plain HTTP (`off`, loopback only unless `insecureHttpOnPublicInterface`), TLS with a
     * self-signed certificate generated into `<dataDir>/tls/` for localhost, or TLS with the operator's PEM files.
     */
    tls: z.union([
      z.object({ mode: z.literal('off') }),
      z.object({ mode: z.literal('self-signed') }),
      z.object({ mode: z.literal('files'), certFile: z.string().min(1), keyFile: z.string().min(1) }),
    ]),
    /** The escape hatch that lets the API listen on a non-loopback address without TLS (credentials in clear). */
    insecureHttpOnPublicInterface: z.boolean(),
    /**
     * Directories under which any deployer may name a local source (`path`, or a local git repository); empty: only
     * the owner deploys local directories. Never the data dir, whatever is listed.
     */
    sourcePathRoots: z.array(z.string().min(1).max(4096)).max(64),
    /** Registries an `image:` may be pulled from (`host[:port]`; `docker.io` for references naming none). */
    imageRegistries: z.array(z.string().regex(/^[a-z0-9.-]+(:\d{1,5})?$/i, 'must be host[:port]')).max(64),
    /** Origins a browser may call the API from (exact `scheme://host[:port]`); empty: CORS closed. */
    corsOrigins: z.array(z.string().url().max(2048)).max(64),
    /**
     * The edge router's HTTPS listener beside its plain one, with the operator's PEM files or, when none are given,
     * the self-signed certificate of `<dataDir>/tls/`.
     */
    /**
     * Container runtimes. `docker`: `auto` runs containers when a Docker Engine answers at start, `on` always (its
     * calls fail with RUNTIME_UNAVAILABLE while the engine is down), `off` never. `swarm`: `auto` when that engine is
     * a swarm manager at start. `host`: the engine's address (default DOCKER_HOST, else the local socket).
     */
    containers: z
      .object({
        docker: z.enum(['auto', 'on', 'off']),
        swarm: z.enum(['auto', 'on', 'off']),
        host: z.string().min(1).max(2048).optional(),
      })
      .strict(),
    /**
     * How process instances and builds are isolated: `sandbox` (each project as its own user in bubblewrap; the start
     * fails when impossible), `none` (as slipwayd's own user), `auto` (sandbox when root with bubblewrap, else none).
     */
    isolation: z.enum(['auto', 'sandbox', 'none']),
    edgeTls: z
      .object({ listen: address, certFile: z.string().min(1).optional(), keyFile: z.string().min(1).optional() })
      .refine(
        (t) => (t.certFile === undefined) === (t.keyFile === undefined),
        'give both certFile and keyFile, or neither',
      )
      .optional(),
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
  tls: { mode: 'off' },
  insecureHttpOnPublicInterface: false,
  corsOrigins: [],
  sourcePathRoots: [],
  imageRegistries: ['docker.io'],
  auditRetentionDays: 365,
  rateLimits: defaultRateLimitConfig,
  containers: { docker: 'auto', swarm: 'auto' },
  isolation: 'auto',
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
  const tls = tlsFrom(env.SLIPWAY_TLS, env.SLIPWAY_TLS_CERT, env.SLIPWAY_TLS_KEY, 'SLIPWAY_TLS');
  if (tls) out.tls = tls;
  if (env.SLIPWAY_INSECURE_HTTP_ON_PUBLIC_INTERFACE === '1') out.insecureHttpOnPublicInterface = true;
  if (env.SLIPWAY_IMAGE_REGISTRIES) out.imageRegistries = env.SLIPWAY_IMAGE_REGISTRIES.split(',').map((r) => r.trim());
  if (env.SLIPWAY_SOURCE_PATH_ROOTS) out.sourcePathRoots = env.SLIPWAY_SOURCE_PATH_ROOTS.split(delimiter);
  if (env.SLIPWAY_CORS_ORIGINS) out.corsOrigins = env.SLIPWAY_CORS_ORIGINS.split(',').map((o) => o.trim());
  const edgeTls = edgeTlsFrom(
    env.SLIPWAY_EDGE_TLS,
    env.SLIPWAY_EDGE_TLS_CERT,
    env.SLIPWAY_EDGE_TLS_KEY,
    'SLIPWAY_EDGE_TLS',
  );
  if (edgeTls) out.edgeTls = edgeTls;
  const containers = containersFrom(env.SLIPWAY_DOCKER, env.SLIPWAY_SWARM, env.SLIPWAY_DOCKER_HOST);
  if (containers) out.containers = containers;
  if (env.SLIPWAY_ISOLATION) out.isolation = env.SLIPWAY_ISOLATION as ResolvedConfig['isolation'];
  if (env.SLIPWAY_INSTANCE_PORTS) {
    const [from, to] = env.SLIPWAY_INSTANCE_PORTS.split('-').map(Number);
    out.instancePorts = { from: from ?? NaN, to: to ?? NaN };
  }
  return out;
}

/** `--docker`, `--swarm`, `--docker-host` (or their variables) as the config's `containers`; the schema checks them. */
function containersFrom(docker?: string, swarm?: string, host?: string): UserConfig['containers'] | undefined {
  const out: Record<string, string> = {};
  if (docker !== undefined) out['docker'] = docker;
  if (swarm !== undefined) out['swarm'] = swarm;
  if (host !== undefined) out['host'] = host;
  return Object.keys(out).length === 0 ? undefined : out;
}

/** `--tls self-signed|off` and `--tls-cert`/`--tls-key` (or their variables) as the config's `tls`. */
function tlsFrom(
  mode: string | undefined,
  certFile: string | undefined,
  keyFile: string | undefined,
  what: string,
): ConfigShape['tls'] | undefined {
  if (certFile !== undefined || keyFile !== undefined) {
    if (mode !== undefined && mode !== 'files') {
      throw new SlipwayError('VALIDATION_FAILED', `${what}: give a certificate and key, or ${what} ${mode}, not both`);
    }
    if (certFile === undefined || keyFile === undefined) {
      throw new SlipwayError('VALIDATION_FAILED', `${what}: give both the certificate file and the key file`);
    }
    return { mode: 'files', certFile, keyFile };
  }
  if (mode === undefined) return undefined;
  if (mode === 'off' || mode === 'self-signed') return { mode };
  throw new SlipwayError(
    'VALIDATION_FAILED',
    `${what}: expected self-signed or off (or a certificate and key), got "${mode}"`,
  );
}

/** The edge's HTTPS listener from `--edge-tls HOST:PORT` and optional certificate and key files. */
function edgeTlsFrom(
  listen: string | undefined,
  certFile: string | undefined,
  keyFile: string | undefined,
  what: string,
): UserConfig['edgeTls'] | undefined {
  if (listen === undefined) {
    if (certFile !== undefined || keyFile !== undefined) {
      throw new SlipwayError('VALIDATION_FAILED', `${what}: a certificate for the edge needs ${what} HOST:PORT too`);
    }
    return undefined;
  }
  return {
    listen: parseAddress(listen, what),
    ...(certFile === undefined ? {} : { certFile }),
    ...(keyFile === undefined ? {} : { keyFile }),
  };
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
  --tls self-signed    serve the API over TLS with a certificate for localhost generated into DATA_DIR/tls
                       (SLIPWAY_TLS=self-signed)
  --tls-cert FILE      serve the API over TLS with this PEM certificate (chain) and --tls-key FILE, its
  --tls-key FILE       private key, mode 0600 (SLIPWAY_TLS_CERT, SLIPWAY_TLS_KEY)
  --insecure-http-on-public-interface
                       let the API listen on a non-loopback address over plain HTTP, sending credentials
                       in clear; without it slipwayd refuses (SLIPWAY_INSECURE_HTTP_ON_PUBLIC_INTERFACE=1)
  --cors-origin ORIGIN allow browsers on ORIGIN (https://host[:port]) to call the API; repeatable
                       (SLIPWAY_CORS_ORIGINS, comma-separated; default: none)
  --source-path-root DIR
                       let any deployer deploy local directories (and local git repositories) under DIR;
                       repeatable (SLIPWAY_SOURCE_PATH_ROOTS, separated by ':'; default: none, only the owner)
  --image-registry HOST[:PORT]
                       a registry images may be pulled from; repeatable (SLIPWAY_IMAGE_REGISTRIES,
                       comma-separated; default docker.io)
  --edge-tls HOST:PORT an HTTPS listener for the edge router beside the plain one (SLIPWAY_EDGE_TLS), with
  --edge-tls-cert FILE the PEM certificate and key given (SLIPWAY_EDGE_TLS_CERT, SLIPWAY_EDGE_TLS_KEY), or the
  --edge-tls-key FILE  self-signed certificate of DATA_DIR/tls when none; applies when slipwayd starts the router
  --docker MODE        auto|on|off: run containers on the Docker Engine (default auto: when one answers at
                       start; SLIPWAY_DOCKER)
  --swarm MODE         auto|on|off: run Swarm services (default auto: when the engine is a swarm manager at
                       start; SLIPWAY_SWARM)
  --docker-host URL    the engine: unix:///path or tcp://host:port, TLS from DOCKER_CERT_PATH (default
                       DOCKER_HOST, else unix:///var/run/docker.sock; SLIPWAY_DOCKER_HOST)
  --isolation MODE     auto|sandbox|none: run process instances and builds as their project's own user in
                       a bubblewrap sandbox (default auto: when root with bubblewrap; SLIPWAY_ISOLATION)
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
        tls: { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'insecure-http-on-public-interface': { type: 'boolean' },
        'cors-origin': { type: 'string', multiple: true },
        'source-path-root': { type: 'string', multiple: true },
        'image-registry': { type: 'string', multiple: true },
        'edge-tls': { type: 'string' },
        'edge-tls-cert': { type: 'string' },
        'edge-tls-key': { type: 'string' },
        docker: { type: 'string' },
        swarm: { type: 'string' },
        'docker-host': { type: 'string' },
        isolation: { type: 'string' },
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
  const tls = tlsFrom(values.tls, values['tls-cert'], values['tls-key'], '--tls');
  if (tls) fromFlags.tls = tls;
  if (values['insecure-http-on-public-interface']) fromFlags.insecureHttpOnPublicInterface = true;
  if (values['cors-origin']) fromFlags.corsOrigins = values['cors-origin'];
  if (values['source-path-root']) fromFlags.sourcePathRoots = values['source-path-root'];
  if (values['image-registry']) fromFlags.imageRegistries = values['image-registry'];
  const edgeTls = edgeTlsFrom(values['edge-tls'], values['edge-tls-cert'], values['edge-tls-key'], '--edge-tls');
  if (edgeTls) fromFlags.edgeTls = edgeTls;
  const containers = containersFrom(values.docker, values.swarm, values['docker-host']);
  if (containers) fromFlags.containers = containers;
  if (values.isolation) fromFlags.isolation = values.isolation as ResolvedConfig['isolation'];

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
  const { tls: tlsConfig, edgeTls: edgeTlsConfig } = parsed.data;
  return deepFreeze({
    ...parsed.data,
    dataDir,
    masterKeyFile,
    sourcePathRoots: parsed.data.sourcePathRoots.map((root) => resolve(cwd, root)),
    tls:
      tlsConfig.mode === 'files'
        ? { mode: 'files', certFile: resolve(cwd, tlsConfig.certFile), keyFile: resolve(cwd, tlsConfig.keyFile) }
        : tlsConfig,
    ...(edgeTlsConfig === undefined
      ? {}
      : {
          edgeTls: {
            listen: edgeTlsConfig.listen,
            ...(edgeTlsConfig.certFile === undefined ? {} : { certFile: resolve(cwd, edgeTlsConfig.certFile) }),
            ...(edgeTlsConfig.keyFile === undefined ? {} : { keyFile: resolve(cwd, edgeTlsConfig.keyFile) }),
          },
        }),
  });
}
