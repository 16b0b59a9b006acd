/**
 * Ships one batch of persisted log lines to one drain: syslog frames over TCP or TLS, or one POST of a JSON array.
 * Implementations: `adapters/log-drains/`.
 */
import type { LogLineRecord } from '../logs/log-records.js';

/** Where a drain ships, its URL opened (held only for the send). */
export interface LogDrainDestination {
  readonly kind: 'syslog' | 'http';
  /** The whole URL, credentials included. */
  readonly url: string;
  /** A PEM certificate authority that verifies the receiver's certificate instead of the system's. */
  readonly caPem?: string;
}

/** A stored line with what names it beyond ids, for the receiver. */
export interface DrainedLogLine extends LogLineRecord {
  readonly project: string;
  readonly app: string;
  /** The release the instance runs (app lines), when still known. */
  readonly releaseId?: string;
  /** The deployment that started the instance, or that wrote the line (deploy lines), when known. */
  readonly deploymentId?: string;
}

export interface LogDrainSender {
  /**
   * Sends the lines (oldest first) and resolves once the receiver has them: a 2xx answer, or every frame written and
   * flushed to the socket. Never retries by itself. Errors: `LOG_DRAIN_UNREACHABLE` (no connection, TLS refused,
   * the connection cut), `LOG_DRAIN_TIMEOUT` (the signal's deadline passed), `LOG_DRAIN_REJECTED` (a non-2xx
   * answer). No message names more of the URL than its scheme, host and port.
   */
  send(destination: LogDrainDestination, lines: readonly DrainedLogLine[], signal: AbortSignal): Promise<void>;
}
