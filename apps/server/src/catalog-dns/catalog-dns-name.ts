/**
 * What a name under `consul.` asks for, read as Consul's DNS reads it (agent/dns.go, `dispatch`): the label before
 * the domain (or an optional datacenter) names the kind — `service`, `node` or `addr` — and the labels before it the
 * subject; an SRV question whose label starts with `_` is an RFC 2782 service name without the `service` label.
 * Matching is case-insensitive: every part comes back in lower case.
 */

/** The catalog's DNS domain (Consul's default `domain`). */
export const catalogDnsDomain = 'consul';

/** The SRV record type (RFC 2782). */
const srvType = 33;

export type CatalogDnsLookup =
  /** Not under `consul.`: refused, as Consul does without recursors. */
  | { kind: 'outside' }
  /** Under `consul.` but no name the catalog serves: NXDOMAIN. */
  | { kind: 'invalid' }
  /** `consul.` itself. */
  | { kind: 'domain' }
  /** `[tag.]<service>.service[.<dc>]`, `_<service>._<tag>[.service][.<dc>]` (`_tcp`: no tag). */
  | { kind: 'service'; service: string; tag: string | undefined; datacenter: string | undefined }
  /** `<node>.node[.<dc>]` (a node name may hold dots). */
  | { kind: 'node'; node: string; datacenter: string | undefined }
  /** `<hex>.addr[.<dc>]`: an address encoded in hex, 8 digits for IPv4, 32 for IPv6. */
  | { kind: 'addr'; address: string; family: 4 | 6; datacenter: string | undefined };

const kinds = new Set(['service', 'node', 'addr']);
const hexDigits = /^[0-9a-f]+$/;

/** The address a `.addr.` label encodes; undefined when it encodes none. */
const addressOfHex = (hex: string): { address: string; family: 4 | 6 } | undefined => {
  if (!hexDigits.test(hex)) return undefined;
  if (hex.length === 8) {
    const octets = [0, 2, 4, 6].map((at) => Number.parseInt(hex.slice(at, at + 2), 16));
    return { address: octets.join('.'), family: 4 };
  }
  if (hex.length === 32) {
    const groups = [0, 4, 8, 12, 16, 20, 24, 28].map((at) => Number.parseInt(hex.slice(at, at + 4), 16).toString(16));
    return { address: groups.join(':'), family: 6 };
  }
  return undefined;
};

/**
 * Reads a question's labels (root excluded) for a question of `type`. A datacenter label is returned as given: the
 * caller compares it with its own.
 */
export const parseCatalogDnsName = (labels: readonly string[], type: number): CatalogDnsLookup => {
  const lower = labels.map((label) => label.toLowerCase());
  if (lower.at(-1) !== catalogDnsDomain) return { kind: 'outside' };
  const inner = lower.slice(0, -1);
  if (inner.length === 0) return { kind: 'domain' };

  let kindAt = -1;
  let kind: string | undefined;
  for (let at = inner.length - 1; at >= 0; at -= 1) {
    const label = inner[at] ?? '';
    if (kinds.has(label)) {
      kindAt = at;
      kind = label;
      break;
    }
    // The `service` label is optional for an RFC 2782 SRV name: `_web._tcp.consul`.
    if (type === srvType && label.startsWith('_')) {
      kindAt = at + 1;
      kind = 'service';
      break;
    }
  }
  if (kind === undefined) return { kind: 'invalid' };
  const parts = inner.slice(0, kindAt);
  const suffixes = inner.slice(kind === 'service' && inner[kindAt] !== 'service' ? kindAt : kindAt + 1);
  if (suffixes.length > 1 || parts.length === 0) return { kind: 'invalid' };
  const datacenter = suffixes[0];

  if (kind === 'node') return { kind: 'node', node: parts.join('.'), datacenter };
  if (kind === 'addr') {
    const [hex] = parts;
    const decoded = parts.length === 1 && hex !== undefined ? addressOfHex(hex) : undefined;
    return decoded === undefined ? { kind: 'invalid' } : { kind: 'addr', ...decoded, datacenter };
  }
  const [first, second] = parts;
  if (parts.length === 2 && first?.startsWith('_') === true && second?.startsWith('_') === true) {
    const tag = second.slice(1);
    const service = first.slice(1);
    if (service === '' || tag === '') return { kind: 'invalid' };
    return { kind: 'service', service, tag: tag === 'tcp' ? undefined : tag, datacenter };
  }
  const service = parts.at(-1) ?? '';
  // Consul 0.3's form: every label before the service is one tag, dots included.
  const tag = parts.length >= 2 ? parts.slice(0, -1).join('.') : undefined;
  return { kind: 'service', service, tag, datacenter };
};
