/**
 * The `dockerfile` builder: builds the source's Dockerfile into an image on the Docker Engine with the classic
 * builder, streaming the engine's output into the build log, and reads build secrets from a server that lives as
 * long as the build (see `build-secret-server.ts`).
 *
 * The build runs with `rm` and `forcerm`, so the engine removes every intermediate container, also when a step fails
 * or the build is cancelled (a timeout or a cancelled deployment destroys the build request, which the engine takes
 * as a cancellation), and `pull: false`: a base image must be on the engine (no registry is assumed).
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { SlipwayError } from '@slipway/contract';
import type { BuildRequest, BuildResult } from '@slipway/core';
import { findBridgeGateway } from '../docker/bridge-gateway.js';
import { engineError, engineMessageOf, engineStatusOf, type DockerEngine } from '../docker/docker-engine.js';
import { startBuildDeadline, type BuildDeadline } from './build-deadline.js';
import { secretsUrlArg, startBuildSecretServer, type BuildSecretServer } from './build-secret-server.js';
import { readSourceFile, sourceFileLimit } from '../source/source-file.js';
import { createBuildContext } from './docker-build-context.js';
import {
  createDockerfileBuildOutput,
  type DockerfileBuildFailure,
  type DockerfileBuildOutput,
} from './dockerfile-build-output.js';

/** Builds `request.dir` with its Dockerfile into `<repository>:<tag>` and returns the image's reference and id. */
export async function buildDockerfileImage(
  engine: DockerEngine,
  request: BuildRequest,
  procfile: Readonly<Record<string, { command: string }>> | undefined,
): Promise<BuildResult> {
  const dockerfile = await locateDockerfile(request.dir, request.manifest.build?.dockerfile ?? 'Dockerfile');
  const dockerfileText = await readSourceFile(request.dir, dockerfile.relative, sourceFileLimit(1024 * 1024));
  const readsSecrets = declaresArg(dockerfileText ?? '', secretsUrlArg);
  const secretNames = Object.keys(request.secrets);
  if (secretNames.length > 0 && !readsSecrets) {
    request.log(
      `warning: build.secrets (${secretNames.join(', ')}) cannot be read by this build: ` +
        `the Dockerfile declares no ARG ${secretsUrlArg}`,
    );
  }
  const reference = `${request.image.repository}:${request.image.tag}`;
  const deadline = startBuildDeadline(request);
  let secretServer: BuildSecretServer | undefined;
  let output: DockerfileBuildOutput | undefined;
  try {
    const buildargs: Record<string, string> = { ...request.manifest.build?.args };
    if (readsSecrets) {
      secretServer = await startBuildSecretServer({ secrets: request.secrets, host: await findBridgeGateway(engine) });
      buildargs[secretsUrlArg] = secretServer.url;
      request.log(`-----> build secrets for this build only: ${secretNames.join(', ') || '(none)'}`);
    }
    const target = request.manifest.build?.target;
    request.log(
      `-----> building ${reference} from ${dockerfile.relative}${target === undefined ? '' : ` (target ${target})`}`,
    );
    const context = await createBuildContext(request.dir, dockerfile.relative);
    output = createDockerfileBuildOutput(request.log);
    await runBuild(engine, context, output, deadline, request, {
      t: reference,
      dockerfile: dockerfile.relative,
      buildargs,
      labels: { ...request.image.labels },
      ...(target === undefined ? {} : { target }),
      rm: true,
      forcerm: true,
      pull: false,
      version: '1',
      abortSignal: deadline.signal,
    });
    if (output.failure !== undefined) throw failureError(output.failure);
  } catch (error) {
    await removeLeftLayers(engine, output?.lastStepImageId);
    throw error;
  } finally {
    deadline.dispose();
    await secretServer?.close();
  }

  const digest = await inspectBuiltImage(engine, reference);
  request.log(`-----> built ${reference} (${digest})`);
  return { builder: 'dockerfile', processes: { web: { command: '' }, ...procfile }, image: { reference, digest } };
}

/**
 * A failed build leaves the layers of the steps that passed as untagged images; removing the last one removes the
 * untagged chain under it. A layer another image uses (a cached step) is refused by the engine and stays.
 */
async function removeLeftLayers(engine: DockerEngine, imageId: string | undefined): Promise<void> {
  if (imageId === undefined) return;
  try {
    const image = engine.client.getImage(imageId);
    const info = await image.inspect();
    if ((info.RepoTags ?? []).length === 0) await image.remove({ noprune: false });
  } catch {
    // In use, a parent of another image, or already gone: nothing of this build's to remove.
  }
}

async function runBuild(
  engine: DockerEngine,
  context: Readable,
  output: DockerfileBuildOutput,
  deadline: BuildDeadline,
  request: BuildRequest,
  options: Parameters<DockerEngine['client']['buildImage']>[1],
): Promise<void> {
  let stream: NodeJS.ReadableStream | undefined;
  const destroy = () => {
    context.destroy();
    (stream as Readable | undefined)?.destroy();
  };
  deadline.signal.addEventListener('abort', destroy, { once: true });
  try {
    stream = await engine.client.buildImage(context, options);
    if (deadline.signal.aborted) destroy();
    for await (const chunk of stream) output.push(chunk);
    output.end();
  } catch (error) {
    if (deadline.reason === undefined) throw refusalError(error);
  } finally {
    deadline.signal.removeEventListener('abort', destroy);
    context.destroy();
  }
  if (deadline.reason !== undefined) throw deadlineError(deadline.reason, output, request.timeoutMs);
}

function deadlineError(
  reason: 'timeout' | 'cancelled',
  output: DockerfileBuildOutput,
  timeoutMs: number,
): SlipwayError {
  const step = output.currentStep;
  const where = step === undefined ? '' : ` at Dockerfile step ${step.step} \`${step.command}\``;
  const details = { step: step?.step ?? null, command: step?.command ?? null };
  if (reason === 'cancelled') return new SlipwayError('INTERRUPTED', `build cancelled${where}`, { details });
  return new SlipwayError('BUILD_TIMEOUT', `build timed out after ${timeoutMs} ms${where}`, {
    details: { ...details, timeoutMs },
  });
}

/** The engine answered the build request with an error (a Dockerfile parse error, an unknown target): the build's fault. */
function refusalError(error: unknown): SlipwayError {
  const status = engineStatusOf(error);
  if (status === undefined) return engineError(error, 'the Dockerfile build');
  return new SlipwayError('BUILD_FAILED', `the Dockerfile build failed: ${engineMessageOf(error)}`, {
    cause: error,
    details: { step: null, command: null, engineStatus: status },
  });
}

function failureError(failure: DockerfileBuildFailure): SlipwayError {
  const { step, message } = failure;
  if (step === undefined) {
    return new SlipwayError('BUILD_FAILED', `the Dockerfile build failed: ${message}`, {
      details: { step: null, command: null },
    });
  }
  const details = { step: step.step, command: step.command };
  const baseImage = /^FROM\s/i.test(step.command) ? baseImageOf(step.command) : undefined;
  if (baseImage !== undefined) {
    return new SlipwayError(
      'BUILD_FAILED',
      `Dockerfile step ${step.step} \`${step.command}\` failed: the base image ${baseImage} is not on the engine ` +
        `and could not be pulled (is a registry reachable?): ${message}`,
      { details: { ...details, baseImage } },
    );
  }
  return new SlipwayError('BUILD_FAILED', `Dockerfile step ${step.step} \`${step.command}\` failed: ${message}`, {
    details,
  });
}

/** `FROM [--platform=…] image [AS name]` → `image`. */
function baseImageOf(command: string): string | undefined {
  return command
    .split(/\s+/)
    .slice(1)
    .find((word) => !word.startsWith('--'));
}

/** Whether a Dockerfile declares `ARG <name>` (with or without a default) in any stage. */
export function declaresArg(dockerfile: string, name: string): boolean {
  return new RegExp(`^\\s*ARG\\s+${name}(?:\\s|=|$)`, 'im').test(dockerfile);
}

/** The Dockerfile's path relative to the source (POSIX separators); it must be a file inside the source. */
async function locateDockerfile(dir: string, path: string): Promise<{ relative: string; absolute: string }> {
  const outside = () =>
    new SlipwayError('MANIFEST_INVALID', `build.dockerfile "${path}" must name a file inside the source`, {
      details: { issues: [{ path: 'build.dockerfile', message: 'must name a file inside the source' }] },
    });
  const isInside = (from: string, to: string) => {
    const rel = relative(from, to);
    return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
  };
  const absolute = resolve(dir, path);
  if (!isInside(dir, absolute)) throw outside();
  let real: string;
  try {
    real = await realpath(absolute);
  } catch {
    throw new SlipwayError(
      'BUILDER_NOT_DETECTED',
      `the dockerfile builder needs a Dockerfile: no ${path} in the source`,
    );
  }
  if (!isInside(await realpath(dir), real)) throw outside();
  return { relative: relative(dir, absolute).split(sep).join('/'), absolute };
}

async function inspectBuiltImage(engine: DockerEngine, reference: string): Promise<string> {
  try {
    const image = await engine.client.getImage(reference).inspect();
    return image.Id;
  } catch (error) {
    if (engineStatusOf(error) === 404) {
      throw new SlipwayError('BUILD_FAILED', `the Dockerfile build ended without an image ${reference}`);
    }
    throw engineError(error, `inspecting the built image ${reference}`);
  }
}
