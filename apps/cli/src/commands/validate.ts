/** `slipway validate [FILE]`: checks a slipway.yaml locally, without slipwayd, and reports every problem with its place. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { LineCounter, parseDocument } from 'yaml';
import {
  manifestIssues,
  manifestSchema,
  maxManifestAliasCount,
  maxManifestBytes,
  SlipwayError,
} from '@slipway/contract';
import type { ManifestIssue } from '@slipway/contract';
import type { CliContext } from '../cli-context.js';

export const defaultManifestFile = 'slipway.yaml';

/** The first YAML syntax error as a `line L, column C` issue, or else every schema issue, or none. */
export function checkManifestText(text: string): ManifestIssue[] {
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
  return result.success ? [] : manifestIssues(result.error);
}

export function registerValidateCommand(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description(`check a manifest locally (default: ./${defaultManifestFile}); slipwayd is not needed`)
    .argument('[file]', 'manifest to check', defaultManifestFile)
    .action(async (file: string, _options: object, command: Command) => {
      const run = ctx.for(command);
      const text = await readFile(resolve(run.io.cwd, file), 'utf8').catch((error: unknown) => {
        throw new SlipwayError(
          'MANIFEST_INVALID',
          `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        );
      });
      const issues = checkManifestText(text);
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
