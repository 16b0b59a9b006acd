/**
 * Plans a Node.js build, in this order: check `engines.node` against the node that builds and runs the app, install
 * every dependency (dev ones too: build scripts need bundlers and compilers), run the `build` script (or
 * `build.command`), then prune the dev dependencies (`npm prune --omit=dev`) so the release carries only what runs.
 * Processes start with the `start` script or the entry file, with `NODE_ENV=production` unless the config sets it.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { SlipwayError } from '@slipway/contract';
import semver from 'semver';
import type { BuildPlan, PlanContext } from './build-plan.js';
import { isFile } from './detect-builder.js';
import { shellQuote } from './shell-quote.js';
import { readSourceFile, sourceFileLimit } from '../source/source-file.js';

interface PackageJson {
  main?: unknown;
  engines?: { node?: unknown };
  scripts?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
  optionalDependencies?: Record<string, unknown>;
}

async function readPackageJson(dir: string): Promise<PackageJson> {
  const text = await readSourceFile(dir, 'package.json', sourceFileLimit(1024 * 1024));
  if (text === undefined)
    throw new SlipwayError('BUILDER_NOT_DETECTED', 'the node builder needs a package.json at the root of the source');
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed;
  } catch (error) {
    throw new SlipwayError('SOURCE_INVALID', `package.json is not valid: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function countOf(record: unknown): number {
  return typeof record === 'object' && record !== null ? Object.keys(record).length : 0;
}

function scriptOf(pkg: PackageJson, name: string): string | undefined {
  const script = pkg.scripts?.[name];
  return typeof script === 'string' && script.trim() !== '' ? script.trim() : undefined;
}

/**
 * The `start` script run directly by `sh` rather than through npm (npm would sit between the signal and the app and
 * add its own start-up time); `exec` only when the script is a single command, so `a && b` keeps running `b`.
 */
export function startScriptCommand(script: string): string {
  const isCompound = /[;&|()\n`]/.test(script);
  return `PATH="$PWD/node_modules/.bin:$PATH" ${isCompound ? '' : 'exec '}${script}`;
}

async function findEntry(dir: string, pkg: PackageJson): Promise<string | undefined> {
  const candidates = [typeof pkg.main === 'string' ? pkg.main : undefined, 'server.js', 'index.js'];
  for (const candidate of candidates) {
    if (candidate !== undefined && !candidate.startsWith('-') && (await isFile(join(dir, candidate)))) return candidate;
  }
  return undefined;
}

/**
 * The parts of package.json an install depends on besides the lockfile: a changed version or build script keeps the
 * cached install, a changed dependency (which `npm ci` would refuse against a stale lockfile) or install script does not.
 */
function installInputsOf(pkg: PackageJson): string {
  const record = pkg as Record<string, unknown>;
  const fields = [
    'dependencies',
    'devDependencies',
    'optionalDependencies',
    'peerDependencies',
    'overrides',
    'workspaces',
  ];
  const scripts = ['preinstall', 'install', 'postinstall', 'prepare'].map((name) => pkg.scripts?.[name]);
  return JSON.stringify([fields.map((field) => record[field]), scripts]);
}

/** NODE_ENV defaults to production at run time (a config key wins); the installed tools come first on PATH. */
const nodeRuntimePrefix = 'export PATH="$PWD/node_modules/.bin:$PATH" NODE_ENV="${NODE_ENV:-production}";';

/** The version of the node that builds and runs the app: this process's own, or asked of another binary. */
function nodeVersionOf(nodePath: string): Promise<string> {
  if (nodePath === process.execPath) return Promise.resolve(process.version.slice(1));
  return new Promise((resolve, reject) => {
    execFile(nodePath, ['--version'], { timeout: 10_000, maxBuffer: 4096 }, (error, stdout) => {
      if (error === null) resolve(stdout.trim().replace(/^v/, ''));
      else
        reject(
          new SlipwayError('BUILD_FAILED', `the node builder's node (${nodePath}) does not run`, { cause: error }),
        );
    });
  });
}

/** Refuses a build whose `engines.node` the machine's node does not satisfy, saying both. */
async function checkEngines(pkg: PackageJson, nodePath: string, log: (line: string) => void): Promise<string> {
  const version = await nodeVersionOf(nodePath);
  const range = pkg.engines?.node;
  if (range === undefined) return version;
  if (typeof range !== 'string' || semver.validRange(range) === null) {
    throw new SlipwayError(
      'SOURCE_INVALID',
      `package.json engines.node is not a version range: ${JSON.stringify(range)}`,
      {
        details: { file: 'package.json', field: 'engines.node' },
      },
    );
  }
  if (!semver.satisfies(version, range)) {
    throw new SlipwayError(
      'BUILD_FAILED',
      `package.json requires node ${range} (engines.node), and this machine builds and runs apps with node ${version}: install a node that satisfies it where slipwayd runs, or change engines.node`,
      { details: { required: range, available: version } },
    );
  }
  log(`node ${version} satisfies engines.node ${range}`);
  return version;
}

export async function planNodeBuild(context: PlanContext): Promise<BuildPlan> {
  const { dir, manifest } = context;
  const pkg = await readPackageJson(dir);
  const npm = context.npmPath === undefined ? 'npm' : shellQuote(context.npmPath);
  const version = await checkEngines(pkg, context.nodePath, context.log);
  const steps: string[] = [];
  const dependencyCount = countOf(pkg.dependencies) + countOf(pkg.devDependencies) + countOf(pkg.optionalDependencies);
  let install: BuildPlan['install'];
  if (dependencyCount > 0) {
    const lockfile = (await isFile(join(dir, 'npm-shrinkwrap.json')))
      ? 'npm-shrinkwrap.json'
      : (await isFile(join(dir, 'package-lock.json')))
        ? 'package-lock.json'
        : undefined;
    install = {
      steps: [`${npm} ${lockfile === undefined ? 'install' : 'ci'} --no-audit --no-fund --include=dev`],
      outputDir: 'node_modules',
      toolchain: `node ${version} ${process.platform}-${process.arch}`,
      // Without a lockfile npm resolves versions afresh each time: nothing to key a cache on.
      keyFiles: lockfile === undefined ? [] : [lockfile],
      keyText: installInputsOf(pkg),
    };
  }
  const buildCommand =
    manifest.build?.command ?? (scriptOf(pkg, 'build') === undefined ? undefined : `${npm} run build`);
  if (buildCommand !== undefined) steps.push(buildCommand);
  const finalSteps = countOf(pkg.devDependencies) > 0 ? [`${npm} prune --omit=dev --no-audit --no-fund`] : [];

  const processes: Record<string, { command: string }> = {};
  const start = scriptOf(pkg, 'start');
  const entry = start === undefined ? await findEntry(dir, pkg) : undefined;
  if (start !== undefined) processes['web'] = { command: startScriptCommand(start) };
  else if (entry !== undefined) processes['web'] = { command: `exec node ${shellQuote(entry)}` };
  return {
    ...(install === undefined ? {} : { install }),
    steps,
    finalSteps,
    processes,
    runtimePrefix: nodeRuntimePrefix,
  };
}
