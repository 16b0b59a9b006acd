/**
 * Answers a TLS-ALPN-01 validation (RFC 8737 §3): a handshake with the challenge's self-signed certificate and
 * `acme-tls/1` negotiated, then the connection closes; no HTTP is spoken on it.
 */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';

export function answerAlpnChallenge(socket: Socket, secureContext: SecureContext, timeoutMs: number): void {
  const secure = new TLSSocket(socket, { isServer: true, secureContext, ALPNProtocols: ['acme-tls/1'] });
  const timer = setTimeout(() => secure.destroy(), timeoutMs);
  secure.once('secure', () => secure.end());
  secure.once('error', () => secure.destroy());
  secure.once('close', () => clearTimeout(timer));
  secure.resume();
}
