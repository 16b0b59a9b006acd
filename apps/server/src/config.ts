/**
 * slipwayd's configuration, resolved once: defaults < config file < `SLIPWAY_*` environment < flags, validated by one
 * zod schema (every issue reported with its path) and deep-frozen. Everything here is derived from the table of
 * options (`config-options.ts`): the schema, the defaults, the flags, the variables and `--help`.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SlipwayError } from '@slipway/contract';
import { configFileInput, configOptions, type OptionInput, type RawValue } from './config-options.js';

type Options = typeof configOptions;

/** The config file's schema: every key of the table. */
export const configSchema = z
  .object(
    Object.fromEntries(Object.entries(configOptions).map(([key, option]) => [key, option.schema])) as {
      [K in keyof Options]: Options[K]['schema'];
    },
  )
  .strict();

type ConfigShape = z.infer<typeof configSchema>;
export type ResolvedConfig = Readonly<ConfigShape>;
/** What a file, the environment or flags may set: any subset. */
export type UserConfig = {
  -readonly [K in keyof ConfigShape]?: ConfigShape[K] extends object ? Partial<ConfigShape[K]> : ConfigShape[K];
};

export const defaultConfig = Object.fromEntries(
  Object.entries(configOptions).flatMap(([key, option]) => ('default' in option ? [[key, option.default]] : [])),
) as ConfigShape;

const optionEntries = Object.entries(configOptions) as [keyof Options, Options[keyof Options]][];
const inputs: readonly OptionInput[] = [configFileInput, ...optionEntries.flatMap(([, option]) => option.inputs ?? [])];

/** What the given inputs (by flag) set, key by key; `name` spells a flag as its source does. */
function configFrom(given: Readonly<Record<string, RawValue>>, name: (flag: string) => string): UserConfig {
  const out: Record<string, unknown> = {};
  for (const [key, option] of optionEntries) {
    const own = option.inputs ?? [];
    if (!own.some((input) => given[input.flag] !== undefined)) continue;
    const value = 'read' in option && option.read ? option.read(given, name) : given[own[0]?.flag ?? ''];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function fromEnv(env: NodeJS.ProcessEnv): Record<string, RawValue> {
  const given: Record<string, RawValue> = {};
  for (const input of inputs) {
    const value = env[input.env];
    if (value === undefined || value === '') continue;
    if (input.argument === undefined) {
      if (value === '1') given[input.flag] = true;
    } else {
      given[input.flag] = input.isRepeatable ? value.split(input.separator ?? ',').map((v) => v.trim()) : value;
    }
  }
  return given;
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] =
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      current !== null &&
      typeof current === 'object'
        ? merge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

const helpColumn = 23;
const helpWidth = 118;

/** One input's lines of `--help`: the flag, its argument, what it does and its variable, wrapped. */
function helpOf(input: OptionInput): string {
  const head = `  --${input.flag}${input.argument === undefined ? '' : ` ${input.argument}`}`;
  const variable = input.argument === undefined ? `${input.env}=1` : input.env;
  const separator = input.separator === undefined || input.separator === ',' ? 'comma' : `'${input.separator}'`;
  const repeat = input.isRepeatable ? `; repeatable (the variable ${separator}-separated)` : '';
  const words = `${input.help}${repeat} [${variable}]`.split(' ');
  const lines: string[] = [];
  let line = head.length < helpColumn ? head.padEnd(helpColumn - 1) : `${head}\n${' '.repeat(helpColumn - 1)}`;
  let width = line.length - line.lastIndexOf('\n') - 1;
  for (const word of words) {
    if (width + 1 + word.length > helpWidth) {
      lines.push(line);
      line = ' '.repeat(helpColumn - 1);
      width = line.length;
    }
    line += ` ${word}`;
    width += 1 + word.length;
  }
  lines.push(line);
  return lines.join('\n');
}

const fileOnlyKeys = optionEntries.filter(([, option]) => option.inputs === undefined).map(([key]) => key);

export const usage = `Usage: slipwayd [options]

Options (each also from its SLIPWAY_* variable; flags win over variables, variables over the config file):
${inputs.map(helpOf).join('\n')}
  -h, --help           print this help

In the config file only: ${fileOnlyKeys.join(', ')}.
`;

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(
          inputs.map((input) => [
            input.flag,
            input.argument === undefined
              ? { type: 'boolean' as const }
              : { type: 'string' as const, ...(input.isRepeatable ? { multiple: true } : {}) },
          ]),
        ),
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (error) {
    throw new SlipwayError('VALIDATION_FAILED', `${(error as Error).message} (see slipwayd --help)`);
  }
}

/** Resolves the configuration; errors are `VALIDATION_FAILED` listing every issue with its path. */
export function resolveConfig(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): ResolvedConfig | 'help' {
  // The options are built from the table, so parseArgs cannot type its values.
  const values = parseFlags(argv).values as Readonly<Record<string, string | string[] | boolean | undefined>>;
  if (values['help'] === true) return 'help';
  const flags: Record<string, RawValue> = {};
  for (const [flag, value] of Object.entries(values)) {
    if (value !== undefined && value !== false) flags[flag] = value;
  }
  const variables = fromEnv(env);
  const file = flags['config'] ?? variables['config'];
  let fromFile: UserConfig = {};
  if (typeof file === 'string') {
    try {
      fromFile = (parseYaml(readFileSync(resolve(cwd, file), 'utf8')) ?? {}) as UserConfig;
    } catch (error) {
      throw new SlipwayError('VALIDATION_FAILED', `cannot read config file ${file}: ${(error as Error).message}`);
    }
  }
  const envName = (flag: string): string => inputs.find((input) => input.flag === flag)?.env ?? flag;

  let merged = merge(defaultConfig, fromFile);
  merged = merge(merged, configFrom(variables, envName));
  merged = merge(
    merged,
    configFrom(flags, (flag) => `--${flag}`),
  );
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new SlipwayError('VALIDATION_FAILED', `invalid configuration: ${issues.join('; ')}`, { details: { issues } });
  }
  const dataDir = resolve(cwd, parsed.data.dataDir);
  const masterKeyFile = resolve(cwd, parsed.data.masterKeyFile ?? join(dataDir, 'master.key'));
  const { tls: tlsConfig, edgeTls: edgeTlsConfig } = parsed.data;
  return deepFreeze({
    ...parsed.data,
    dataDir,
    masterKeyFile,
    sourcePathRoots: parsed.data.sourcePathRoots.map((root) => resolve(cwd, root)),
    tls:
      tlsConfig.mode === 'files'
        ? { mode: 'files', certFile: resolve(cwd, tlsConfig.certFile), keyFile: resolve(cwd, tlsConfig.keyFile) }
        : tlsConfig,
    ...(edgeTlsConfig === undefined
      ? {}
      : {
          edgeTls: {
            listen: edgeTlsConfig.listen,
            ...(edgeTlsConfig.certFile === undefined ? {} : { certFile: resolve(cwd, edgeTlsConfig.certFile) }),
            ...(edgeTlsConfig.keyFile === undefined ? {} : { keyFile: resolve(cwd, edgeTlsConfig.keyFile) }),
          },
        }),
  });
}
