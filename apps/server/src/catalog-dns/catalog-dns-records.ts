/**
 * The resource records the catalog's DNS answers with, shaped as Consul's (agent/dns.go): every TTL 0 (Consul's
 * `node_ttl` and `service_ttl` defaults), the zone's SOA, address records (a CNAME for a host name), SRV records
 * with their `.node.` or `.addr.` targets, and a node's meta as TXT.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Answer } from 'dns-packet';
import { catalogDnsDomain } from './catalog-dns-name.js';

/** Consul's `node_ttl` and `service_ttl` default: answers are never cached. */
const ttlSeconds = 0;
/** A character-string holds at most 255 bytes (RFC 1035 §3.3). */
const maxTxtStringBytes = 255;

/** The record types the catalog answers, by their codes (RFC 1035 §3.2.2, RFC 3596, RFC 2782, RFC 6891, RFC 1995). */
export const dnsType = {
  a: 1,
  ns: 2,
  cname: 5,
  soa: 6,
  txt: 16,
  aaaa: 28,
  srv: 33,
  opt: 41,
  ixfr: 251,
  axfr: 252,
  mailb: 253,
  maila: 254,
  any: 255,
} as const;

/**
 * The zone's SOA (`consul. IN SOA ns.consul. hostmaster.consul. <unix-time> 3600 600 86400 0`), put in the Authority
 * section of an NXDOMAIN and of an answer without records of the asked type.
 */
export const soaRecord = (nowMs: number): Answer => ({
  type: 'SOA',
  name: catalogDnsDomain,
  ttl: ttlSeconds,
  class: 'IN',
  data: {
    mname: `ns.${catalogDnsDomain}`,
    rname: `hostmaster.${catalogDnsDomain}`,
    serial: Math.floor(nowMs / 1000) >>> 0,
    refresh: 3600,
    retry: 600,
    expire: 86400,
    minimum: ttlSeconds,
  },
});

/** An address that is neither an IP address nor a host name a DNS message can carry is `none`: never answered. */
export type AddressFamily = 4 | 6 | 'name' | 'none';

/**
 * Whether a DNS message can carry `address` as a name (RFC 1035 §2.3.4): labels of 1 to 63 printable ASCII bytes
 * (no space, no dot inside), 253 bytes in all, a final dot allowed. A longer label would be written as a length byte
 * over 63, which resolvers read as a compression pointer: the whole answer undecodable.
 */
const isHostName = (address: string): boolean => {
  const name = address.endsWith('.') ? address.slice(0, -1) : address;
  return (
    name.length > 0 &&
    name.length <= 253 &&
    name.split('.').every((label) => /^[\x21-\x2d\x2f-\x7e]{1,63}$/.test(label))
  );
};

/** Whether an address is IPv4, IPv6, a host name, or none of them (a service may be registered with any text). */
export const familyOf = (address: string): AddressFamily =>
  isIPv4(address) ? 4 : isIPv6(address) ? 6 : isHostName(address) ? 'name' : 'none';

/**
 * The record for an address under `name` when a question of `type` asks for it: A for IPv4 (A, ANY), AAAA for IPv6
 * (AAAA, ANY), a CNAME for a host name (A, AAAA, ANY); undefined otherwise.
 */
export const addressRecord = (name: string, address: string, type: number): Answer | undefined => {
  const family = familyOf(address);
  const isAddressQuestion = type === dnsType.a || type === dnsType.aaaa || type === dnsType.any;
  if (family === 4 && (type === dnsType.a || type === dnsType.any)) {
    return { type: 'A', name, ttl: ttlSeconds, class: 'IN', data: address };
  }
  if (family === 6 && (type === dnsType.aaaa || type === dnsType.any)) {
    // A zone (`fe80::1%eth0`) means nothing off this host, and would be encoded as part of the address.
    return { type: 'AAAA', name, ttl: ttlSeconds, class: 'IN', data: address.split('%')[0] ?? address };
  }
  if (family === 'name' && isAddressQuestion && address !== '') {
    return { type: 'CNAME', name, ttl: ttlSeconds, class: 'IN', data: address };
  }
  return undefined;
};

/** The 16 bytes of an IPv6 address in text form (`::` and an embedded IPv4 tail allowed). */
const ipv6Bytes = (address: string): number[] => {
  let text = address.split('%')[0] ?? '';
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail?.[1] !== undefined) {
    const octets = v4Tail[1].split('.').map(Number);
    const high = ((octets[0] ?? 0) << 8) | (octets[1] ?? 0);
    const low = ((octets[2] ?? 0) << 8) | (octets[3] ?? 0);
    text = `${text.slice(0, -v4Tail[1].length)}${high.toString(16)}:${low.toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16)));
  const headGroups = groupsOf(head);
  const tailGroups = tail === undefined ? [] : groupsOf(tail);
  const groups = [...headGroups, ...Array<number>(8 - headGroups.length - tailGroups.length).fill(0), ...tailGroups];
  return groups.flatMap((group) => [group >> 8, group & 0xff]);
};

/**
 * The hex label Consul gives an address in `<hex>.addr.<dc>.consul.` (4 bytes for IPv4, e.g. `c000020a` for
 * 192.0.2.10; 16 for IPv6).
 */
export const hexOfAddress = (address: string): string => {
  const bytes = familyOf(address) === 4 ? address.split('.').map(Number) : ipv6Bytes(address);
  return bytes.map((byte) => byte.toString(16).padStart(2, '0')).join('');
};

/** An SRV record (priority 1, Consul's) for a target. */
export const srvRecord = (name: string, target: string, port: number, weight: number): Answer => ({
  type: 'SRV',
  name,
  ttl: ttlSeconds,
  class: 'IN',
  data: { priority: 1, weight, port, target },
});

/** A node's meta as TXT records (`key=value`, one record per key, sorted); none for a node without meta. */
export const metaTxtRecords = (name: string, meta: Readonly<Record<string, string>>): Answer[] =>
  Object.keys(meta)
    .sort()
    .map((key) => {
      const text = Buffer.from(`${key}=${meta[key] ?? ''}`, 'utf8');
      const strings: Buffer[] = [];
      for (let at = 0; at < text.length; at += maxTxtStringBytes) {
        strings.push(text.subarray(at, at + maxTxtStringBytes));
      }
      return { type: 'TXT', name, ttl: ttlSeconds, class: 'IN', data: strings };
    });

/** An NS record naming the node that serves the zone. */
export const nsRecord = (name: string, target: string): Answer => ({
  type: 'NS',
  name,
  ttl: ttlSeconds,
  class: 'IN',
  data: target,
});
