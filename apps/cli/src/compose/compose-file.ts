/** Reads a compose file as docker compose would — `.env` beside it, variables interpolated — and validates the subset Slipway maps. */
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { SlipwayError } from '@slipway/contract';
import {
  createInterpolationReport,
  interpolateTree,
  parseEnvFile,
  type InterpolationIssue,
  type InterpolationReport,
  type VariableLookup,
} from './compose-interpolation.js';
import { composeFileSchema, type ComposeFile, type ComposeService } from './compose-schema.js';

export type { ComposeFile, ComposeService } from './compose-schema.js';

/** One problem of a compose file, with its path (`services.web.deploy.replicas`). */
export type ComposeIssue = InterpolationIssue;

/** A compose file read and validated, with what the plan needs from beside it. */
export interface ComposeProject {
  /** Absolute path of the compose file. */
  file: string;
  /** Its directory: build contexts and env files are relative to it. */
  dir: string;
  compose: ComposeFile;
  /** The variables of interpolation and of bare `environment` keys: the process environment over the `.env` file. */
  variables: Readonly<Record<string, string>>;
  /** Contents of every readable `env_file` the services name, by absolute path. */
  envFiles: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** What docker compose would warn about (variables used unset). */
  warnings: string[];
}

export interface ParsedCompose {
  compose: ComposeFile;
  warnings: string[];
}

type Env = Readonly<Record<string, string | undefined>>;

/** `ports[0]`-style paths from zod's path segments. */
function formatPath(segments: readonly PropertyKey[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else path += path === '' ? String(segment) : `.${String(segment)}`;
  }
  return path === '' ? '(root)' : path;
}

function composeInvalid(fileName: string, issues: readonly ComposeIssue[]): SlipwayError {
  const lines = issues.map((issue) => `  ${issue.path}: ${issue.message}`);
  return new SlipwayError(
    'COMPOSE_INVALID',
    `${fileName} cannot be imported (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
    { details: { file: fileName, issues: issues.map((issue) => ({ ...issue })) } },
  );
}

/** Throws one COMPOSE_INVALID naming every issue, when there are any. */
export function assertNoComposeIssues(fileName: string, issues: readonly ComposeIssue[]): void {
  if (issues.length > 0) throw composeInvalid(fileName, issues);
}

function unsetWarnings(report: InterpolationReport): string[] {
  return [...report.unset].map(
    ([name, path]) => `${path}: the ${name} variable is not set; an empty string is used (as docker compose does)`,
  );
}

/** Parses, interpolates and validates compose YAML text; every problem is one COMPOSE_INVALID naming each path. */
export function parseComposeText(text: string, fileName: string, lookup: VariableLookup): ParsedCompose {
  const document = parseDocument(text, { uniqueKeys: true, merge: true });
  if (document.errors.length > 0) {
    throw composeInvalid(
      fileName,
      document.errors.map((error) => ({
        path: error.linePos === undefined ? '(yaml)' : `line ${error.linePos[0].line}`,
        message: error.message.split('\n')[0] ?? error.message,
      })),
    );
  }
  const raw: unknown = document.toJS({ maxAliasCount: 1000 });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw composeInvalid(fileName, [{ path: '(root)', message: 'must be a map with a services key' }]);
  const services = (raw as Record<string, unknown>)['services'];
  if (services === null || typeof services !== 'object' || Array.isArray(services))
    throw composeInvalid(fileName, [{ path: 'services', message: 'a compose file needs a services map' }]);
  const report = createInterpolationReport();
  const interpolated = interpolateTree(raw, lookup, '', report);
  assertNoComposeIssues(fileName, report.issues);
  const parsed = composeFileSchema.safeParse(interpolated);
  if (!parsed.success) {
    throw composeInvalid(
      fileName,
      parsed.error.issues.map((issue: z.core.$ZodIssue) => ({
        path: formatPath(issue.path),
        // A bad service name comes wrapped as "Invalid key in record": say what is wrong with it.
        message: issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message,
      })),
    );
  }
  if (Object.keys(parsed.data.services).length === 0)
    throw composeInvalid(fileName, [{ path: 'services', message: 'a compose file needs at least one service' }]);
  return { compose: parsed.data, warnings: unsetWarnings(report) };
}

/** The `env_file` entries of a service as absolute paths, with whether each must exist. */
export function envFilesOf(
  service: ComposeService,
  composeDir: string,
): Array<{ index: number; path: string; isRequired: boolean }> {
  const entries = service.env_file === undefined ? [] : [service.env_file].flat();
  return entries.map((entry, index) =>
    typeof entry === 'string'
      ? { index, path: resolve(composeDir, entry), isRequired: true }
      : { index, path: resolve(composeDir, entry.path), isRequired: entry.required },
  );
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Reads `file` (relative to `cwd`), its `.env` and the env files its services name. The process environment wins
 * over `.env`, as in docker compose. Throws COMPOSE_INVALID naming each problem with its path.
 */
export async function readComposeFile(file: string, options: { cwd: string; env: Env }): Promise<ComposeProject> {
  const path = resolve(options.cwd, file);
  const dir = dirname(path);
  const fileName = basename(path);
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    throw new SlipwayError(
      'COMPOSE_INVALID',
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { details: { file } },
    );
  });
  const fromProcess: VariableLookup = (name) => options.env[name];
  const dotEnvReport = createInterpolationReport();
  const dotEnvText = await readOptional(resolve(dir, '.env'));
  const dotEnv = dotEnvText === undefined ? {} : parseEnvFile(dotEnvText, '.env', fromProcess, dotEnvReport);
  assertNoComposeIssues('.env', dotEnvReport.issues);
  const variables: Record<string, string> = { ...dotEnv };
  for (const [name, value] of Object.entries(options.env)) if (value !== undefined) variables[name] = value;
  const lookup: VariableLookup = (name) => (Object.hasOwn(variables, name) ? variables[name] : undefined);

  const { compose, warnings } = parseComposeText(text, fileName, lookup);
  const envFiles = new Map<string, Record<string, string>>();
  const issues: ComposeIssue[] = [];
  const envReport = createInterpolationReport();
  for (const [name, service] of Object.entries(compose.services)) {
    for (const entry of envFilesOf(service, dir)) {
      if (envFiles.has(entry.path)) continue;
      const content = await readOptional(entry.path);
      if (content === undefined) {
        if (entry.isRequired)
          issues.push({ path: `services.${name}.env_file[${entry.index}]`, message: `${entry.path} does not exist` });
        continue;
      }
      envFiles.set(entry.path, parseEnvFile(content, entry.path, lookup, envReport));
    }
  }
  assertNoComposeIssues(fileName, [...issues, ...envReport.issues]);
  return {
    file: path,
    dir,
    compose,
    variables,
    envFiles,
    warnings: [...warnings, ...unsetWarnings(envReport), ...unsetWarnings(dotEnvReport)],
  };
}
