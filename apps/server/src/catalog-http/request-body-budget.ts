/**
 * How many bytes of request bodies the catalog listener holds at once, over every connection. A body is read whole
 * before its token is checked (Consul's order), so without a shared bound any client, with no token at all, could
 * pin 512 KiB per connection by sending slowly. Bytes are counted as they arrive and given back when the response is
 * over; past the budget a request is refused with 503 (clients retry) and its bytes are not kept.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CatalogHttpError, permissionDenied } from './catalog-http-error.js';

/** Bodies in flight at once: 128 values of the 512 KiB limit. */
export const defaultBodyBudgetBytes = 64 * 1024 * 1024;

export interface RequestBodyBudget {
  /** Bytes counted now (tests and metrics). */
  heldBytes(): number;
  /**
   * The payload as a stream that counts its bytes against the budget (and fails with 503 past it); `release` gives
   * them back and is idempotent. Fastify reads the returned stream instead of the request.
   */
  track(payload: Readable): { stream: Readable; release: () => void };
}

export function createRequestBodyBudget(limitBytes = defaultBodyBudgetBytes): RequestBodyBudget {
  let held = 0;
  return {
    heldBytes: () => held,
    track(payload) {
      let counted = 0;
      let isReleased = false;
      const release = (): void => {
        if (isReleased) return;
        isReleased = true;
        held -= counted;
        counted = 0;
      };
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback: TransformCallback) {
          if (isReleased) {
            callback();
            return;
          }
          if (held + chunk.length > limitBytes) {
            release();
            callback(new CatalogHttpError(503, 'Too many request bodies in flight, try again'));
            return;
          }
          held += chunk.length;
          counted += chunk.length;
          (counter as Transform & { receivedEncodedLength: number }).receivedEncodedLength += chunk.length;
          callback(null, chunk);
        },
      });
      (counter as Transform & { receivedEncodedLength: number }).receivedEncodedLength = 0;
      payload.on('error', (error) => counter.destroy(error));
      payload.pipe(counter);
      return { stream: counter, release };
    },
  };
}

/** A request with a body to read: a length above 0, or chunked. */
function hasBody(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export interface BodyBudgetHookOptions {
  readonly budget: RequestBodyBudget;
  /**
   * Paths whose bodies are larger than any other (a snapshot restore) and for admins only: the caller is checked before
   * a byte is read, with `isAllowed`, and the body is not counted against the shared budget.
   */
  readonly largeBodyPaths: ReadonlySet<string>;
  readonly isAllowed: (request: FastifyRequest) => Promise<boolean>;
}

/** Counts every request body against the budget as it is read (Fastify's `preParsing`); bodiless requests cost nothing. */
export function limitRequestBodies(app: FastifyInstance, options: BodyBudgetHookOptions): void {
  app.addHook('preParsing', (request, reply, payload, done) => {
    if (!hasBody(request.headers)) {
      done(null, payload);
      return;
    }
    const rawUrl = request.raw.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    if (options.largeBodyPaths.has(queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart))) {
      options.isAllowed(request).then(
        (isAllowed) => (isAllowed ? done(null, payload) : done(permissionDenied())),
        (error: unknown) => done(error as Error),
      );
      return;
    }
    const tracked = options.budget.track(payload);
    reply.raw.once('close', tracked.release);
    done(null, tracked.stream);
  });
}
