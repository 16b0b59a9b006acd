/** The source fetcher: turns a directory, a git repository or an uploaded archive into a plain source tree, by kind. */
import type { SourceFetcher } from '@slipway/core';
import { fetchArchiveSource } from './archive-source.js';
import { fetchGitSource } from './git-source.js';
import { fetchPathSource } from './path-source.js';

export interface SourceFetcherOptions {
  /** Largest accepted upload. Default 512 MiB. */
  maxArchiveBytes?: number;
  /** Largest total of file sizes an archive may unpack to. Default 4 × `maxArchiveBytes`. */
  maxUnpackedBytes?: number;
  /** Budget for one git fetch, all git commands together. Default 10 minutes. */
  gitTimeoutMs?: number;
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

export function createSourceFetcher(options: SourceFetcherOptions = {}): SourceFetcher {
  const maxArchiveBytes = options.maxArchiveBytes ?? defaultMaxArchiveBytes;
  const limits = { maxArchiveBytes, maxUnpackedBytes: options.maxUnpackedBytes ?? 4 * maxArchiveBytes };
  const localSources = { allowedPathRoots: options.allowedPathRoots, forbiddenPaths: options.forbiddenPaths };
  const git = { gitTimeoutMs: options.gitTimeoutMs ?? defaultGitTimeoutMs, localSources };

  return {
    async fetch(request, fetchOptions) {
      switch (request.kind) {
        case 'path':
          return fetchPathSource(request, fetchOptions, localSources);
        case 'git':
          return fetchGitSource(request, fetchOptions, git);
        case 'archive':
          return fetchArchiveSource(request, fetchOptions, limits);
        case 'image':
          // Nothing to fetch: the build resolves the image on the engine.
          fetchOptions.log(`image ${request.image}: nothing to fetch`);
          return { kind: 'image', image: request.image };
      }
    },
  };
}
