/**
 * Deployment requests: a JSON source (a directory, a git repository, an image) or an uploaded archive on the same URL,
 * told apart by the body's media type. The archive content-type parser belongs to this group's scope only: every
 * other route refuses an archive media type as it refuses any body that is not JSON.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { expandGitUrl, partialSuffix } from '@slipway/adapters';
import { renameDurably } from '@slipway/atomic-file';
import { z } from 'zod';
import {
  appParamsSchema,
  createDeploymentBodySchema,
  createDeploymentResponseSchema,
  environmentQuerySchema,
  SlipwayError,
  type CreateDeploymentBody,
  type DeploymentView,
} from '@slipway/contract';
import {
  requestDeployment,
  requestRepositoryDeployment,
  type DeploymentSource,
  type LocalSourceAccess,
} from '@slipway/core';
import { assertLocalSourceAllowed, localSourceAccess } from '../../local-sources.js';
import { requirePrincipal } from '../auth/request-principal.js';
import { onApp } from '../auth/route-permissions.js';
import { routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';
import { validationError } from '../zod-compilers.js';

const archiveTypes = ['application/gzip', 'application/x-gzip', 'application/x-tar+gzip', 'application/octet-stream'];

/** An archive body is the request stream itself; the handler writes it to disk with its own size limit. */
const archiveBodySchema = z
  .custom<Readable>((value) => value instanceof Readable, 'expected an archive stream')
  .meta({ type: 'string', format: 'binary', description: 'A .tar.gz of the source' });

const deploymentQuerySchema = environmentQuerySchema.extend({
  fileName: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[^/\\]+$/, 'must be a file name without directories')
    .default('upload.tar.gz')
    .describe('Archive uploads: the file name'),
});

const route = routeFor<RouteContext>();

/** Answers 202 with the deployment, where to read it and its event stream, and wakes the worker. */
export function acceptedDeployment(
  context: RouteContext,
  reply: FastifyReply,
  deployment: DeploymentView,
): FastifyReply {
  context.worker.poke();
  return reply
    .status(202)
    .header('location', `/api/v1/deployments/${deployment.id}`)
    .send({ deployment, eventsUrl: `/api/v1/deployments/${deployment.id}/events` });
}

export const deploymentUploadRoutes: RouteGroup<RouteContext> = {
  name: 'deployment-upload-routes',
  setup: (scope) => {
    scope.addContentTypeParser(archiveTypes, (_request, payload, done) => done(null, payload));
  },
  routes: [
    route({
      method: 'POST',
      url: '/api/v1/apps/:app/deployments',
      summary:
        'Deploy from a directory or git repository (JSON), or from an uploaded .tar.gz (Content-Type: application/gzip, ?fileName=)',
      permission: { action: 'deployments.create', access: onApp('deployer') },
      schema: {
        params: appParamsSchema,
        querystring: deploymentQuerySchema,
        body: {
          content: {
            'application/json': { schema: createDeploymentBodySchema },
            ...Object.fromEntries(archiveTypes.map((type) => [type, { schema: archiveBodySchema }])),
          },
        },
        response: { 202: createDeploymentResponseSchema },
      },
      handler: async (request, reply, context) => {
        const { params, query, body } = request;
        const { deps } = context;
        if (body instanceof Readable) {
          const id = deps.ids.next('dep');
          const file = deps.artifacts.uploadPath(id);
          const sizeBytes = await receiveArchive(request, body, file, context.config.maxArchiveBytes);
          try {
            const source: DeploymentSource = { kind: 'archive', file, fileName: query.fileName, sizeBytes };
            const deployment = await requestDeployment(deps, {
              id,
              app: params.app,
              environment: query.environment,
              source,
              requestedBy: requirePrincipal(request).userName,
            });
            return acceptedDeployment(context, reply, deployment);
          } catch (error) {
            await rm(file, { force: true });
            throw error;
          }
        }
        const json = jsonBody(body);
        if ('repository' in json) {
          const deployment = await requestRepositoryDeployment(deps, {
            app: params.app,
            environment: query.environment,
            repository: json.repository.name,
            ...(json.repository.ref === undefined ? {} : { ref: json.repository.ref }),
            ...(json.repository.path === undefined ? {} : { path: json.repository.path }),
            ...(json.manifest === undefined ? {} : { manifest: json.manifest }),
            requestedBy: requirePrincipal(request).userName,
          });
          return acceptedDeployment(context, reply, deployment);
        }
        const localAccess = localSourceAccess(requirePrincipal(request));
        const source = sourceOf(json, localAccess);
        // A URL git could not fetch is refused now, before a deployment is written (the fetch checks again).
        if (source.kind === 'git') expandGitUrl(source.url);
        if (source.kind === 'path' || source.kind === 'git') {
          await assertLocalSourceAllowed(context.config, source, localAccess);
        }
        const deployment = await requestDeployment(deps, {
          app: params.app,
          environment: query.environment,
          source,
          requestedBy: requirePrincipal(request).userName,
        });
        return acceptedDeployment(context, reply, deployment);
      },
    }),
  ],
};

/**
 * The JSON body, validated by the route schema for its media type; a request without a body has no media type, so
 * no schema ran: it is refused as the schema refuses an absent body.
 */
function jsonBody(body: unknown): CreateDeploymentBody {
  if (body !== undefined && body !== null) return body as CreateDeploymentBody;
  const parsed = createDeploymentBodySchema.safeParse(undefined);
  if (parsed.success) return parsed.data;
  throw validationError('body', parsed.error.issues);
}

/** The source a JSON body names; a local one (a directory, a local git repository) carries where its caller may read. */
function sourceOf(
  body: Exclude<CreateDeploymentBody, { repository: unknown }>,
  localAccess: LocalSourceAccess,
): DeploymentSource {
  const inline = body.manifest === undefined ? {} : { manifest: body.manifest };
  if ('path' in body) return { kind: 'path', path: resolve(process.cwd(), body.path), localAccess, ...inline };
  if ('image' in body) return { kind: 'image', image: body.image, ...inline };
  return body.git.ref === undefined
    ? { kind: 'git', url: body.git.url, localAccess, ...inline }
    : { kind: 'git', url: body.git.url, ref: body.git.ref, localAccess, ...inline };
}

/** Streams the archive to `file`, refusing more than `maxBytes` (checked up front from Content-Length, and while reading). */
async function receiveArchive(
  request: FastifyRequest,
  archive: Readable,
  file: string,
  maxBytes: number,
): Promise<number> {
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
    await pipeline(archive, counter, createWriteStream(partial, { mode: 0o600 }));
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
