/** Deployments: create (JSON source or uploaded archive), list, describe, stream events, cancel, roll back. */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { renameDurably } from '@slipway/atomic-file';
import { dirname, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { partialSuffix } from '@slipway/adapters';
import { z } from 'zod';
import {
  appParamsSchema,
  createDeploymentBodySchema,
  deploymentParamsSchema,
  environmentQuerySchema,
  rollbackBodySchema,
  SlipwayError,
  type DeploymentView,
} from '@slipway/contract';
import {
  cancelDeployment,
  getDeploymentView,
  listDeployments,
  readDeploymentEvents,
  requestDeployment,
  requestRollback,
  type DeploymentSource,
} from '@slipway/core';
import { assertLocalSourceAllowed, localSourceAccess } from '../../local-sources.js';
import { requirePrincipal } from '../auth/request-principal.js';
import type { ServerContext } from '../server-context.js';
import { watchCredential } from '../auth/credential-watch.js';
import { openSse } from '../sse.js';
import { validate } from '../validate.js';

const archiveTypes = ['application/gzip', 'application/x-gzip', 'application/x-tar+gzip', 'application/octet-stream'];

const uploadQuerySchema = environmentQuerySchema.extend({
  fileName: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[^/\\]+$/, 'must be a file name without directories')
    .default('upload.tar.gz'),
});
const listQuerySchema = environmentQuerySchema.extend({ limit: z.coerce.number().int().min(1).max(500).default(20) });
const eventsQuerySchema = z.object({ after: z.coerce.number().int().min(0).default(0) });

/** The route that takes archive uploads (and JSON deployment requests). */
const uploadRouteUrl = '/api/v1/apps/:app/deployments';

export function deploymentRoutes(app: FastifyInstance, context: ServerContext): void {
  const { deps } = context;

  // Archives arrive as a raw stream; the route writes them to disk with its own size limit.
  app.addContentTypeParser(archiveTypes, (_request, payload, done) => done(null, payload));
  // The parser above is the whole app's: any other route refuses a raw body before it is read.
  app.addHook('preParsing', async (request) => {
    if (request.method === 'POST' && request.routeOptions.url === uploadRouteUrl) return;
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (archiveTypes.includes(contentType)) {
      throw new SlipwayError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Only an archive upload (POST ${uploadRouteUrl}) takes ${contentType}; this route takes application/json.`,
      );
    }
  });

  const accepted = (reply: FastifyReply, deployment: DeploymentView): FastifyReply => {
    context.worker.poke();
    return reply
      .status(202)
      .header('location', `/api/v1/deployments/${deployment.id}`)
      .send({ deployment, eventsUrl: `/api/v1/deployments/${deployment.id}/events` });
  };

  app.post(uploadRouteUrl, async (request, reply) => {
    const params = validate(appParamsSchema, request.params, 'params');
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (archiveTypes.includes(contentType)) {
      const query = validate(uploadQuerySchema, request.query, 'query');
      const id = deps.ids.next('dep');
      const file = deps.artifacts.uploadPath(id);
      const sizeBytes = await receiveArchive(request, file, context.config.maxArchiveBytes);
      try {
        const source: DeploymentSource = { kind: 'archive', file, fileName: query.fileName, sizeBytes };
        return accepted(
          reply,
          await requestDeployment(deps, { id, app: params.app, environment: query.environment, source }),
        );
      } catch (error) {
        await rm(file, { force: true });
        throw error;
      }
    }
    const query = validate(environmentQuerySchema, request.query, 'query');
    const body = validate(createDeploymentBodySchema, request.body, 'body');
    const inline = body.manifest === undefined ? {} : { manifest: body.manifest };
    const localAccess = localSourceAccess(requirePrincipal(request));
    const source: DeploymentSource =
      'path' in body
        ? { kind: 'path', path: resolve(process.cwd(), body.path), localAccess, ...inline }
        : 'image' in body
          ? { kind: 'image', image: body.image, ...inline }
          : body.git.ref === undefined
            ? { kind: 'git', url: body.git.url, localAccess, ...inline }
            : { kind: 'git', url: body.git.url, ref: body.git.ref, localAccess, ...inline };
    if (source.kind === 'path' || source.kind === 'git')
      await assertLocalSourceAllowed(context.config, source, localAccess);
    return accepted(reply, await requestDeployment(deps, { app: params.app, environment: query.environment, source }));
  });

  app.post('/api/v1/apps/:app/rollback', async (request, reply) => {
    const params = validate(appParamsSchema, request.params, 'params');
    const query = validate(environmentQuerySchema, request.query, 'query');
    const body = validate(rollbackBodySchema, request.body ?? {}, 'body');
    const input = {
      app: params.app,
      environment: query.environment,
      ...(body.toRelease === undefined ? {} : { toRelease: body.toRelease }),
    };
    return accepted(reply, await requestRollback(deps, input));
  });

  app.get('/api/v1/apps/:app/deployments', async (request) => {
    const params = validate(appParamsSchema, request.params, 'params');
    const query = validate(listQuerySchema, request.query, 'query');
    return {
      deployments: await listDeployments(deps, { app: params.app, environment: query.environment, limit: query.limit }),
    };
  });

  app.get('/api/v1/deployments/:id', async (request) => {
    const params = validate(deploymentParamsSchema, request.params, 'params');
    return getDeploymentView(deps, params.id);
  });

  app.post('/api/v1/deployments/:id/cancel', async (request, reply) => {
    const params = validate(deploymentParamsSchema, request.params, 'params');
    const by = requirePrincipal(request).userName;
    return reply.status(202).send(await cancelDeployment(deps, { id: params.id, by }));
  });

  app.get('/api/v1/deployments/:id/events', async (request, reply) => {
    const params = validate(deploymentParamsSchema, request.params, 'params');
    const query = validate(eventsQuerySchema, request.query, 'query');
    const lastEventId = Number(request.headers['last-event-id']);
    let after = Number.isInteger(lastEventId) && lastEventId > query.after ? lastEventId : query.after;
    await getDeploymentView(deps, params.id);
    // The stream ends at shutdown, and when the credential that opened it is revoked.
    const until = AbortSignal.any([context.shutdownSignal, watchCredential(request, context.identity)]);
    const sse = openSse(request, reply, until);
    let wake: (() => void) | undefined;
    const unsubscribe = deps.events.subscribe(params.id, () => wake?.());
    try {
      while (!sse.signal.aborted) {
        const events = await readDeploymentEvents(deps, params.id, after);
        for (const event of events) {
          await sse.send({ id: event.seq, event: event.type, data: event });
          after = event.seq;
        }
        if (events.some((e) => e.type === 'state' && e.state !== 'running' && e.state !== 'pending')) break;
        if (events.length > 0) continue;
        // No new events: the deployment may have ended before this stream opened with nothing left to send.
        const view = await getDeploymentView(deps, params.id);
        if (
          view.state !== 'running' &&
          view.state !== 'pending' &&
          (await readDeploymentEvents(deps, params.id, after)).length === 0
        )
          break;
        await new Promise<void>((resolve) => {
          // One listener per wait, removed when the wait ends: a long stream must not pile them up on its signal.
          const done = (): void => {
            clearTimeout(timer);
            sse.signal.removeEventListener('abort', done);
            wake = undefined;
            resolve();
          };
          const timer = setTimeout(done, 1_000);
          wake = done;
          sse.signal.addEventListener('abort', done, { once: true });
        });
      }
    } finally {
      unsubscribe();
      sse.end();
    }
    return reply;
  });
}

/** Streams the request body to `file`, refusing more than `maxBytes` (checked up front from Content-Length, and while reading). */
async function receiveArchive(request: FastifyRequest, file: string, maxBytes: number): Promise<number> {
  const declared = Number(request.headers['content-length']);
  const tooLarge = (): SlipwayError =>
    new SlipwayError('ARCHIVE_TOO_LARGE', `the archive is larger than the limit of ${maxBytes} bytes`, {
      details: { maxBytes },
    });
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  await mkdir(dirname(file), { recursive: true });
  let sizeBytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sizeBytes += chunk.length;
      if (sizeBytes > maxBytes) callback(tooLarge());
      else callback(null, chunk);
    },
  });
  // Written under a partial name and renamed once whole, so a crash mid-upload leaves a file start-up removes.
  const partial = `${file}${partialSuffix}`;
  try {
    await pipeline(request.body as NodeJS.ReadableStream, counter, createWriteStream(partial, { mode: 0o600 }));
    await renameDurably(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    if (error instanceof SlipwayError) throw error;
    throw new SlipwayError('VALIDATION_FAILED', `the archive upload did not complete: ${(error as Error).message}`);
  }
  if (sizeBytes === 0) {
    await rm(file, { force: true });
    throw new SlipwayError('SOURCE_INVALID', 'the uploaded archive is empty');
  }
  return sizeBytes;
}
