/** How log drains send: lines per batch, the deadline of one send, and the backoff between failed sends. */
export interface DrainSettings {
  /** Lines sent at most per batch (one HTTP request, or one write of syslog frames). */
  readonly batchLines: number;
  /** Deadline of one send (connect, TLS, write, answer). */
  readonly timeoutMs: number;
  /** Wait after a first failure; doubled after each next one, up to `retryMaxMs`. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
}

export const defaultDrainSettings: DrainSettings = {
  batchLines: 500,
  timeoutMs: 10_000,
  retryBaseMs: 1_000,
  retryMaxMs: 60_000,
};
