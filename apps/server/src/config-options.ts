/**
 * slipwayd's options, declared once: each config key with its schema, its default and the inputs that set it (a flag
 * and a `SLIPWAY_*` variable each, with the help line). `config.ts` derives from this table the config-file schema,
 * the defaults, the flags, the environment variables and `--help`.
 */
import { hostname } from 'node:os';
import { delimiter } from 'node:path';
import { z } from 'zod';
import { edgeClientOptions } from './edge-client-options.js';
import { catalogOptions } from './catalog-options.js';
import { gitReconcileOptions } from './git-reconcile-options.js';
import { gitPreviewOptions } from './git-preview-options.js';
import { notificationOptions } from './notification-options.js';
import { domainOptions } from './domain-options.js';
import { alertOptions } from './alert-options.js';
import { metricsHistoryOptions } from './metrics-history-options.js';
import { tracingOptions } from './tracing-options.js';
import { dashboardOptions } from './dashboard-options.js';
import { logOptions } from './log-options.js';
import { runtimeOptions } from './runtime-options.js';
import { defaultRateLimitConfig, rateLimitConfigSchema } from './rate-limit-config.js';
import { option, address, text, addressOf, numberOf, readTls, readEdgeTls, type OptionInput } from './config-option.js';

export type { ConfigOption, OptionInput, RawValue } from './config-option.js';

export const configOptions = {
  dataDir: option({
    schema: z.string().min(1),
    default: '.slipway',
    inputs: [
      { flag: 'data-dir', env: 'SLIPWAY_DATA_DIR', argument: 'DIR', help: 'state directory (default .slipway)' },
    ],
  }),
  api: option({
    schema: address,
    default: { host: '127.0.0.1', port: 7070 },
    inputs: [{ flag: 'api', env: 'SLIPWAY_API', argument: 'HOST:PORT', help: 'API address (default 127.0.0.1:7070)' }],
    read: addressOf('api'),
  }),
  edge: option({
    schema: address,
    default: { host: '127.0.0.1', port: 8080 },
    inputs: [
      {
        flag: 'edge',
        env: 'SLIPWAY_EDGE',
        argument: 'HOST:PORT',
        help: 'edge router address (default 127.0.0.1:8080)',
      },
    ],
    read: addressOf('edge'),
  }),
  /** Edge router processes serving traffic: a number, or `auto` for one per core. */
  edgeWorkers: option({
    schema: z.union([z.number().int().min(1).max(256), z.literal('auto')]),
    default: 1,
    inputs: [
      {
        flag: 'edge-workers',
        env: 'SLIPWAY_EDGE_WORKERS',
        argument: 'N',
        help: 'edge router processes, or auto for one per core (default 1); a change is applied on start by a graceful edge handover',
      },
    ],
    // `auto` as it is; anything else as a number (the schema checks its range).
    read: (given) => {
      const value = text(given, 'edge-workers');
      return value === undefined || value === 'auto' ? value : Number(value);
    },
  }),
  nodeName: option({
    schema: z.string().min(1).max(63),
    default: hostname().split('.')[0] ?? 'local',
    inputs: [
      {
        flag: 'node-name',
        env: 'SLIPWAY_NODE_NAME',
        argument: 'NAME',
        help: "this node's name (default: the host name)",
      },
    ],
  }),
  logLevel: option({
    schema: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
    default: 'info',
    inputs: [
      {
        flag: 'log-level',
        env: 'SLIPWAY_LOG_LEVEL',
        argument: 'LEVEL',
        help: 'trace|debug|info|warn|error (default info)',
      },
    ],
  }),
  /** Ports handed to process instances as `PORT`. */
  instancePorts: option({
    schema: z
      .object({ from: z.number().int().min(1024).max(65_535), to: z.number().int().min(1024).max(65_535) })
      .refine((r) => r.from <= r.to, 'from must be ≤ to'),
    default: { from: 20_000, to: 29_999 },
    inputs: [
      {
        flag: 'instance-ports',
        env: 'SLIPWAY_INSTANCE_PORTS',
        argument: 'FROM-TO',
        help: 'ports handed to process instances as PORT (default 20000-29999)',
      },
    ],
    read: (given) => {
      const value = text(given, 'instance-ports');
      if (value === undefined) return undefined;
      const [from, to] = value.split('-').map(Number);
      return { from: from ?? NaN, to: to ?? NaN };
    },
  }),
  releaseRetention: option({
    schema: z.number().int().min(1).max(1000),
    default: 10,
    inputs: [
      {
        flag: 'release-retention',
        env: 'SLIPWAY_RELEASE_RETENTION',
        argument: 'N',
        help: 'releases kept per app environment (default 10)',
      },
    ],
    read: numberOf('release-retention'),
  }),
  buildConcurrency: option({
    schema: z.number().int().min(1).max(64),
    default: 1,
    inputs: [
      {
        flag: 'build-concurrency',
        env: 'SLIPWAY_BUILD_CONCURRENCY',
        argument: 'N',
        help: 'builds at once (default 1)',
      },
    ],
    read: numberOf('build-concurrency'),
  }),
  maxArchiveBytes: option({ schema: z.number().int().min(1024), default: 512 * 1024 * 1024 }),
  /** The build cache's cap (installed dependencies kept between builds, `<dataDir>/cache/builds`); 0 turns it off. */
  buildCacheMaxBytes: option({ schema: z.number().int().min(0), default: 2 * 1024 * 1024 * 1024 }),
  drainMs: option({
    schema: z.number().int().min(0).max(600_000),
    default: 1_000,
    inputs: [
      {
        flag: 'drain-ms',
        env: 'SLIPWAY_DRAIN_MS',
        argument: 'MS',
        help: 'how long a retired instance keeps its connections after leaving the router (default 1000)',
      },
    ],
    read: numberOf('drain-ms'),
  }),
  /** Between two evaluations of the autoscaler (docs/autoscaling.md); the HPA's sync period is 15 s. */
  autoscaleIntervalMs: option({
    schema: z.number().int().min(100).max(600_000),
    default: 15_000,
    inputs: [
      {
        flag: 'autoscale-interval-ms',
        env: 'SLIPWAY_AUTOSCALE_INTERVAL_MS',
        argument: 'MS',
        help: 'between two evaluations of the autoscaler (default 15000)',
      },
    ],
    read: numberOf('autoscale-interval-ms'),
  }),
  /** Deadline of one call to a runtime (list, inspect, stop beyond its grace, …): a hung engine holds nothing longer. */
  runtimeCallTimeoutMs: option({
    schema: z.number().int().min(100).max(600_000),
    default: 30_000,
    inputs: [
      {
        flag: 'runtime-call-timeout-ms',
        env: 'SLIPWAY_RUNTIME_CALL_TIMEOUT_MS',
        argument: 'MS',
        help: 'deadline of one call to a runtime engine (default 30000)',
      },
    ],
    read: numberOf('runtime-call-timeout-ms'),
  }),
  /** How long an event stream's client may take nothing (its socket backed up) before slipwayd disconnects it. */
  streamStallTimeoutMs: option({
    schema: z.number().int().min(1).max(3_600_000),
    default: 60_000,
    inputs: [
      {
        flag: 'stream-stall-timeout-ms',
        env: 'SLIPWAY_STREAM_STALL_TIMEOUT_MS',
        argument: 'MS',
        help: 'disconnect an event stream (followed logs, deployment events) whose client reads nothing for this long (default 60000)',
      },
    ],
    read: numberOf('stream-stall-timeout-ms'),
  }),
  defaultDomain: option({ schema: z.string().min(1), default: 'localhost' }),
  /**
   * The master key file (base64 of 32 bytes, mode 0600), created with a new key when absent; unused when
   * `SLIPWAY_MASTER_KEY` is set. Resolved to `<dataDir>/master.key` when not given.
   */
  masterKeyFile: option({
    schema: z.string().min(1).optional(),
    inputs: [
      {
        flag: 'master-key-file',
        env: 'SLIPWAY_MASTER_KEY_FILE',
        argument: 'F',
        help: "key that wraps the secrets' data keys (default DATA_DIR/master.key, created with mode 0600); SLIPWAY_MASTER_KEY gives the key itself",
      },
    ],
  }),
  /** Audit records older than this are pruned (the chain stays verifiable from a checkpoint). */
  auditRetentionDays: option({ schema: z.number().int().min(1).max(36_500), default: 365 }),
  /** Token buckets per route class and the failed-login throttle (see rate-limit-config.ts). */
  rateLimits: option({ schema: rateLimitConfigSchema, default: defaultRateLimitConfig }),
  /**
   * How the API is served: plain HTTP (`off`, loopback only unless `insecureHttpOnPublicInterface`), TLS with a
   * self-signed certificate generated into `<dataDir>/tls/` for localhost, or TLS with the operator's PEM files.
   */
  tls: option({
    schema: z.union([
      z.object({ mode: z.literal('off') }),
      z.object({ mode: z.literal('self-signed') }),
      z.object({ mode: z.literal('files'), certFile: z.string().min(1), keyFile: z.string().min(1) }),
    ]),
    default: { mode: 'off' },
    inputs: [
      {
        flag: 'tls',
        env: 'SLIPWAY_TLS',
        argument: 'MODE',
        help: 'self-signed: serve the API over TLS with a certificate for localhost generated into DATA_DIR/tls; off (default)',
      },
      {
        flag: 'tls-cert',
        env: 'SLIPWAY_TLS_CERT',
        argument: 'FILE',
        help: 'serve the API over TLS with this PEM certificate (chain) and --tls-key',
      },
      { flag: 'tls-key', env: 'SLIPWAY_TLS_KEY', argument: 'FILE', help: 'the private key of --tls-cert, mode 0600' },
    ],
    read: readTls,
  }),
  /** The escape hatch that lets the API listen on a non-loopback address without TLS (credentials in clear). */
  insecureHttpOnPublicInterface: option({
    schema: z.boolean(),
    default: false,
    inputs: [
      {
        flag: 'insecure-http-on-public-interface',
        env: 'SLIPWAY_INSECURE_HTTP_ON_PUBLIC_INTERFACE',
        help: 'let the API listen on a non-loopback address over plain HTTP, sending credentials in clear; without it slipwayd refuses',
      },
    ],
    read: (given) => (given['insecure-http-on-public-interface'] === true ? true : undefined),
  }),
  /** Origins a browser may call the API from (exact `scheme://host[:port]`); empty: CORS closed. */
  corsOrigins: option({
    schema: z.array(z.string().url().max(2048)).max(64),
    default: [],
    inputs: [
      {
        flag: 'cors-origin',
        env: 'SLIPWAY_CORS_ORIGINS',
        argument: 'ORIGIN',
        isRepeatable: true,
        help: 'allow browsers on ORIGIN (https://host[:port]) to call the API (default: none)',
      },
    ],
    read: (given) => given['cors-origin'],
  }),
  /**
   * Directories under which any deployer may name a local source (`path`, or a local git repository); empty: only
   * the owner deploys local directories. Never the data dir, whatever is listed.
   */
  sourcePathRoots: option({
    schema: z.array(z.string().min(1).max(4096)).max(64),
    default: [],
    inputs: [
      {
        flag: 'source-path-root',
        env: 'SLIPWAY_SOURCE_PATH_ROOTS',
        argument: 'DIR',
        isRepeatable: true,
        separator: delimiter,
        help: 'let any deployer deploy local directories (and local git repositories) under DIR (default: none, only the owner)',
      },
    ],
  }),
  /** Registries an `image:` may be pulled from (`host[:port]`; `docker.io` for references naming none). */
  imageRegistries: option({
    schema: z.array(z.string().regex(/^[a-z0-9.-]+(:\d{1,5})?$/i, 'must be host[:port]')).max(64),
    default: ['docker.io'],
    inputs: [
      {
        flag: 'image-registry',
        env: 'SLIPWAY_IMAGE_REGISTRIES',
        argument: 'HOST[:PORT]',
        isRepeatable: true,
        help: 'a registry images may be pulled from (default docker.io)',
      },
    ],
  }),
  ...runtimeOptions,
  /**
   * The edge router's HTTPS listener beside its plain one, with the operator's PEM files or, when none are given,
   * the self-signed certificate of `<dataDir>/tls/`.
   */
  edgeTls: option({
    schema: z
      .object({ listen: address, certFile: z.string().min(1).optional(), keyFile: z.string().min(1).optional() })
      .refine(
        (t) => (t.certFile === undefined) === (t.keyFile === undefined),
        'give both certFile and keyFile, or neither',
      )
      .optional(),
    inputs: [
      {
        flag: 'edge-tls',
        env: 'SLIPWAY_EDGE_TLS',
        argument: 'HOST:PORT',
        help: 'an HTTPS listener for the edge router beside the plain one; a change is applied on start by a graceful edge handover',
      },
      {
        flag: 'edge-tls-cert',
        env: 'SLIPWAY_EDGE_TLS_CERT',
        argument: 'FILE',
        help: "the edge's PEM certificate (default: the self-signed one of DATA_DIR/tls)",
      },
      { flag: 'edge-tls-key', env: 'SLIPWAY_EDGE_TLS_KEY', argument: 'FILE', help: "the edge certificate's key" },
    ],
    read: readEdgeTls,
  }),
  ...notificationOptions,
  ...domainOptions,
  ...alertOptions,
  ...metricsHistoryOptions,
  ...logOptions,
  ...catalogOptions,
  ...gitReconcileOptions,
  ...gitPreviewOptions,
  ...edgeClientOptions,
  ...tracingOptions,
  ...dashboardOptions,
};

/** The config file's own input (read before the others, it is not a key of the file). */
export const configFileInput: OptionInput = {
  flag: 'config',
  env: 'SLIPWAY_CONFIG',
  argument: 'FILE',
  help: 'YAML or JSON config file',
};
