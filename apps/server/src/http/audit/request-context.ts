/**
 * The request a piece of work runs for, as async context: the security events a handler's use cases report carry
 * the request's id and source IP without every use case passing them along.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';

export interface RequestContext {
  readonly requestId: string;
  readonly sourceIp: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The request the caller runs for; `undefined` outside a request (a background loop, start-up). */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/**
 * Enters the request's context just before its handler (after the body is parsed, whose stream events would lose
 * it), so the handler and everything it awaits see it.
 */
export function installRequestContext(app: FastifyInstance): void {
  app.addHook('preHandler', (request, _reply, done) => {
    storage.run({ requestId: String(request.id), sourceIp: request.ip }, done);
  });
}
