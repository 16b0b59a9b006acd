/**
 * Which local directories (`path` sources and local git repositories) a deployment may read: never slipwayd's own
 * state (the data dir, nor a directory holding it), and for a request confined to the operator's roots, only what
 * lies under one of them.
 */
import { realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { SlipwayError } from '@slipway/contract';
import type { LocalSourceAccess } from '@slipway/core';
import { localGitPath } from './expand-git-url.js';

export interface LocalSourcePolicy {
  /**
   * Directories a confined request must lie under; `undefined` confines nothing (a library default, not slipwayd's:
   * it always passes its configured roots, possibly none).
   */
  allowedPathRoots?: readonly string[] | undefined;
  /** Never a source, nor inside one, whoever asks (slipwayd's data dir). */
  forbiddenPaths?: readonly string[] | undefined;
}

async function realOrResolved(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return resolve(path);
  }
}

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

function notAllowed(path: string, why: string): SlipwayError {
  return new SlipwayError('SOURCE_PATH_NOT_ALLOWED', `local source "${path}" ${why}`, { details: { path } });
}

/**
 * Symlinks are resolved first, so a link inside a root cannot reach outside it, nor a link to the data dir pass for
 * another directory. Errors: `SOURCE_PATH_NOT_ALLOWED` (the message names no root: they are the operator's).
 */
export async function assertPathAllowed(
  path: string,
  policy: LocalSourcePolicy,
  access: LocalSourceAccess = 'roots',
): Promise<void> {
  const real = await realOrResolved(path);
  for (const forbidden of policy.forbiddenPaths ?? []) {
    const realForbidden = await realOrResolved(forbidden);
    // Both ways: the data dir itself, a folder in it (artifacts, instances), and a folder that holds it.
    if (isInside(realForbidden, real) || isInside(real, realForbidden))
      throw notAllowed(path, "is or holds Slipway's own state and is never a source");
  }
  if (access === 'anywhere' || policy.allowedPathRoots === undefined) return;
  for (const root of policy.allowedPathRoots) {
    if (isInside(await realOrResolved(root), real)) return;
  }
  throw notAllowed(
    path,
    policy.allowedPathRoots.length === 0
      ? 'is not allowed: only the owner deploys local directories unless the operator names source path roots'
      : 'is outside the source path roots the operator allows',
  );
}

/** The local directory a deployment source reads (a `path`, or a local git URL), if any. */
export function localSourcePath(
  source: { kind: 'path'; path: string } | { kind: 'git'; url: string },
): string | undefined {
  return source.kind === 'path' ? source.path : localGitPath(source.url.trim());
}
