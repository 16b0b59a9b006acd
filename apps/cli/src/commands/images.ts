/** `slipway images list|prune`: the container images Slipway built, and removing those no retained release needs. */
import type { Command } from 'commander';
import { formatByteSize, type ImageView } from '@slipway/contract';
import type { CliContext } from '../cli-context.js';
import { formatTimestamp } from '../output.js';

const releasesText = (image: ImageView): string =>
  image.releases.length === 0 ? '-' : image.releases.map((r) => `${r.app}/${r.environment} v${r.number}`).join(', ');

export function registerImagesCommand(program: Command, ctx: CliContext): void {
  const images = program.command('images').description('container images Slipway built (admin or owner)');

  images
    .command('list')
    .description('list the images Slipway built and the retained releases that run them')
    .action(async (_options: unknown, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().images.list();
      if (run.isJson) return run.out.json(answer);
      if (answer.images.length === 0) return run.out.line('no images');
      run.out.table(
        ['IMAGE', 'NAMES', 'SIZE', 'CREATED', 'RELEASES'],
        answer.images.map((image) => [
          image.id.replace(/^sha256:/, '').slice(0, 12),
          image.references.join(', ') || '-',
          formatByteSize(image.sizeBytes),
          formatTimestamp(image.createdAt),
          releasesText(image),
        ]),
      );
    });

  images
    .command('prune')
    .description('remove the images no retained release needs (rollbacks keep working)')
    .action(async (_options: unknown, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().images.prune();
      if (run.isJson) return run.out.json(answer);
      for (const image of answer.removed) run.out.line(`removed ${image.references.join(', ') || image.id}`);
      for (const image of answer.inUse) {
        run.out.line(`kept ${image.references.join(', ') || image.id}: a container still uses it`);
      }
      const freed = answer.removed.reduce((sum, image) => sum + image.sizeBytes, 0);
      run.out.line(
        `${answer.removed.length} removed (${formatByteSize(freed)}), ${answer.kept} kept for retained releases`,
      );
    });
}
