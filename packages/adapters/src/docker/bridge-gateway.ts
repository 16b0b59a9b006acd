/** Finds the address at which containers on the engine's default bridge network reach the engine's host. */
import { networkInterfaces } from 'node:os';
import { engineError, type DockerEngine } from './docker-engine.js';

interface IpamConfig {
  Subnet?: string;
  Gateway?: string;
}

/**
 * The default bridge's IPv4 gateway: its IPAM `Gateway` when the engine reports one, else this machine's address
 * inside the bridge subnet (engines often report only the subnet; the gateway is the `docker0` address), else the
 * subnet's first host address (the engine's default choice). Errors: `RUNTIME_UNAVAILABLE`, `RUNTIME_ERROR` (no IPv4
 * bridge).
 */
export async function findBridgeGateway(engine: DockerEngine): Promise<string> {
  let configs: IpamConfig[];
  try {
    const network = (await engine.client.getNetwork('bridge').inspect()) as { IPAM?: { Config?: IpamConfig[] } };
    configs = network.IPAM?.Config ?? [];
  } catch (error) {
    throw engineError(error, 'inspecting the bridge network');
  }
  for (const config of configs) if (config.Gateway !== undefined && isIpv4(config.Gateway)) return config.Gateway;
  for (const config of configs) {
    const subnet = config.Subnet === undefined ? undefined : parseIpv4Subnet(config.Subnet);
    if (subnet === undefined) continue;
    const local = Object.values(networkInterfaces())
      .flat()
      .find((address) => address?.family === 'IPv4' && isInSubnet(address.address, subnet));
    return local?.address ?? formatIpv4((subnet.network + 1) >>> 0);
  }
  throw engineError(new Error('the bridge network has no IPv4 subnet'), 'finding the bridge gateway');
}

function isIpv4(text: string): boolean {
  return parseIpv4(text) !== undefined;
}

function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) return undefined;
  return parts.reduce((value, part) => ((value << 8) | Number(part)) >>> 0, 0);
}

function parseIpv4Subnet(text: string): { network: number; mask: number } | undefined {
  const [address = '', bitsText = ''] = text.split('/');
  const value = parseIpv4(address);
  const bits = Number(bitsText);
  if (value === undefined || !Number.isInteger(bits) || bits < 1 || bits > 30) return undefined;
  const mask = (0xffffffff << (32 - bits)) >>> 0;
  return { network: (value & mask) >>> 0, mask };
}

function isInSubnet(text: string, subnet: { network: number; mask: number }): boolean {
  const value = parseIpv4(text);
  return value !== undefined && (value & subnet.mask) >>> 0 === subnet.network;
}

function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
}
