/**
 * Keeps a long-lived response (an event or log stream) tied to the credential that opened it: the bearer credential
 * is authenticated again every `intervalMs`, and the returned signal aborts as soon as it no longer is (token
 * revoked or expired, session ended, user removed), so revoking a token also ends the streams it holds open.
 */
import type { FastifyRequest } from 'fastify';
import { isSlipwayError } from '@slipway/contract';
import { authenticate, type IdentityDeps } from '@slipway/core';

/** How stale a revoked credential's open stream may get: short enough to matter, long enough to cost nothing. */
export const defaultCredentialCheckMs = 5_000;

export function watchCredential(
  request: FastifyRequest,
  identity: IdentityDeps,
  intervalMs = defaultCredentialCheckMs,
): AbortSignal {
  const controller = new AbortController();
  if (request.principal === undefined) return controller.signal;
  const authorization = request.headers.authorization;
  let isChecking = false;
  const timer = setInterval(() => {
    if (isChecking) return;
    isChecking = true;
    authenticate(identity, authorization)
      .then(
        () => undefined,
        (error: unknown) => {
          // Only a refused credential ends the stream; a store that failed for a moment says nothing about it.
          if (isSlipwayError(error) && error.code === 'UNAUTHENTICATED') controller.abort(error);
        },
      )
      .finally(() => {
        isChecking = false;
      });
  }, intervalMs);
  timer.unref();
  const stop = (): void => clearInterval(timer);
  controller.signal.addEventListener('abort', stop, { once: true });
  request.raw.socket.once('close', stop);
  return controller.signal;
}
