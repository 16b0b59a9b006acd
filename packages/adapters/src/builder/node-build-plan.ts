/** Plans a Node.js build: install dependencies with npm, run the `build` script, start with the `start` script or the entry file. */
import { join } from 'node:path';
import { SlipwayError } from '@slipway/contract';
import type { BuildPlan, PlanContext } from './build-plan.js';
import { isFile } from './detect-builder.js';
import { shellQuote } from './shell-quote.js';
import { readSourceFile, sourceFileLimit } from '../source/source-file.js';

interface PackageJson {
  main?: unknown;
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

export async function planNodeBuild(context: PlanContext): Promise<BuildPlan> {
  const { dir, manifest } = context;
  const pkg = await readPackageJson(dir);
  const npm = context.npmPath === undefined ? 'npm' : shellQuote(context.npmPath);
  const steps: string[] = [];

  const dependencyCount = countOf(pkg.dependencies) + countOf(pkg.devDependencies) + countOf(pkg.optionalDependencies);
  if (dependencyCount > 0) {
    const hasLockfile =
      (await isFile(join(dir, 'package-lock.json'))) || (await isFile(join(dir, 'npm-shrinkwrap.json')));
    // Dev dependencies are installed because build scripts need them (bundlers, compilers).
    steps.push(`${npm} ${hasLockfile ? 'ci' : 'install'} --no-audit --no-fund --include=dev`);
  }
  const buildCommand =
    manifest.build?.command ?? (scriptOf(pkg, 'build') === undefined ? undefined : `${npm} run build`);
  if (buildCommand !== undefined) steps.push(buildCommand);

  const processes: Record<string, { command: string }> = {};
  const start = scriptOf(pkg, 'start');
  const entry = start === undefined ? await findEntry(dir, pkg) : undefined;
  if (start !== undefined) processes['web'] = { command: startScriptCommand(start) };
  else if (entry !== undefined) processes['web'] = { command: `exec node ${shellQuote(entry)}` };
  return { steps, processes };
}
