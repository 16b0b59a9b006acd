/**
 * The bound on what a checkout writes: a commit's tree is measured from `git ls-tree -r -l` (the sizes git records,
 * read without inflating any blob) before any file is written, so a small pack whose blobs inflate to gigabytes (a
 * pushed "git bomb") fails its deployment instead of filling the disk, as an archive that unpacks too far does.
 */
import { SlipwayError } from '@slipway/contract';

/** Default of `GitMirrorsConfig.maxCheckoutBytes`: an archive's default unpacked limit (4 × 512 MiB). */
export const defaultMaxCheckoutBytes = 2 * 1024 * 1024 * 1024;

/** `<mode> SP blob SP <object> SP+ <size> TAB <path>`: only blobs are written as files (a submodule's commit is not). */
const blobLine = /^[0-7]{6} blob [0-9a-f]{40,64} +(\d+)\t/;

/**
 * Lists `tree` (`<commit>` or `<commit>:<path>`) with `listTree`, which runs `git ls-tree -r -l --full-tree <tree>`
 * and hands over each line of its output (the listing itself is never held), and sums its blobs' sizes. A tree that
 * cannot be listed measures 0: the checkout that follows fails on it with its own error. Errors: `ARCHIVE_TOO_LARGE`
 * when the files add up to more than `maxBytes`.
 */
export async function assertCheckoutSize(
  listTree: (args: string[], onLine: (line: string) => void) => Promise<unknown>,
  commit: string,
  tree: string,
  maxBytes: number,
): Promise<void> {
  let sizeBytes = 0;
  await listTree(['ls-tree', '-r', '-l', '--full-tree', tree], (line) => {
    const size = blobLine.exec(line)?.[1];
    if (size !== undefined) sizeBytes += Number(size);
  });
  if (sizeBytes <= maxBytes) return;
  throw new SlipwayError(
    'ARCHIVE_TOO_LARGE',
    `the files of commit ${commit.slice(0, 12)} add up to ${sizeBytes} bytes, more than the limit of ${maxBytes} a checkout may write (4 × maxArchiveBytes)`,
    { details: { commit, sizeBytes, maxCheckoutBytes: maxBytes } },
  );
}
