/**
 * The catalog's DNS, transport-free: one query message in, one response message out (or nothing, for what is not a
 * query). It reads the query, parses the name, answers from the catalog, and encodes for the transport's limits;
 * the UDP and TCP servers only move bytes. Every query is counted through `onQuery`.
 */
import type { Clock, Logger } from '@slipway/core';
import { answerCatalogLookup, type CatalogDnsAnswer, type CatalogDnsSource } from './catalog-dns-answer.js';
import { parseCatalogDnsName, type CatalogDnsLookup } from './catalog-dns-name.js';
import { dnsType } from './catalog-dns-records.js';
import { encodeDnsAnswer, encodeDnsRejection, type DnsRcode, type EncodedDnsResponse } from './catalog-dns-response.js';
import { readDnsQuery } from './dns-query.js';

/** Consul's `udp_answer_limit` default, and the most it may be set to. */
export const defaultUdpAnswerLimit = 3;
export const maxUdpAnswerLimit = 8;

export type DnsTransport = 'udp' | 'tcp';

/** One answered query, for metrics: never the name asked (it may be anything a client sends). */
export interface CatalogDnsQueryEvent {
  transport: DnsTransport;
  /** What the name asked for (`malformed`: the message could not be read as a query). */
  kind: CatalogDnsLookup['kind'] | 'malformed';
  rcode: DnsRcode;
}

export interface CatalogDnsResolverOptions {
  catalog: CatalogDnsSource;
  clock: Pick<Clock, 'nowMs'>;
  logger: Logger;
  /** `none` refuses every query (`--catalog-anonymous-read none`): DNS carries no token. */
  anonymousRead: 'none' | 'health' | 'all';
  /** UDP answers at most when the client allows only 512 bytes (default 3, at most 8). */
  udpAnswerLimit?: number;
  /** Set TC on a trimmed UDP answer (Consul's `enable_truncate`; off by default, as Consul). */
  isTruncationFlagged?: boolean;
  /** Called once per answered query (metrics). */
  onQuery?: (event: CatalogDnsQueryEvent) => void;
  /** A number in [0, 1), for shuffling answers (default `Math.random`). */
  random?: () => number;
}

export interface CatalogDnsResolver {
  /** The response to one message, or undefined when nothing is to be sent back. */
  respond(message: Buffer, transport: DnsTransport): Buffer | undefined;
}

/** Question types that name transfers or mailbox groups, not records (RFC 1035 §3.2.3, RFC 1995): not implemented. */
const unsupportedTypes = new Set<number>([dnsType.ixfr, dnsType.axfr, dnsType.mailb, dnsType.maila, dnsType.opt]);

const refused: CatalogDnsAnswer = { rcode: 'REFUSED', answers: [], authorities: [], additionals: [] };

export const createCatalogDnsResolver = (options: CatalogDnsResolverOptions): CatalogDnsResolver => {
  const udpAnswerLimit = Math.min(Math.max(options.udpAnswerLimit ?? defaultUdpAnswerLimit, 1), maxUdpAnswerLimit);
  const isTruncationFlagged = options.isTruncationFlagged ?? false;
  const random = options.random ?? Math.random;
  const count = (event: CatalogDnsQueryEvent) => {
    try {
      options.onQuery?.(event);
    } catch (error) {
      options.logger.warn({ err: error }, 'dns query hook failed');
    }
  };

  return {
    respond(message, transport) {
      const reading = readDnsQuery(message);
      if (reading.kind === 'dropped') return undefined;
      if (reading.kind === 'rejected') {
        const response = encodeDnsRejection(reading.rejection);
        count({ transport, kind: 'malformed', rcode: response.rcode });
        return response.message;
      }
      const { query } = reading;
      if (unsupportedTypes.has(query.type)) {
        const rejected = encodeDnsRejection({ ...query, rcode: 'NOTIMP' });
        count({ transport, kind: 'malformed', rcode: rejected.rcode });
        return rejected.message;
      }
      let lookup = parseCatalogDnsName(query.labels, query.type);
      // A label no catalog name holds (a dot, a space, a non-ASCII byte) names nothing the catalog serves.
      if (!query.hasPlainLabels && lookup.kind !== 'outside') lookup = { kind: 'invalid' };
      const limits = { transport, udpAnswerLimit, isTruncationFlagged };
      let response: EncodedDnsResponse;
      try {
        const answer =
          options.anonymousRead === 'none' || lookup.kind === 'outside'
            ? refused
            : answerCatalogLookup(
                {
                  source: options.catalog,
                  name: query.labels.join('.'),
                  type: query.type,
                  nowMs: options.clock.nowMs(),
                  random,
                },
                lookup,
              );
        response = encodeDnsAnswer(query, answer, limits);
      } catch (error) {
        options.logger.error({ err: error, kind: lookup.kind }, 'dns answer failed');
        response = encodeDnsAnswer(query, { ...refused, rcode: 'SERVFAIL' }, limits);
      }
      count({ transport, kind: lookup.kind, rcode: response.rcode });
      return response.message;
    },
  };
};
