/**
 * The `image` builder: takes the ready image `manifest.image` names instead of building, resolved on the Docker Engine
 * to its image id, so the release runs exactly that image even if the name is later moved to another one.
 */
import { SlipwayError } from '@slipway/contract';
import type { BuildRequest, BuildResult } from '@slipway/core';
import { engineError, engineMessageOf, engineStatusOf, type DockerEngine } from '../docker/docker-engine.js';
import { startBuildDeadline } from './build-deadline.js';
import { maxLineLength } from '../runtime/line-splitter.js';

/**
 * Resolves `manifest.image` (`name:tag`, `name@sha256:…` or an image id `sha256:…`) on the engine; an image the
 * engine lacks is pulled once. Errors: `IMAGE_NOT_FOUND` (not on the engine and the pull failed),
 * `BUILDER_NOT_DETECTED` (no `image:`), `BUILD_TIMEOUT`, `INTERRUPTED`, `RUNTIME_UNAVAILABLE`.
 */
export async function resolveImageReference(
  engine: DockerEngine,
  request: BuildRequest,
  procfile: Readonly<Record<string, { command: string }>> | undefined,
): Promise<BuildResult> {
  const reference = request.manifest.image;
  if (reference === undefined) {
    throw new SlipwayError('BUILDER_NOT_DETECTED', 'the image builder needs image: in slipway.yaml');
  }
  let digest = await findImageId(engine, reference);
  if (digest === undefined) {
    request.log(`-----> ${reference} is not on the engine; pulling it`);
    await pullOnce(engine, reference, request);
    digest = await findImageId(engine, reference);
    if (digest === undefined) {
      throw notFound(reference, 'the pull ended without the image');
    }
  }
  request.log(`-----> image ${reference} is ${digest}`);
  return { builder: 'image', processes: { web: { command: '' }, ...procfile }, image: { reference, digest } };
}

async function findImageId(engine: DockerEngine, reference: string): Promise<string | undefined> {
  try {
    return (await engine.client.getImage(reference).inspect()).Id;
  } catch (error) {
    if (engineStatusOf(error) === 404) return undefined;
    throw engineError(error, `inspecting the image ${reference}`);
  }
}

function notFound(reference: string, why: string): SlipwayError {
  return new SlipwayError(
    'IMAGE_NOT_FOUND',
    `image ${reference} is not on the engine and could not be pulled: ${why}`,
    {
      details: { image: reference },
    },
  );
}

async function pullOnce(engine: DockerEngine, reference: string, request: BuildRequest): Promise<void> {
  if (reference.startsWith('sha256:')) throw notFound(reference, 'an image id names no repository to pull from');
  const deadline = startBuildDeadline(request);
  let failure: string | undefined;
  try {
    // A name without tag or digest means :latest, as `docker pull` reads it (the engine would pull every tag).
    const stream = await engine.client.pull(reference, { abortSignal: deadline.signal });
    const destroy = () => (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
    deadline.signal.addEventListener('abort', destroy, { once: true });
    let pending = '';
    for await (const chunk of stream) {
      const lines = (pending + String(chunk)).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) failure ??= pullErrorOf(line, request.log);
      // Progress messages are small; a line past the cap is no message of the engine's and is not kept.
      if (pending.length > maxLineLength) pending = '';
    }
    failure ??= pullErrorOf(pending, request.log);
  } catch (error) {
    if (deadline.reason === 'timeout') {
      throw new SlipwayError('BUILD_TIMEOUT', `pulling ${reference} timed out after ${request.timeoutMs} ms`, {
        details: { image: reference, timeoutMs: request.timeoutMs },
      });
    }
    if (deadline.reason === 'cancelled') throw new SlipwayError('INTERRUPTED', `pulling ${reference} was cancelled`);
    const translated = engineError(error, `pulling ${reference}`);
    if (translated.code === 'RUNTIME_UNAVAILABLE') throw translated;
    throw notFound(reference, engineMessageOf(error));
  } finally {
    deadline.dispose();
  }
  if (failure !== undefined) throw notFound(reference, failure);
}

/** Logs a pull progress line (status changes only) and returns the error it reports, if any. */
function pullErrorOf(line: string, log: (line: string) => void): string | undefined {
  if (line.trim() === '') return undefined;
  let message: { status?: unknown; id?: unknown; progress?: unknown; error?: unknown; errorDetail?: unknown };
  try {
    message = JSON.parse(line) as typeof message;
  } catch {
    return undefined;
  }
  const detail = (message.errorDetail as { message?: unknown } | undefined)?.message;
  if (typeof detail === 'string') return detail;
  if (typeof message.error === 'string') return message.error;
  if (typeof message.status === 'string' && message.progress === undefined) {
    log(`${typeof message.id === 'string' ? `${message.id}: ` : ''}${message.status}`);
  }
  return undefined;
}
