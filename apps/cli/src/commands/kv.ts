/**
 * `slipway kv get|put|delete|list`: the catalog's key/value store over its Consul-compatible HTTP API, with CAS,
 * flags, recursive reads and deletes, and `--watch` on blocking queries. `kv export|import` are in kv-transfer.ts.
 */
import type { Command } from 'commander';
import { SlipwayError } from '@slipway/contract';
import type { CliContext, CommandRun } from '../cli-context.js';
import { catalogAddrOption, catalogOf, kvValueMaxBytes, parseIndex, readInput } from '../catalog/catalog-command.js';
import { kvDelete, kvGet, kvKeys, kvPut, kvTree, type KvEntryRead } from '../catalog/catalog-kv.js';
import { watchReads } from '../catalog/watch-reads.js';
import { registerKvTransferCommands } from './kv-transfer.js';

/** `?wait=` of a `--watch`'s blocking reads. */
const watchWaitMs = 5 * 60_000;
const decoder = new TextDecoder();

function entryJson(entry: KvEntryRead) {
  return {
    key: entry.key,
    flags: entry.flags,
    value: Buffer.from(entry.value).toString('base64'),
    createIndex: entry.createIndex,
    modifyIndex: entry.modifyIndex,
    ...(entry.session === undefined ? {} : { session: entry.session }),
  };
}

function printEntries(run: CommandRun, entries: readonly KvEntryRead[], isRecursive: boolean, isDetailed: boolean) {
  if (run.isJson) return run.out.json(entries.map(entryJson));
  for (const entry of entries) {
    const value = decoder.decode(entry.value);
    if (isDetailed) {
      run.out.fields([
        ['key', entry.key],
        ['flags', String(entry.flags)],
        ['create index', String(entry.createIndex)],
        ['modify index', String(entry.modifyIndex)],
        ['session', entry.session ?? '-'],
        ['value', value],
      ]);
    } else if (isRecursive) run.out.line(`${entry.key}:${value}`);
    else run.io.stdout.write(value.endsWith('\n') ? value : `${value}\n`);
  }
}

export function registerKvCommand(program: Command, ctx: CliContext): void {
  const kv = program
    .command('kv')
    .description("read and write the catalog's key/value store (Consul's KV API)")
    .addOption(catalogAddrOption());

  kv.command('get')
    .description('print the value of a key (with --recurse, every key under a prefix as key:value)')
    .argument('<key>', 'the key, or the prefix with --recurse ("" for all)')
    .option('-r, --recurse', 'every key under the prefix')
    .option('--detailed', 'flags, indexes and session beside the value')
    .option('-w, --watch', 'print again on every change, until interrupted')
    .action(
      async (key: string, options: { recurse?: boolean; detailed?: boolean; watch?: boolean }, command: Command) => {
        const run = ctx.for(command);
        const client = await catalogOf(run, command);
        const isRecursive = options.recurse === true;
        const read = async (blocking = {}) => {
          if (isRecursive) return kvTree(client, key, blocking);
          const one = await kvGet(client, key, blocking);
          return { index: one.index, value: one.value === undefined ? undefined : [one.value] };
        };
        const absent = isRecursive ? `no keys under "${key}"` : `no key "${key}"`;
        if (options.watch === true) {
          const signal = run.io.signal ?? new AbortController().signal;
          return watchReads({
            read,
            signal,
            waitMs: watchWaitMs,
            onChange: (entries) => {
              if (entries === undefined) run.err.line(absent);
              else printEntries(run, entries, isRecursive, options.detailed === true);
            },
            onError: (message) => run.err.line(`error: ${message}; retrying`),
          });
        }
        const answer = await read();
        if (answer.value === undefined) {
          run.err.line(absent);
          return run.fail();
        }
        printEntries(run, answer.value, isRecursive, options.detailed === true);
      },
    );

  kv.command('put')
    .description('set a key (VALUE, or - to read it from standard input; none sets an empty value)')
    .argument('<key>', 'the key')
    .argument('[value]', 'the value, or - for standard input')
    .option('--flags <n>', 'an opaque number stored with the key (uint64 below 2^53)')
    .option('--cas <index>', 'set only if the key is at this modify index (0: only if the key does not exist)')
    .action(
      async (key: string, value: string | undefined, options: { flags?: string; cas?: string }, command: Command) => {
        const run = ctx.for(command);
        const flags = options.flags === undefined ? undefined : parseIndex(run, options.flags, '--flags');
        const cas = options.cas === undefined ? undefined : parseIndex(run, options.cas, '--cas');
        const bytes = value === '-' ? await readInput(run, kvValueMaxBytes) : new TextEncoder().encode(value ?? '');
        if (bytes.length > kvValueMaxBytes)
          throw new SlipwayError('PAYLOAD_TOO_LARGE', `the value is over ${kvValueMaxBytes} bytes`);
        const client = await catalogOf(run, command);
        const isSet = await kvPut(client, key, bytes, { flags, cas });
        if (run.isJson) run.out.json({ key, isSet });
        if (!isSet) {
          if (!run.isJson) {
            run.err.line(
              cas === 0
                ? `not set: "${key}" already exists`
                : `not set: "${key}" is no longer at modify index ${cas ?? '?'}`,
            );
          }
          return run.fail();
        }
        if (!run.isJson) run.out.line(`set ${key}`);
      },
    );

  kv.command('delete')
    .description('delete a key (with --recurse, every key under a prefix)')
    .argument('<key>', 'the key, or the prefix with --recurse ("" deletes every key)')
    .option('-r, --recurse', 'every key under the prefix')
    .option('--cas <index>', 'delete only if the key is at this modify index')
    .action(async (key: string, options: { recurse?: boolean; cas?: string }, command: Command) => {
      const run = ctx.for(command);
      if (options.recurse === true && options.cas !== undefined)
        run.usageError('--cas and --recurse do not go together');
      const cas = options.cas === undefined ? undefined : parseIndex(run, options.cas, '--cas');
      const client = await catalogOf(run, command);
      const isDeleted = await kvDelete(client, key, { isRecursive: options.recurse === true, cas });
      if (run.isJson) run.out.json({ key, isDeleted });
      if (!isDeleted) {
        if (!run.isJson) run.err.line(`not deleted: "${key}" is no longer at modify index ${cas ?? '?'}`);
        return run.fail();
      }
      if (!run.isJson) run.out.line(options.recurse === true ? `deleted every key under "${key}"` : `deleted ${key}`);
    });

  kv.command('list')
    .description('list the keys under a prefix, one a line')
    .argument('[prefix]', 'the prefix (default: every key)', '')
    .option('-s, --separator <text>', 'fold keys at this separator, as folders (e.g. /)')
    .option('-w, --watch', 'list again on every change, until interrupted')
    .action(async (prefix: string, options: { separator?: string; watch?: boolean }, command: Command) => {
      const run = ctx.for(command);
      const client = await catalogOf(run, command);
      const isWatching = options.watch === true;
      const print = (keys: readonly string[] | undefined) => {
        if (run.isJson) return isWatching ? run.out.jsonLine(keys ?? []) : run.out.json(keys ?? []);
        if (keys === undefined || keys.length === 0)
          return run.err.line(prefix === '' ? 'no keys' : `no keys under "${prefix}"`);
        for (const key of keys) run.out.line(key);
      };
      const read = (blocking = {}) => kvKeys(client, prefix, { ...blocking, separator: options.separator });
      if (options.watch === true) {
        return watchReads({
          read,
          signal: run.io.signal ?? new AbortController().signal,
          waitMs: watchWaitMs,
          onChange: (keys) => {
            print(keys);
            if (!run.isJson) run.out.line('');
          },
          onError: (message) => run.err.line(`error: ${message}; retrying`),
        });
      }
      print((await read()).value);
    });

  registerKvTransferCommands(kv, ctx);
}
