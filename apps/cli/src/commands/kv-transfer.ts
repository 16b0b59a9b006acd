/**
 * `slipway kv export|import`: keys in Consul's export format (`[{"key","flags","value"}]`, values in base64), so a
 * `consul kv export` loads here and back. An import checks the whole file before it writes any key.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '@slipway/atomic-file';
import { decodeConsulKvExport, encodeConsulKvExport, SlipwayError } from '@slipway/contract';
import type { CliContext } from '../cli-context.js';
import { kvPut, kvTree } from '../catalog/catalog-kv.js';
import { catalogOf, kvValueMaxBytes, readInput } from '../catalog/catalog-command.js';

/** An export file of this size is refused before it is parsed (1,000 values at the limit, base64). */
const importMaxBytes = 1000 * kvValueMaxBytes;
/** Puts in flight during an import. */
const importConcurrency = 8;

export function registerKvTransferCommands(kv: Command, ctx: CliContext): void {
  kv.command('export')
    .description("write the keys under a prefix in Consul's export format (JSON, values in base64)")
    .argument('[prefix]', 'the prefix (default: every key)', '')
    .option('-o, --output <file>', 'write to this file (atomically, mode 0600) instead of standard output')
    .action(async (prefix: string, options: { output?: string }, command: Command) => {
      const run = ctx.for(command);
      const client = await catalogOf(run, command);
      const entries = (await kvTree(client, prefix)).value ?? [];
      const text = encodeConsulKvExport(
        entries.map((entry) => ({ key: entry.key, flags: entry.flags, value: entry.value })),
      );
      if (options.output === undefined) return void run.io.stdout.write(text);
      await writeFileAtomic(resolve(run.io.cwd, options.output), text, { mode: 0o600 });
      run.err.line(`exported ${entries.length === 1 ? '1 key' : `${entries.length} keys`} to ${options.output}`);
    });

  kv.command('import')
    .description(
      "set the keys of a file in Consul's export format (- for standard input); nothing is set if any entry is invalid",
    )
    .argument('<file>', 'the export file, or - for standard input')
    .option('--prefix <prefix>', 'put this before every key')
    .action(async (file: string, options: { prefix?: string }, command: Command) => {
      const run = ctx.for(command);
      let bytes: Uint8Array;
      if (file === '-') bytes = await readInput(run, importMaxBytes);
      else {
        try {
          bytes = await readFile(resolve(run.io.cwd, file));
        } catch (error) {
          throw new SlipwayError(
            'VALIDATION_FAILED',
            `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
          );
        }
        if (bytes.length > importMaxBytes)
          throw new SlipwayError('PAYLOAD_TOO_LARGE', `${file} is over ${importMaxBytes} bytes`);
      }
      const entries = decodeConsulKvExport(new TextDecoder().decode(bytes));
      const prefix = options.prefix ?? '';
      for (const entry of entries) {
        if (entry.value.length > kvValueMaxBytes) {
          throw new SlipwayError('PAYLOAD_TOO_LARGE', `the value of "${entry.key}" is over ${kvValueMaxBytes} bytes`);
        }
      }
      const client = await catalogOf(run, command);
      let next = 0;
      const worker = async () => {
        while (next < entries.length) {
          const entry = entries[next];
          next += 1;
          if (entry !== undefined) await kvPut(client, `${prefix}${entry.key}`, entry.value, { flags: entry.flags });
        }
      };
      await Promise.all(Array.from({ length: Math.min(importConcurrency, entries.length) }, worker));
      if (run.isJson) return run.out.json({ imported: entries.length });
      run.out.line(`imported ${entries.length === 1 ? '1 key' : `${entries.length} keys`}`);
    });
}
