/**
 * A log drain's URL: which kind of drain it names, what of it may be shown, and which of its parts are secret. A URL
 * that is not one of the four schemes, lacks a host or (for syslog) carries a path, query or user is refused before
 * anything is stored; no message here ever repeats a URL's user, password, path or query.
 */
import { SlipwayError } from '@slipway/contract';
import type { LogDrainKind } from './log-records.js';

export interface CheckedDrainUrl {
  kind: LogDrainKind;
  /** Scheme, host and port only: what may be shown and logged. */
  destination: string;
  isTls: boolean;
}

const invalid = (message: string): SlipwayError =>
  new SlipwayError('LOG_DRAIN_INVALID', message, { details: { field: 'url' } });

/** Default ports: syslog over TLS (RFC 5425) and over TCP (RFC 6587 practice). */
const syslogPorts: Record<string, number> = { 'syslog+tls:': 6514, 'syslog:': 514 };

/** Errors: `LOG_DRAIN_INVALID`. */
export function checkLogDrainUrl(raw: string, caPem?: string): CheckedDrainUrl {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('the drain URL is not a valid absolute URL');
  }
  const scheme = url.protocol;
  if (!['syslog+tls:', 'syslog:', 'https:', 'http:'].includes(scheme)) {
    throw invalid('the drain URL must use syslog+tls://, syslog:// (TCP), https:// or http://');
  }
  if (url.hostname === '') throw invalid('the drain URL has no host');
  if (url.hash !== '') throw invalid('the drain URL must not carry a #fragment');
  const kind: LogDrainKind = scheme.startsWith('syslog') ? 'syslog' : 'http';
  if (kind === 'syslog') {
    const hasPath = url.pathname !== '' && url.pathname !== '/';
    if (hasPath || url.search !== '' || url.username !== '' || url.password !== '') {
      throw invalid('a syslog drain URL is syslog+tls://host:port or syslog://host:port, with no user, path or query');
    }
  }
  const isTls = scheme === 'syslog+tls:' || scheme === 'https:';
  if (caPem !== undefined) {
    if (!isTls) throw invalid('a certificate authority goes with a syslog+tls:// or https:// drain only');
    if (!/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/u.test(caPem)) {
      throw new SlipwayError('LOG_DRAIN_INVALID', 'the certificate authority is not a PEM certificate', {
        details: { field: 'caPem' },
      });
    }
  }
  const port = url.port === '' ? syslogPorts[scheme] : undefined;
  const host = port === undefined ? url.host : `${url.host}:${port}`;
  return { kind, destination: `${scheme}//${host}`, isTls };
}

/**
 * The parts of a drain URL a receiver's answer or a library's message might echo back: the whole URL, its password
 * and user, and each query value. What the shipper logs or stores is masked of these.
 */
export function secretPartsOfDrainUrl(raw: string): string[] {
  const parts = [raw];
  try {
    const url = new URL(raw);
    parts.push(decodeURIComponent(url.password), decodeURIComponent(url.username), url.password, url.username);
    for (const value of url.searchParams.values()) parts.push(value);
    if (url.search !== '') parts.push(url.search.slice(1));
  } catch {
    // A URL that does not parse was refused when the drain was added; the whole text is masked all the same.
  }
  return parts.filter((part) => part !== '');
}
