/** `slipway releases <app>`: the numbered, immutable releases of an app, newest first as slipwayd lists them. */
import type { Command } from 'commander';
import { countNoun, type ReleaseView, type SourceView } from '@slipway/contract';
import { environmentOption } from '../cli-context.js';
import type { CliContext } from '../cli-context.js';
import { formatTimestamp } from '../output.js';

export function formatSource(source: SourceView): string {
  switch (source.kind) {
    case 'path':
      return source.path;
    case 'git': {
      const ref = source.ref === undefined ? '' : `#${source.ref}`;
      const commit = source.commit === undefined ? '' : ` @${source.commit.slice(0, 7)}`;
      return `${source.url}${ref}${commit}`;
    }
    case 'archive':
      return `${source.fileName} (${Math.ceil(source.sizeBytes / 1024)} KiB)`;
    case 'release':
      return `rollback to v${source.releaseNumber}`;
    case 'image':
      return `image ${source.image}`;
  }
}

/** How many config keys, and the names of those changed since the release before (never a value). */
function formatConfig(release: ReleaseView): string {
  const keys = countNoun(release.configKeys.length, 'key');
  const changed = release.changedConfigKeys ?? [];
  return changed.length === 0 ? keys : `${keys} (changed ${changed.join(', ')})`;
}

export function registerReleasesCommand(program: Command, ctx: CliContext): void {
  program
    .command('releases')
    .description('list the releases of an app')
    .argument('<app>', 'app name')
    .addOption(environmentOption())
    .action(async (app: string, options: { environment?: string }, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().releases.list(app, { environment: options.environment });
      if (run.isJson) return run.out.json(answer);
      if (answer.releases.length === 0)
        return run.out.line(`no releases of ${app} yet: deploy it with \`slipway deploy ${app} --path .\``);
      run.out.table(
        ['RELEASE', 'BUILDER', 'SOURCE', 'PROCESSES', 'CONFIG', 'MADE BY', 'CREATED'],
        answer.releases.map((release) => [
          release.isCurrent ? run.out.style.green(`v${release.number} (current)`) : `v${release.number}`,
          release.builder,
          formatSource(release.source),
          Object.keys(release.processes).join(', ') || '-',
          formatConfig(release),
          release.madeBy
            ? `${release.madeBy.requestedBy ?? 'slipwayd'} ${release.madeBy.kind} ${release.madeBy.state}`
            : '-',
          formatTimestamp(release.createdAt),
        ]),
      );
    });
}
