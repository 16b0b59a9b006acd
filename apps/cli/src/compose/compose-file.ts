/** Reads a compose file from disk as docker compose would — `.env` beside it, the env files its services name. */
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import {
  assertNoComposeIssues,
  createInterpolationReport,
  envFilesOf,
  parseComposeText,
  parseEnvFile,
  SlipwayError,
  unsetWarnings,
  type ComposeFile,
  type ComposeIssue,
  type VariableLookup,
} from '@slipway/contract';

/** A compose file read and validated, with what the plan needs from beside it. */
export interface ComposeProject {
  /** Absolute path of the compose file. */
  file: string;
  /** Its directory: build contexts and env files are relative to it. */
  dir: string;
  /** The file as read, before interpolation. */
  text: string;
  compose: ComposeFile;
  /** The variables of interpolation and of bare `environment` keys: the process environment over the `.env` file. */
  variables: Readonly<Record<string, string>>;
  /** Contents of every readable `env_file` the services name, by absolute path. */
  envFiles: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** What docker compose would warn about (variables used unset). */
  warnings: string[];
}

type Env = Readonly<Record<string, string | undefined>>;

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
    text,
    compose,
    variables,
    envFiles,
    warnings: [...warnings, ...unsetWarnings(envReport), ...unsetWarnings(dotEnvReport)],
  };
}
