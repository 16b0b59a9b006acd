/** The source fetcher: turns a directory, a git repository or an uploaded archive into a plain source tree, by kind. */
import { SlipwayError, type SourceView } from '@slipway/contract';
import type { SourceFetcher } from '@slipway/core';
import { fetchArchiveSource } from './archive-source.js';
import { confineSourceTree } from './confine-source-tree.js';
import { fetchGitSource } from './git-source.js';
import { fetchPathSource } from './path-source.js';
import { applySlipwayIgnore, slipwayIgnoreFile } from './source-ignore.js';

export interface SourceFetcherOptions {
  /** Largest accepted upload. Default 512 MiB. */
  maxArchiveBytes?: number;
  /** Largest total of file sizes an archive may unpack to. Default 4 × `maxArchiveBytes`. */
  maxUnpackedBytes?: number;
  /** Most entries an archive may hold. Default 50,000 (a source tree without its installed dependencies). */
  maxArchiveEntries?: number;
  /** Most decompressed bytes per compressed byte of an archive (past 64 MiB). Default 200. */
  maxCompressionRatio?: number;
  /** Budget for one git fetch, all git commands together. Default 10 minutes. */
  gitTimeoutMs?: number;
  /** Longest one git command may go without output (a remote that accepts and never answers). Default 60 s. */
  gitStallTimeoutMs?: number;
  /**
   * When set, `path` sources and local git repositories must lie under one of these directories, unless the request
   * says `localAccess: 'anywhere'` (slipwayd: the owner's). Empty: only such requests read local directories.
   */
  allowedPathRoots?: readonly string[];
  /** Never a source nor inside one, whoever asks: slipwayd's data dir. */
  forbiddenPaths?: readonly string[];
}

export const defaultMaxArchiveBytes = 512 * 1024 * 1024;
export const defaultGitTimeoutMs = 10 * 60 * 1000;
export const defaultGitStallTimeoutMs = 60 * 1000;
export const defaultMaxArchiveEntries = 50_000;
export const defaultMaxCompressionRatio = 200;

export function createSourceFetcher(options: SourceFetcherOptions = {}): SourceFetcher {
  const maxArchiveBytes = options.maxArchiveBytes ?? defaultMaxArchiveBytes;
  const limits = {
    maxArchiveBytes,
    maxUnpackedBytes: options.maxUnpackedBytes ?? 4 * maxArchiveBytes,
    maxEntries: options.maxArchiveEntries ?? defaultMaxArchiveEntries,
    maxCompressionRatio: options.maxCompressionRatio ?? defaultMaxCompressionRatio,
  };
  const localSources = { allowedPathRoots: options.allowedPathRoots, forbiddenPaths: options.forbiddenPaths };
  const git = {
    gitTimeoutMs: options.gitTimeoutMs ?? defaultGitTimeoutMs,
    gitStallTimeoutMs: options.gitStallTimeoutMs ?? defaultGitStallTimeoutMs,
    localSources,
  };

  return {
    async fetch(request, fetchOptions) {
      const confined = async (view: SourceView): Promise<SourceView> => {
        await confineSourceTree(fetchOptions.destDir, fetchOptions);
        // A path source left its ignored files out as it copied; a checkout or an archive has them removed now.
        if (view.kind !== 'path') {
          const removed = await applySlipwayIgnore(fetchOptions.destDir, fetchOptions.signal);
          if (removed > 0) {
            fetchOptions.log(
              `left out ${removed} ignored ${removed === 1 ? 'entry' : 'entries'} (${slipwayIgnoreFile})`,
            );
          }
        }
        return view;
      };
      switch (request.kind) {
        // Whatever the kind, no link in the fetched tree leads out of it (a git repository may hold
        // `index.html → /etc/passwd`), and no special file is left for a builder to read.
        case 'path':
          return confined(await fetchPathSource(request, fetchOptions, localSources));
        case 'git':
          return confined(await fetchGitSource(request, fetchOptions, git));
        case 'archive':
          return confined(await fetchArchiveSource(request, fetchOptions, limits));
        case 'repository':
          // Checked out of the repository's mirror by the deployment (the git mirrors port), never fetched here.
          throw new SlipwayError('INTERNAL', 'a repository source is checked out of its mirror, not fetched');
        case 'image':
          // Nothing to fetch: the build resolves the image on the engine.
          fetchOptions.log(`image ${request.image}: nothing to fetch`);
          return { kind: 'image', image: request.image };
      }
    },
  };
}
