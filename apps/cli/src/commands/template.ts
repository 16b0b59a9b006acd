/**
 * `slipway template render|watch`: files rendered from the catalog's KV and services (docs/templates.md) — once, or
 * again on every change, written atomically and followed by a reload command, debounced as consul-template's `wait`.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '@slipway/atomic-file';
import { SlipwayError } from '@slipway/contract';
import type { CliContext, CommandRun } from '../cli-context.js';
import { catalogAddrOption, catalogOf } from '../catalog/catalog-command.js';
import { renderCatalogTemplate } from '../template/catalog-template-render.js';
import { parseTemplate, type ParsedTemplate } from '../template/template-parser.js';
import { watchTemplate } from '../template/template-watch.js';

const templateMaxBytes = 1024 * 1024;
const blockingWaitMs = 5 * 60_000;

const durationUnitsMs: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `500ms`, `2s`, `1m30s` → milliseconds; a bare number is seconds (consul-template's `wait`). */
export function parseDurationMs(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) return undefined;
  return parts.reduce((total, part) => total + Number(part[1]) * (durationUnitsMs[part[2] ?? ''] ?? 0), 0);
}

function durationOption(run: CommandRun, text: string, flag: string): number {
  const value = parseDurationMs(text);
  if (value === undefined) return run.usageError(`${flag} takes a duration such as 500ms, 2s or 1m: got "${text}"`);
  return value;
}

/** `MIN[:MAX]`; MAX defaults to four times MIN, as consul-template's. */
function parseWait(run: CommandRun, text: string): { minMs: number; maxMs: number } {
  const [min = '', max] = text.split(':');
  const minMs = durationOption(run, min, '--wait');
  const maxMs = max === undefined ? minMs * 4 : durationOption(run, max, '--wait');
  if (maxMs < minMs) run.usageError(`--wait: the maximum (${max ?? ''}) is below the minimum (${min})`);
  return { minMs, maxMs };
}

function parseMode(run: CommandRun, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^0?[0-7]{3}$/.test(text))
    return run.usageError(`--mode takes octal permission bits such as 0644: got "${text}"`);
  return Number.parseInt(text, 8);
}

async function loadTemplate(run: CommandRun, file: string): Promise<ParsedTemplate> {
  const path = resolve(run.io.cwd, file);
  let source: string;
  try {
    if ((await stat(path)).size > templateMaxBytes) {
      throw new SlipwayError('VALIDATION_FAILED', `${file} is over ${templateMaxBytes} bytes`);
    }
    source = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof SlipwayError) throw error;
    throw new SlipwayError(
      'VALIDATION_FAILED',
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  return parseTemplate(file, source);
}

async function existingMode(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch {
    return undefined;
  }
}

export function registerTemplateCommand(program: Command, ctx: CliContext): void {
  const template = program
    .command('template')
    .description('render files from the catalog (KV and services) once, or on every change with a reload command')
    .addOption(catalogAddrOption());

  template
    .command('render')
    .description('render a template once, to standard output or a file')
    .argument('<template>', 'the template file (syntax: docs/templates.md)')
    .option('-o, --output <file>', 'write here (atomically) instead of standard output')
    .option('--mode <bits>', "the output's permission bits (default: the existing file's, else 0644)")
    .action(async (file: string, options: { output?: string; mode?: string }, command: Command) => {
      const run = ctx.for(command);
      const mode = parseMode(run, options.mode);
      const parsed = await loadTemplate(run, file);
      const client = await catalogOf(run, command);
      const result = await renderCatalogTemplate(parsed, { client, cache: new Map() });
      if (!result.isRendered) throw result.error;
      if (options.output === undefined) return void run.io.stdout.write(result.output);
      const destination = resolve(run.io.cwd, options.output);
      await writeFileAtomic(destination, result.output, { mode: mode ?? (await existingMode(destination)) ?? 0o644 });
      run.err.line(`rendered ${options.output}`);
    });

  template
    .command('watch')
    .description(
      'render a template, then again whenever the data it reads changes, running a command after each new output',
    )
    .argument('<template>', 'the template file (syntax: docs/templates.md)')
    .requiredOption('-o, --output <file>', 'the file to keep rendered (replaced atomically, only when it changes)')
    .option('--exec <command>', 'run this (with sh -c) after each new output, e.g. a reload')
    .option('--exec-timeout <duration>', 'kill the command if it runs longer than this', '30s')
    .option('--wait <min[:max]>', 'wait for changes to be quiet this long, but no longer than max in all', '500ms:2s')
    .option('--mode <bits>', "the output's permission bits (default: the existing file's, else 0644)")
    .action(
      async (
        file: string,
        options: { output: string; exec?: string; execTimeout: string; wait: string; mode?: string },
        command: Command,
      ) => {
        const run = ctx.for(command);
        const mode = parseMode(run, options.mode);
        const wait = parseWait(run, options.wait);
        const commandTimeoutMs = durationOption(run, options.execTimeout, '--exec-timeout');
        const parsed = await loadTemplate(run, file);
        const client = await catalogOf(run, command);
        run.err.line(`watching ${file} → ${options.output} (catalog at ${client.baseUrl}); Ctrl-C stops`);
        await watchTemplate({
          template: parsed,
          client,
          destination: resolve(run.io.cwd, options.output),
          mode,
          command: options.exec,
          commandTimeoutMs,
          waitMinMs: wait.minMs,
          waitMaxMs: wait.maxMs,
          blockingWaitMs,
          signal: run.io.signal ?? new AbortController().signal,
          cwd: run.io.cwd,
          env: run.io.env,
          log: (line) => run.err.line(`${new Date().toISOString().slice(11, 19)} ${line}`),
        });
      },
    );
}
