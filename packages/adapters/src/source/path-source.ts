/**
 * Copies a local directory tree into the build directory, leaving out VCS data, installed dependencies, links that
 * leave the tree, and what `.gitignore` (in a git working tree) and `.slipwayignore` leave out (`source-ignore.ts`).
 */
import { copyFile, lstat, mkdir, readdir, readlink, realpath, stat, symlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { countNoun, SlipwayError, type SourceView } from '@slipway/contract';
import type { FetchOptions, LocalSourceAccess } from '@slipway/core';
import { assertPathAllowed, type LocalSourcePolicy } from './local-source-policy.js';
import { sourceIgnoreOf } from './source-ignore.js';

/** Skipped at any depth: version control data, installed dependencies (the build reinstalls them), Slipway's own state. */
export const skippedNames: ReadonlySet<string> = new Set(['.git', 'node_modules', '.slipway']);

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

export async function fetchPathSource(
  request: { path: string; localAccess?: LocalSourceAccess },
  options: FetchOptions,
  policy: LocalSourcePolicy,
): Promise<SourceView> {
  const { path } = request;
  if (!isAbsolute(path))
    throw new SlipwayError('SOURCE_INVALID', `source path "${path}" must be absolute`, { details: { path } });
  let root: string;
  try {
    root = await realpath(path);
    if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new SlipwayError('SOURCE_UNREACHABLE', `source path ${path} does not exist or is not a directory`, {
      details: { path },
      cause: error,
    });
  }
  await assertPathAllowed(root, policy, request.localAccess);
  await mkdir(options.destDir, { recursive: true });
  // The destination may sit inside the source (e.g. a workspace under the project); never copy it into itself.
  const destReal = await realpath(options.destDir);

  options.log(`copying ${path}`);
  let fileCount = 0;
  let ignoredCount = 0;
  const ignored = await sourceIgnoreOf(root);

  const copyLink = async (source: string, target: string, relativePath: string) => {
    let resolved: string;
    try {
      resolved = await realpath(source);
    } catch {
      // Dangling: judge the link by where its text points.
      resolved = resolve(dirname(source), await readlink(source));
    }
    if (!isInside(root, resolved) || isInside(destReal, resolved)) {
      options.log(`skipped symlink ${relativePath}: it points outside the source tree`);
      return;
    }
    // Rewritten relative to where it lands, so the copy never points back into the original tree.
    await symlink(relative(dirname(source), resolved) || '.', target);
  };

  const walk = async (sourceDir: string, targetDir: string): Promise<void> => {
    for (const entry of await readdir(sourceDir, { withFileTypes: true })) {
      if (options.signal?.aborted === true) throw new SlipwayError('INTERRUPTED', 'copying the source was cancelled');
      if (skippedNames.has(entry.name)) continue;
      const source = join(sourceDir, entry.name);
      const target = join(targetDir, entry.name);
      const relativePath = relative(root, source);
      if (source === destReal) continue;
      if (ignored.isIgnored(relativePath.split(sep).join('/'), entry.isDirectory())) {
        ignoredCount += 1;
        continue;
      }
      if (entry.isSymbolicLink()) {
        await copyLink(source, target, relativePath);
      } else if (entry.isDirectory()) {
        await mkdir(target, { mode: (await lstat(source)).mode & 0o777 });
        await walk(source, target);
      } else if (entry.isFile()) {
        await copyFile(source, target);
        fileCount += 1;
      } else {
        options.log(`skipped ${relativePath}: not a regular file, directory or symlink`);
      }
    }
  };
  await walk(root, options.destDir);
  options.log(`copied ${countNoun(fileCount, 'file')}`);
  if (ignoredCount > 0) {
    options.log(
      `left out ${countNoun(ignoredCount, 'ignored entry', 'ignored entries')} (${ignored.sources.join(', ')})`,
    );
  }
  return { kind: 'path', path };
}
