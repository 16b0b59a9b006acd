/**
 * `slipway catalog services|service NAME` and `slipway catalog snapshot save|restore FILE`: the service catalog's
 * registrations and their health, and a consistent copy of the whole catalog (KV, sessions, services, checks).
 * `catalog acl` is in catalog-acl.ts.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '@slipway/atomic-file';
import { countNoun, decodeCatalogSnapshot, SlipwayError, type CatalogSnapshotData } from '@slipway/contract';
import type { CliContext } from '../cli-context.js';
import { catalogAddrOption, catalogOf } from '../catalog/catalog-command.js';
import { aggregateStatus, listServiceHealth, listServices } from '../catalog/catalog-services.js';

/** The catalog's limit on a restored snapshot; a larger file is refused before it is read. */
const snapshotMaxBytes = 256 * 1024 * 1024;

function describeSnapshot(snapshot: CatalogSnapshotData): string {
  return `index ${snapshot.index}: ${countNoun(snapshot.kv.length, 'key')}, ${countNoun(snapshot.services.length, 'service instance')}, ${countNoun(snapshot.sessions.length, 'session')}`;
}

export function registerCatalogCommand(program: Command, ctx: CliContext): Command {
  const catalog = program
    .command('catalog')
    .description('the service catalog: its services, their health, and snapshots of all of it')
    .addOption(catalogAddrOption());

  catalog
    .command('services')
    .description('list the services in the catalog with their tags')
    .action(async (_options: unknown, command: Command) => {
      const run = ctx.for(command);
      const { value: services } = await listServices(await catalogOf(run, command));
      if (run.isJson) return run.out.json(services);
      run.out.table(
        ['SERVICE', 'TAGS'],
        services.map((service) => [service.name, service.tags.length === 0 ? '-' : service.tags.join(',')]),
      );
    });

  catalog
    .command('service')
    .description("list a service's instances: address, tags, and health from their checks")
    .argument('<name>', 'the service name')
    .option('-t, --tag <tag...>', 'only instances with these tags (all of them)')
    .option('--passing', 'only instances whose every check passes')
    .action(async (name: string, options: { tag?: string[]; passing?: boolean }, command: Command) => {
      const run = ctx.for(command);
      const { value: instances } = await listServiceHealth(await catalogOf(run, command), name, {
        tags: options.tag ?? [],
        isPassingOnly: options.passing === true,
      });
      if (run.isJson) return run.out.json(instances);
      if (instances.length === 0) {
        run.err.line(`no instances of "${name}"${options.passing === true ? ' passing their checks' : ''}`);
        return;
      }
      const style = run.out.style;
      run.out.table(
        ['ID', 'ADDRESS', 'STATUS', 'TAGS', 'NODE'],
        instances.map((entry) => {
          const status = aggregateStatus(entry);
          const address = entry.Service.Address === '' ? entry.Node.Address : entry.Service.Address;
          const colour = (text: string) =>
            status === 'passing' ? style.green(text) : status === 'warning' ? style.yellow(text) : style.red(text);
          const tags = entry.Service.Tags ?? [];
          return [
            entry.Service.ID,
            `${address}:${entry.Service.Port}`,
            colour(status),
            tags.length === 0 ? '-' : tags.join(','),
            entry.Node.Node,
          ];
        }),
      );
    });

  const snapshot = catalog.command('snapshot').description('save the whole catalog to a file, or restore it from one');

  snapshot
    .command('save')
    .description('save a consistent snapshot of the catalog (written atomically, mode 0600: it holds every key)')
    .argument('<file>', 'the file to write')
    .action(async (file: string, _options: unknown, command: Command) => {
      const run = ctx.for(command);
      const client = await catalogOf(run, command);
      const answer = await client.read('/v1/snapshot');
      const text = new TextDecoder().decode(answer.body);
      // Only a snapshot this CLI can restore is saved.
      const decoded = decodeCatalogSnapshot(text);
      await writeFileAtomic(resolve(run.io.cwd, file), text, { mode: 0o600 });
      if (run.isJson) return run.out.json({ file, index: decoded.index, keys: decoded.kv.length });
      run.out.line(`saved the catalog at ${describeSnapshot(decoded)} to ${file}`);
    });

  snapshot
    .command('restore')
    .description('replace the whole catalog with a snapshot file (its indexes never go back)')
    .argument('<file>', 'a file from `slipway catalog snapshot save`')
    .action(async (file: string, _options: unknown, command: Command) => {
      const run = ctx.for(command);
      let bytes: Buffer;
      try {
        const path = resolve(run.io.cwd, file);
        if ((await stat(path)).size > snapshotMaxBytes) {
          throw new SlipwayError('PAYLOAD_TOO_LARGE', `${file} is over ${snapshotMaxBytes} bytes`);
        }
        bytes = await readFile(path);
      } catch (error) {
        if (error instanceof SlipwayError) throw error;
        throw new SlipwayError(
          'VALIDATION_FAILED',
          `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        );
      }
      const text = bytes.toString('utf8');
      // Checked here first, so a broken file is named with its issues and nothing is sent.
      const decoded = decodeCatalogSnapshot(text);
      const client = await catalogOf(run, command);
      await client.write('PUT', '/v1/snapshot', {}, text);
      if (run.isJson) return run.out.json({ file, index: decoded.index, keys: decoded.kv.length });
      run.out.line(`restored the catalog from ${file} (${describeSnapshot(decoded)})`);
    });

  return catalog;
}
