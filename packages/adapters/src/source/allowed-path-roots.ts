/** Confines local sources (directories and local git repositories) to the roots an operator allowed. */
import { realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { SlipwayError } from '@slipway/contract';

async function realOrResolved(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return resolve(path);
  }
}

/** No-op without roots. Symlinks are resolved first, so a link inside a root cannot reach outside it. Errors: `SOURCE_INVALID`. */
export async function assertPathAllowed(path: string, roots: readonly string[] | undefined): Promise<void> {
  if (roots === undefined) return;
  const real = await realOrResolved(path);
  for (const root of roots) {
    const realRoot = await realOrResolved(root);
    if (real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)) return;
  }
  throw new SlipwayError(
    'SOURCE_INVALID',
    `local source "${path}" is outside the allowed roots (${roots.join(', ')})`,
    {
      details: { path, allowedPathRoots: [...roots] },
    },
  );
}
