/** The edge's TLS side: per-host certificates served by SNI and ACME challenges answered (wire shape in the contract). */
import type { EdgeTlsState } from '@slipway/contract';

export type { EdgeHostCertificate, EdgeHttp01Challenge, EdgeTlsState } from '@slipway/contract';

export interface EdgeTls {
  /**
   * Replaces the whole TLS state atomically: new handshakes get the new certificates, connections open keep theirs.
   * Idempotent. Errors: `UNAVAILABLE` when the router cannot be reached; `VALIDATION_FAILED` when it refuses a
   * certificate (the previous state is kept).
   */
  applyTls(state: EdgeTlsState): Promise<void>;
}
