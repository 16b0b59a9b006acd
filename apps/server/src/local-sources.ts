/**
 * slipwayd's policy for local sources: the owner may deploy any directory but slipwayd's own state, everyone else
 * only directories under the operator's `sourcePathRoots`; the fetcher enforces it again when the job runs.
 */
import { assertPathAllowed, localSourcePath } from '@slipway/adapters';
import { hasRole, type LocalSourceAccess, type Principal } from '@slipway/core';
import type { ResolvedConfig } from './config.js';

/** The data dir and every secret file slipwayd reads, wherever the operator put them. */
export function forbiddenSourcePaths(config: ResolvedConfig): string[] {
  const files = [config.masterKeyFile];
  if (config.tls.mode === 'files') files.push(config.tls.keyFile);
  if (config.edgeTls?.keyFile !== undefined) files.push(config.edgeTls.keyFile);
  return [config.dataDir, ...files.filter((file): file is string => file !== undefined)];
}

export function localSourceAccess(principal: Principal): LocalSourceAccess {
  return hasRole(principal, null, 'owner') ? 'anywhere' : 'roots';
}

/**
 * Refuses at once, before a deployment is written, a local source the caller may not read (the job checks again,
 * after symlinks may have changed). Errors: `SOURCE_PATH_NOT_ALLOWED`.
 */
export async function assertLocalSourceAllowed(
  config: ResolvedConfig,
  source: { kind: 'path'; path: string } | { kind: 'git'; url: string },
  access: LocalSourceAccess,
): Promise<void> {
  const path = localSourcePath(source);
  if (path === undefined) return;
  await assertPathAllowed(
    path,
    { allowedPathRoots: config.sourcePathRoots, forbiddenPaths: forbiddenSourcePaths(config) },
    access,
  );
}
