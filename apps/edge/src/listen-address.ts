/** Parses and prints `HOST:PORT` listen addresses (IPv6 hosts in brackets). */
import { SlipwayError } from './slipway-error.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const port = match === null ? Number.NaN : Number(match[3]);
  const host = match?.[1] ?? match?.[2];
  if (host === undefined || !Number.isInteger(port) || port > 65_535) {
    throw new SlipwayError(
      'VALIDATION_FAILED',
      `Listen address "${text}" is not HOST:PORT (e.g. 127.0.0.1:8080, 0.0.0.0:80 or [::1]:8080).`,
    );
  }
  return { host, port };
}

export function formatListenAddress(address: ListenAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
