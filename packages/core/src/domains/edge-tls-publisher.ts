/**
 * Keeps the edge's TLS state: the certificates of active domains (opened from the store) and the ACME challenges
 * under way, sent whole on every change; a failed send is retried at the next change or pass.
 */
import type { EdgeHostCertificate, EdgeHttp01Challenge, EdgeTlsState } from '@slipway/contract';
import type { AcmeChallengeAnswer } from '../ports/acme-issuer.js';
import type { EdgeTls } from '../ports/edge-tls.js';
import type { Logger } from '../ports/logger.js';

export interface EdgeTlsPublisher {
  /** Replaces the served certificates (host → chain and key) and sends the state if it changed. */
  setCertificates(certificates: readonly EdgeHostCertificate[]): Promise<void>;
  /** Adds a challenge answer and resolves once the edge has it. Errors: the edge's (`UNAVAILABLE`). */
  addChallenge(answer: AcmeChallengeAnswer): Promise<void>;
  /** Removes a challenge answer; never throws. */
  removeChallenge(answer: AcmeChallengeAnswer): Promise<void>;
  /** Sends the state again (a restarted edge, a failed send); never throws. */
  resend(): Promise<void>;
}

const keyOf = (answer: AcmeChallengeAnswer): string =>
  answer.kind === 'http-01' ? `http-01 ${answer.token}` : `tls-alpn-01 ${answer.host}`;

export function createEdgeTlsPublisher(edge: EdgeTls, logger: Logger): EdgeTlsPublisher {
  let certificates: readonly EdgeHostCertificate[] = [];
  const challenges = new Map<string, AcmeChallengeAnswer>();
  let lastSent = '';
  let sending: Promise<void> = Promise.resolve();

  const stateOf = (): EdgeTlsState => {
    const http01: EdgeHttp01Challenge[] = [];
    const tlsAlpn01: EdgeHostCertificate[] = [];
    for (const answer of challenges.values()) {
      if (answer.kind === 'http-01') http01.push({ token: answer.token, keyAuthorization: answer.keyAuthorization });
      else tlsAlpn01.push({ host: answer.host, cert: answer.cert, key: answer.key });
    }
    return { certificates, http01, tlsAlpn01 };
  };

  /** One send at a time, in order: the last state asked for is the one the edge ends with. */
  const send = (force: boolean): Promise<void> => {
    const run = sending.then(async () => {
      const state = stateOf();
      const text = JSON.stringify(state);
      if (!force && text === lastSent) return;
      lastSent = '';
      await edge.applyTls(state);
      lastSent = text;
    });
    sending = run.catch(() => undefined);
    return run;
  };

  return {
    async setCertificates(next) {
      certificates = next;
      await send(false).catch((error: unknown) => logger.warn({ err: error }, 'edge tls state not applied'));
    },
    async addChallenge(answer) {
      challenges.set(keyOf(answer), answer);
      await send(false);
    },
    async removeChallenge(answer) {
      challenges.delete(keyOf(answer));
      await send(false).catch((error: unknown) => logger.warn({ err: error }, 'edge tls state not applied'));
    },
    async resend() {
      await send(true).catch((error: unknown) => logger.warn({ err: error }, 'edge tls state not applied'));
    },
  };
}
