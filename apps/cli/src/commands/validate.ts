/** `slipway validate [FILE]`: checks a slipway.yaml locally, without slipwayd, and reports every problem with its place. */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { LineCounter, parseDocument } from 'yaml';
import {
  manifestIssues,
  manifestSchema,
  maxManifestAliasCount,
  maxManifestBytes,
  missingCommandIssue,
  SlipwayError,
} from '@slipway/contract';
import type { ManifestIssue } from '@slipway/contract';
import type { CliContext } from '../cli-context.js';

export const defaultManifestFile = 'slipway.yaml';

/**
 * The first YAML syntax error as a `line L, column C` issue, or else every schema issue, or none. `procfileTypes`
 * are the process types the Procfile beside the manifest declares: a type other than `web` (which a builder may
 * give) with no command in the manifest must be one of them.
 */
export function checkManifestText(text: string, procfileTypes: ReadonlySet<string> = new Set()): ManifestIssue[] {
  if (Buffer.byteLength(text, 'utf8') > maxManifestBytes)
    return [{ path: '(root)', message: `larger than the limit of ${maxManifestBytes} bytes` }];
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const [syntaxError] = document.errors;
  // Only the first: the parser's later errors are mostly echoes of it.
  if (syntaxError !== undefined) {
    const { line, col } = lineCounter.linePos(syntaxError.pos[0]);
    return [{ path: `line ${line}, column ${col}`, message: `YAML syntax error: ${syntaxError.message}` }];
  }
  // An empty file is an empty manifest: every section is optional.
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: maxManifestAliasCount }) ?? {};
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    return [{ path: '(root)', message: `expands more than ${maxManifestAliasCount} aliases` }];
  }
  const result = manifestSchema.safeParse(value);
  if (!result.success) return manifestIssues(result.error, value);
  return Object.entries(result.data.processes ?? {})
    .filter(([name, spec]) => name !== 'web' && spec.command === undefined && !procfileTypes.has(name))
    .map(([name]) => missingCommandIssue(name));
}

/** The process types a Procfile declares (`name: command` lines); none when there is no Procfile. */
async function procfileTypesBeside(manifestPath: string): Promise<Set<string>> {
  const text = await readFile(resolve(dirname(manifestPath), 'Procfile'), 'utf8').catch(() => '');
  return new Set(
    text
      .split('\n')
      .map((line) => /^([A-Za-z0-9_-]+)\s*:/.exec(line.trim())?.[1])
      .filter((name): name is string => name !== undefined),
  );
}

function readFailure(code: string | undefined, error: unknown): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file (give the path of a slipway.yaml, or run slipway validate where one is)';
    case 'EISDIR':
      return 'it is a directory (give the path of the manifest file in it)';
    case 'EACCES':
      return 'permission denied';
    case undefined:
      return String(error);
    default:
      return code;
  }
}

export function registerValidateCommand(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description(`check a manifest locally (default: ./${defaultManifestFile}); slipwayd is not needed`)
    .argument('[file]', `manifest to check (default: ${defaultManifestFile})`)
    .action(async (given: string | undefined, _options: object, command: Command) => {
      const run = ctx.for(command);
      const file = given ?? defaultManifestFile;
      const path = resolve(run.io.cwd, file);
      const text = await readFile(path, 'utf8').catch((error: unknown) => {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' && given === undefined) return undefined;
        throw new SlipwayError('MANIFEST_INVALID', `cannot read ${file}: ${readFailure(code, error)}`);
      });
      if (text === undefined) {
        // A manifest is optional: without one, Slipway detects how to build and run the app.
        if (run.isJson) run.out.json({ isValid: true, issues: [], isPresent: false });
        else
          run.out.line(
            `no ${defaultManifestFile} in ${run.io.cwd}: nothing to check (a manifest is optional; Slipway detects how to build and run the app)`,
          );
        return;
      }
      const issues = checkManifestText(text, await procfileTypesBeside(path));
      if (run.isJson) run.out.json({ isValid: issues.length === 0, issues });
      else if (issues.length === 0) run.out.line(`${run.out.style.green('✓')} ${file} is a valid manifest`);
      else for (const issue of issues) run.out.line(`${issue.path}: ${issue.message}`);
      if (issues.length > 0) {
        run.err.line(
          `error: MANIFEST_INVALID: ${file} has ${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}`,
        );
        run.fail();
      }
    });
}
