/**
 * The peers whose forwarding fields (X-Forwarded-*, X-Real-IP, Forwarded) the router believes: addresses and CIDR
 * ranges, IPv4 and IPv6, given by the operator (`--trusted-proxies`). None by default: every client is its own peer.
 */
import { BlockList, isIP } from 'node:net';
import { SlipwayError } from './slipway-error.js';

export interface TrustedProxies {
  /** Whether a connection from `address` (as `socket.remoteAddress` gives it, IPv4-mapped stripped) is trusted. */
  has(address: string): boolean;
}

export const noTrustedProxies: TrustedProxies = { has: () => false };

/** `entries` are `203.0.113.7`, `10.0.0.0/8`, `::1` or `fd00::/8`; anything else is refused. */
export function createTrustedProxies(entries: readonly string[]): TrustedProxies {
  if (entries.length === 0) return noTrustedProxies;
  const list = new BlockList();
  for (const entry of entries) {
    const slash = entry.indexOf('/');
    const address = slash === -1 ? entry : entry.slice(0, slash);
    const version = isIP(address);
    const type = version === 6 ? 'ipv6' : 'ipv4';
    const prefix = slash === -1 ? (version === 6 ? 128 : 32) : Number(entry.slice(slash + 1));
    const maxPrefix = version === 6 ? 128 : 32;
    if (version === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix || entry.endsWith('/')) {
      throw new SlipwayError('VALIDATION_FAILED', `trusted proxy ${entry} is not an IP address or CIDR range`);
    }
    list.addSubnet(address, prefix, type);
  }
  return {
    has: (address) => {
      const version = isIP(address);
      return version !== 0 && list.check(address, version === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

/** `--trusted-proxies 10.0.0.0/8,127.0.0.1`: comma-separated, spaces allowed. */
export function parseTrustedProxies(text: string): TrustedProxies {
  return createTrustedProxies(
    text
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== ''),
  );
}
