/**
 * The builder: detects how to build a source tree, runs the build in place, and names its process types.
 *
 * Detection order (first match wins; `manifest.build.builder` other than `auto` skips detection):
 *   1. `image`      — `image:` in slipway.yaml (a ready image, resolved on the Docker Engine; nothing is built)
 *   2. `dockerfile` — `build.dockerfile` in slipway.yaml, or a `Dockerfile` at the root (it wins over the markers
 *                     below, as in Dokku); built into an image on the Docker Engine
 *   3. `node`       — `package.json`
 *   4. `python`     — `requirements.txt`, `pyproject.toml`, or `app.py` / `main.py` / `server.py` / `wsgi.py`
 *   5. `static`     — `index.html` at the root, or in `public/`, `dist/` or `build/`
 *   6. `procfile`   — only a `Procfile` (no build step)
 * Whatever the builder, a `Procfile` supplies or overrides process types. `manifest.processes.<type>.command` is
 * applied later, by the caller (see `mergeProcesses`). `manifest.build.command` replaces the builder's build step.
 * Every step runs with `/bin/sh -c` in its own process group, its output streamed line by line to the build log.
 * The two image builders need `options.docker`; without it they fail with `RUNTIME_UNAVAILABLE`.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SlipwayError, type BuilderName } from '@slipway/contract';
import type { Builder, BuildRequest, BuildResult } from '@slipway/core';
import type { DockerEngine } from '../docker/docker-engine.js';
import { buildEnv } from './build-env.js';
import { createBuildCache, type BuildCache, type BuildCacheOptions } from './build-cache.js';
import type { BuildPlan, DependencyInstall, PlanContext } from './build-plan.js';
import { detectBuilder, detectionSummary, isDirectory, type Detection } from './detect-builder.js';
import { buildDockerfileImage } from './docker-image-builder.js';
import { resolveImageReference } from './image-reference-builder.js';
import { planNodeBuild } from './node-build-plan.js';
import { parseProcfile } from './procfile.js';
import { confineSourceTree } from '../source/confine-source-tree.js';
import { readSourceFile, sourceFileLimit } from '../source/source-file.js';
import { planPythonBuild } from './python-build-plan.js';
import type { ProcessSandbox } from '../sandbox/process-sandbox.js';
import { runProcessGroup } from './run-process-group.js';
import { planStaticBuild } from './static-build-plan.js';

export interface BuilderOptions {
  /** Absolute path of `packages/adapters/assets/static-server.mjs` (or its installed copy). */
  staticServerPath: string;
  /** Node binary for the static server and first on the build's PATH. Default: the node running Slipway. */
  nodePath?: string;
  /** npm executable. Default: `npm` from the build's PATH (the one beside `nodePath` when present). */
  npmPath?: string;
  /** Python used to create virtualenvs and run apps without one. Default: `python3`. */
  pythonPath?: string;
  /** The Docker Engine the `dockerfile` and `image` builders use; absent when slipwayd runs without one. */
  docker?: { engine: DockerEngine };
  /**
   * When given, build steps run in this sandbox as the project's user (`request.scope`), the source tree given to
   * that user and writable, a scratch dir at `/tmp`, and nothing else of the machine but its runtimes.
   */
  sandbox?: ProcessSandbox;
  /** Where installed dependencies are kept between builds, and its cap; no cache when absent. */
  cache?: BuildCacheOptions;
}

/** How a build step is started: the plain shell, or wrapped in the project's sandbox. */
type StepLauncher = (command: string) => { file: string; args: string[] };

/** Beside the source tree, inside the data dir's work area, so it never outlives the build. */
const scratchDirOf = (dir: string): string => `${dir}.scratch`;

const plainShell: StepLauncher = (command) => ({ file: '/bin/sh', args: ['-c', command] });

async function readProcfile(dir: string): Promise<Record<string, { command: string }> | undefined> {
  const text = await readSourceFile(dir, 'Procfile', sourceFileLimit(64 * 1024));
  return text === undefined ? undefined : parseProcfile(text);
}

async function plan(builder: BuilderName, context: PlanContext): Promise<{ plan: BuildPlan; publicDir?: string }> {
  switch (builder) {
    case 'node':
      return { plan: await planNodeBuild(context) };
    case 'python':
      return { plan: await planPythonBuild(context) };
    case 'static': {
      const staticPlan = await planStaticBuild(context);
      context.log(`serving ${staticPlan.publicDir} with the built-in static server`);
      return { plan: staticPlan, publicDir: staticPlan.publicDir };
    }
    case 'procfile': {
      const command = context.manifest.build?.command;
      return { plan: { steps: command === undefined ? [] : [command], processes: {} } };
    }
    case 'dockerfile':
    case 'image':
      throw noEngine(builder);
  }
}

function noEngine(builder: BuilderName): SlipwayError {
  return new SlipwayError(
    'RUNTIME_UNAVAILABLE',
    `the ${builder} builder needs a Docker Engine; slipwayd runs without one: start Docker or set docker.host`,
  );
}

async function runStep(
  command: string,
  request: BuildRequest,
  env: Record<string, string>,
  deadlineMs: number,
  launch: StepLauncher,
): Promise<void> {
  request.log(`$ ${command}`);
  const result = await runProcessGroup({
    ...launch(command),
    cwd: request.dir,
    env,
    timeoutMs: deadlineMs - Date.now(),
    signal: request.signal,
    onLine: (line) => {
      if (line.trim() !== '') request.log(line);
    },
  });
  const lastLine = result.tail.at(-1);
  switch (result.outcome) {
    case 'exited':
      if (result.exitCode === 0) return;
      throw new SlipwayError(
        'BUILD_FAILED',
        `build command "${command}" failed with ${result.exitCode === null ? `signal ${result.exitSignal ?? 'unknown'}` : `exit code ${result.exitCode}`}` +
          (lastLine === undefined ? '' : `: "${lastLine}"`),
        {
          details: {
            command,
            exitCode: result.exitCode,
            ...(result.exitSignal === null ? {} : { exitSignal: result.exitSignal }),
          },
        },
      );
    case 'timed-out':
      throw new SlipwayError(
        'BUILD_TIMEOUT',
        `build timed out after ${request.timeoutMs} ms while running "${command}"`,
        {
          details: { command, timeoutMs: request.timeoutMs },
        },
      );
    case 'aborted':
      throw new SlipwayError('INTERRUPTED', `build cancelled while running "${command}"`, { details: { command } });
    case 'spawn-failed':
      throw new SlipwayError(
        'BUILD_FAILED',
        `build command "${command}" could not start: ${result.spawnError ?? 'unknown error'}`,
        {
          details: { command, exitCode: null },
        },
      );
  }
}

/** Gives the source tree to the project's user and wraps each step in its sandbox, the tree writable. */
async function sandboxLauncher(sandbox: ProcessSandbox, request: BuildRequest): Promise<StepLauncher> {
  const identity = await sandbox.identityOf(request.scope ?? 'default');
  const scratchDir = scratchDirOf(request.dir);
  await sandbox.ensureOwned(request.dir, identity);
  await sandbox.prepareScratch(scratchDir, identity);
  return (command) => sandbox.argv({ identity, command, workDir: request.dir, isWorkDirWritable: true, scratchDir });
}

/** npm and pip caches go to the scratch dir: the host's (under root's home) are not visible in the sandbox. */
function sandboxedBuildEnv(sandbox: ProcessSandbox, env: Record<string, string>): Record<string, string> {
  const { npm_config_cache: _cache, npm_config_userconfig: _userconfig, ...rest } = env;
  return { ...sandbox.env(rest), npm_config_cache: '/tmp/.npm', PIP_CACHE_DIR: '/tmp/.cache/pip' };
}

/**
 * Installs the dependencies, from the build cache when an earlier build of the project had the same lockfile and
 * toolchain (the install steps are then not run at all), else by running the steps and keeping the result.
 */
async function installDependencies(
  install: DependencyInstall,
  request: BuildRequest,
  cache: BuildCache | undefined,
  run: (step: string) => Promise<void>,
): Promise<void> {
  const scope = request.scope ?? 'default';
  const key = cache === undefined ? undefined : await cache.keyOf(scope, request.dir, install);
  if (cache !== undefined && key !== undefined && (await cache.restore(scope, key, request.dir, install))) {
    request.log(
      `-----> ${install.outputDir} from the build cache (unchanged ${install.keyFiles.join(' and ')}, ${install.toolchain})`,
    );
    return;
  }
  for (const step of install.steps) await run(step);
  await install.finish?.(request.dir);
  if (cache !== undefined && key !== undefined) await cache.publish(scope, key, request.dir, install, request.log);
}

export function createBuilder(options: BuilderOptions): Builder {
  const nodePath = options.nodePath ?? process.execPath;
  const pythonPath = options.pythonPath ?? 'python3';
  const cache = options.cache === undefined ? undefined : createBuildCache(options.cache);

  return {
    async build(request: BuildRequest): Promise<BuildResult> {
      const forced = request.manifest.build?.builder ?? 'auto';
      const detection: Detection | undefined =
        forced === 'auto'
          ? await detectBuilder(request.dir, request.manifest)
          : { builder: forced, marker: 'build.builder in slipway.yaml' };
      if (detection === undefined) {
        throw new SlipwayError('BUILDER_NOT_DETECTED', `no builder fits this source; looked for ${detectionSummary}`, {
          details: { lookedFor: detectionSummary },
        });
      }
      const procfile = await readProcfile(request.dir);
      if (detection.builder === 'procfile' && procfile === undefined) {
        throw new SlipwayError(
          'BUILDER_NOT_DETECTED',
          'the procfile builder needs a Procfile at the root of the source',
        );
      }
      request.log(`-----> ${detection.builder} builder (${detection.marker})`);
      if (detection.builder === 'dockerfile' || detection.builder === 'image') {
        if (options.docker === undefined) throw noEngine(detection.builder);
        const built =
          detection.builder === 'dockerfile'
            ? await buildDockerfileImage(options.docker.engine, request, procfile)
            : await resolveImageReference(options.docker.engine, request, procfile);
        request.log(`-----> process types: ${Object.keys(built.processes).join(', ')}`);
        return built;
      }

      const env = buildEnv(process.env, request.env, nodePath);
      const context: PlanContext = {
        dir: request.dir,
        manifest: request.manifest,
        nodePath,
        npmPath: options.npmPath,
        pythonPath,
        staticServerPath: options.staticServerPath,
        path: env['PATH'] ?? '',
        isRunnable: (path) => options.sandbox?.shows(path) ?? true,
        log: request.log,
      };
      const planned = await plan(detection.builder, context);
      const deadlineMs = Date.now() + request.timeoutMs;
      try {
        // A cached install is copied in before the tree is given to the project's user, so the copy is theirs too.
        const { install } = planned.plan;
        let run: ((step: string) => Promise<void>) | undefined;
        const runner = async (): Promise<(step: string) => Promise<void>> => {
          if (run !== undefined) return run;
          const launch = options.sandbox === undefined ? plainShell : await sandboxLauncher(options.sandbox, request);
          const stepEnv = options.sandbox === undefined ? env : sandboxedBuildEnv(options.sandbox, env);
          run = (step) => runStep(step, request, stepEnv, deadlineMs, launch);
          return run;
        };
        if (install !== undefined) {
          await installDependencies(install, request, cache, async (step) => (await runner())(step));
        }
        const runBuildStep = await runner();
        for (const step of [...planned.plan.steps, ...(planned.plan.finalSteps ?? [])]) await runBuildStep(step);
      } finally {
        await rm(scratchDirOf(request.dir), { recursive: true, force: true });
      }

      if (planned.publicDir !== undefined && !(await isDirectory(join(request.dir, planned.publicDir)))) {
        throw new SlipwayError(
          'BUILD_FAILED',
          `the directory to serve, "${planned.publicDir}", does not exist after the build`,
          {
            details: { publicDir: planned.publicDir },
          },
        );
      }
      if (planned.publicDir !== undefined) {
        // The build ran the app's own commands, which may have left links out of what Slipway's static server
        // publishes (`index.html` → a file of the host). Elsewhere links out are the app's business (a virtualenv's
        // `bin/python` → the system's python) and the process sandbox's to contain.
        await confineSourceTree(join(request.dir, planned.publicDir), { log: request.log, signal: request.signal });
      }
      const processes = { ...planned.plan.processes, ...procfile };
      const { release, ...types } = processes;
      request.log(`-----> process types: ${Object.keys(types).join(', ') || '(none)'}`);
      if (release !== undefined) request.log(`-----> release command: ${release.command}`);
      const { runtimePrefix } = planned.plan;
      return { builder: detection.builder, processes, ...(runtimePrefix === undefined ? {} : { runtimePrefix }) };
    },
  };
}
