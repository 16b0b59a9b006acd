/**
 * slipwayd's options for how its edge router treats clients (the peers it trusts for forwarding headers, the caps on
 * connections and the timeout of each phase), declared for the table of options, and as the edge program's flags.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import type { ConfigOption, OptionInput, RawValue } from './config-option.js';

/** `203.0.113.7`, `10.0.0.0/8`, `::1`, `fd00::/8` — what the edge's `--trusted-proxies` takes. */
function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, ...more] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || more.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 6 ? 128 : 32);
}

const hourMs = 3_600_000;
const count = (max: number) => z.number().int().min(1).max(max);

/** Each key is the edge program's flag in kebab case (`maxConnections` → `--max-connections`), and slipwayd's with `edge-`. */
const edgeClientFields = {
  maxConnections: {
    schema: count(1_000_000),
    argument: 'N',
    help: 'open client connections of the edge (default 8192)',
  },
  maxConnectionsPerAddress: {
    schema: count(1_000_000),
    argument: 'N',
    help: 'open client connections of the edge from one address, per edge process (default 512); one more is answered 429',
  },
  maxPipelinedRequests: {
    schema: count(10_000),
    argument: 'N',
    help: 'requests a client may send ahead of their answers (default 64)',
  },
  idleTimeoutMs: {
    schema: count(24 * hourMs),
    argument: 'MS',
    help: 'keep-alive connection without a request (default 75000)',
  },
  headTimeoutMs: {
    schema: count(24 * hourMs),
    argument: 'MS',
    help: 'to receive a whole request head (default 30000)',
  },
  bodyTimeoutMs: {
    schema: count(24 * hourMs),
    argument: 'MS',
    help: 'a request body that stops arriving (default 60000)',
  },
  sendTimeoutMs: {
    schema: count(24 * hourMs),
    argument: 'MS',
    help: 'a client that takes no answer byte (default 60000)',
  },
  lingerMs: {
    schema: count(24 * hourMs),
    argument: 'MS',
    help: 'after the last answer, before the connection is cut (default 5000)',
  },
  tunnelIdleTimeoutMs: {
    schema: count(7 * 24 * hourMs),
    argument: 'MS',
    help: 'a WebSocket or other upgraded tunnel with no byte either way (default 3600000)',
  },
} as const;

type EdgeClientKey = keyof typeof edgeClientFields;
const edgeClientKeys = Object.keys(edgeClientFields) as EdgeClientKey[];
const kebab = (key: string): string => key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
const screaming = (key: string): string => kebab(key).replaceAll('-', '_').toUpperCase();

const edgeClientInputs: OptionInput[] = edgeClientKeys.map((key) => ({
  flag: `edge-${kebab(key)}`,
  env: `SLIPWAY_EDGE_${screaming(key)}`,
  argument: edgeClientFields[key].argument,
  help: `${edgeClientFields[key].help}; a change is applied on start by a graceful edge handover`,
}));

/** Digits only: `Number` would take `1e3`, `0x10` or ` 5`; anything else fails the schema with its key named. */
function readEdgeClient(given: Readonly<Record<string, RawValue>>): unknown {
  const out: Record<string, number> = {};
  for (const key of edgeClientKeys) {
    const value = given[`edge-${kebab(key)}`];
    if (typeof value === 'string') out[key] = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  }
  return out;
}

export const edgeClientOptions = {
  /** Peers in front of the edge (a load balancer) whose X-Forwarded-*, X-Real-IP and Forwarded the edge keeps. */
  edgeTrustedProxies: {
    schema: z.array(z.string().refine(isAddressOrRange, 'must be an IP address or CIDR range')).max(256),
    default: [],
    inputs: [
      {
        flag: 'edge-trusted-proxy',
        env: 'SLIPWAY_EDGE_TRUSTED_PROXIES',
        argument: 'ADDR|CIDR',
        isRepeatable: true,
        help: 'a peer whose forwarding headers the edge keeps and appends to (default: none, they are replaced); a change is applied on start by a graceful edge handover',
      },
    ],
    read: (given) => given['edge-trusted-proxy'],
  } satisfies ConfigOption,
  /** The edge's caps on client connections and its client timeouts; unset ones keep the edge's defaults. */
  edgeClient: {
    schema: z
      .object(
        Object.fromEntries(edgeClientKeys.map((key) => [key, edgeClientFields[key].schema.optional()])) as {
          [K in EdgeClientKey]: z.ZodOptional<(typeof edgeClientFields)[K]['schema']>;
        },
      )
      .strict(),
    default: {},
    inputs: edgeClientInputs,
    read: readEdgeClient,
  } satisfies ConfigOption,
};

/** The edge program's flags for these options (only those set, so the edge's own defaults stand for the rest). */
export function edgeClientArgs(config: {
  readonly edgeTrustedProxies: readonly string[];
  readonly edgeClient: { readonly [K in EdgeClientKey]?: number | undefined };
}): string[] {
  const args = config.edgeTrustedProxies.length === 0 ? [] : ['--trusted-proxies', config.edgeTrustedProxies.join(',')];
  for (const key of edgeClientKeys) {
    const value = config.edgeClient[key];
    if (value !== undefined) args.push(`--${kebab(key)}`, String(value));
  }
  return args;
}
