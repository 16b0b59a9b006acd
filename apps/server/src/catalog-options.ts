/**
 * slipwayd's options for the service catalog (docs/catalog.md): its Consul-compatible HTTP listener, its DNS
 * listener, the datacenter it names itself, script checks, and what may be read without a token.
 */
import { z } from 'zod';
import { address, option, parseAddress, text, type RawValue } from './config-option.js';

/** An address, or `off` for a listener that is not opened. */
const addressOrOff = z.union([address, z.literal('off')]);
const addressOrOffOf = (flag: string) => (given: Readonly<Record<string, RawValue>>, name: (f: string) => string) => {
  const value = text(given, flag);
  if (value === undefined || value === 'off') return value;
  return parseAddress(value, name(flag));
};

export const catalogOptions = {
  /** The catalog's Consul-compatible HTTP API (KV, agent, catalog, health, status, sessions, txn). */
  catalogHttp: option({
    schema: addressOrOff,
    default: { host: '127.0.0.1', port: 8500 },
    inputs: [
      {
        flag: 'catalog-http',
        env: 'SLIPWAY_CATALOG_HTTP',
        argument: 'HOST:PORT',
        help: "the catalog's Consul-compatible HTTP API, or off (default 127.0.0.1:8500)",
      },
    ],
    read: addressOrOffOf('catalog-http'),
  }),
  /** The catalog's DNS interface, on UDP and TCP at the same address. */
  dns: option({
    schema: addressOrOff,
    default: { host: '127.0.0.1', port: 8600 },
    inputs: [
      {
        flag: 'dns',
        env: 'SLIPWAY_DNS',
        argument: 'HOST:PORT',
        help: "the catalog's DNS interface (UDP and TCP), or off (default 127.0.0.1:8600)",
      },
    ],
    read: addressOrOffOf('dns'),
  }),
  /** The datacenter the catalog names itself (`?dc=` of any other is `No path to datacenter`). */
  datacenter: option({
    schema: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'),
    default: 'dc1',
    inputs: [
      {
        flag: 'datacenter',
        env: 'SLIPWAY_DATACENTER',
        argument: 'NAME',
        help: "the catalog's datacenter (default dc1)",
      },
    ],
  }),
  /** Script checks run commands on this host as slipwayd: off unless asked for (Consul's `enable_script_checks`). */
  enableScriptChecks: option({
    schema: z.boolean(),
    default: false,
    inputs: [
      {
        flag: 'enable-script-checks',
        env: 'SLIPWAY_ENABLE_SCRIPT_CHECKS',
        help: 'let the catalog register script checks (commands run on this host as slipwayd; admins only); off by default',
      },
    ],
    read: (given) => (given['enable-script-checks'] === true ? true : undefined),
  }),
  /**
   * What the catalog answers without a token: `none`; `health` (health endpoints, status and DNS, the default); or
   * `all` reads (KV included). Writes always need a token granted them.
   */
  catalogAnonymousRead: option({
    schema: z.enum(['none', 'health', 'all']),
    default: 'health',
    inputs: [
      {
        flag: 'catalog-anonymous-read',
        env: 'SLIPWAY_CATALOG_ANONYMOUS_READ',
        argument: 'WHAT',
        help: 'what the catalog answers without a token: none, health (health, status and DNS; default) or all reads',
      },
    ],
  }),
};
