/**
 * Bare mirrors of git repositories under one directory (`<rootDir>/<repository id>.git`), with the `git` CLI: a
 * fetch brings only the objects the mirror lacks, concurrent fetches of one repository are coalesced (one runs, the
 * callers arriving meanwhile share the next), and a deployment's commit is checked out of the mirror without
 * touching it (a throwaway index).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { renameDirectoryDurably } from '@slipway/atomic-file';
import { SlipwayError } from '@slipway/contract';
import type { GitMirrors, GitRemote, Logger, MirrorCallOptions, MirrorSync, RemoteHead } from '@slipway/core';
import { confineSourceTree } from '../source/confine-source-tree.js';
import { applySlipwayIgnore } from '../source/source-ignore.js';
import { assertCheckoutSize, defaultMaxCheckoutBytes } from './checkout-size-limit.js';
import { openGitMirrorAccess, type GitMirrorAccess } from './git-mirror-access.js';
import { createGitCommandRunner, shown, type GitCall } from './git-command-runner.js';

export interface GitMirrorsConfig {
  /** Where the mirrors live (created on first use). */
  rootDir: string;
  /** Deadline of one git command against a remote (fetch, ls-remote). */
  remoteTimeoutMs: number;
  /** Longest a fetch may go without printing anything before it counts as stalled. */
  stallTimeoutMs: number;
  /** Deadline of a local command (rev-parse, checkout). */
  localTimeoutMs: number;
  /** Most bytes a checkout may write (its tree's files together); default `defaultMaxCheckoutBytes`. */
  maxCheckoutBytes?: number;
  logger: Logger;
}

const commitId = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const safeRef = /^(?!-)(?!.*\.\.)(?!.*@\{)[A-Za-z0-9._/@+-]{1,255}$/;
const repositoryIdPattern = /^[A-Za-z0-9_-]{1,100}$/;
/** A ref a fork's pull request lives under in the base repository: outside branches and tags. */
const extraRef = /^refs\/(?!heads\/|tags\/)[A-Za-z0-9._/-]{1,200}$/;

const subdirectory = /^(?!\.{1,2}(?:\/|$))(?!.*\/\.{1,2}(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;
const noop = () => undefined;

interface Flight {
  running: Promise<MirrorSync>;
  queued?: Promise<MirrorSync>;
}

export function createGitMirrors(config: GitMirrorsConfig): GitMirrors & {
  /** The mirror's directory (tests count its objects). */
  mirrorDir(repositoryId: string): string;
} {
  const flights = new Map<string, Flight>();
  const keyDir = join(config.rootDir, '.keys');

  const mirrorDir = (repositoryId: string): string => {
    if (!repositoryIdPattern.test(repositoryId))
      throw new SlipwayError('SOURCE_INVALID', 'not a repository id', { details: { repository: repositoryId } });
    return join(config.rootDir, `${repositoryId}.git`);
  };
  const knownHostsFile = (repositoryId: string) => join(config.rootDir, `${repositoryId}.known_hosts`);
  const exists = async (path: string) => (await stat(path).catch(() => undefined)) !== undefined;

  const git = createGitCommandRunner(config);

  const local = (repositoryId: string, args: string[], what: string, extra: Partial<GitCall> = {}) =>
    git({ args: ['--git-dir', mirrorDir(repositoryId), ...args], what, isRemote: false, ...extra });

  /**
   * Once per process, before the first command: what a killed slipwayd left behind goes — a deploy key's file above
   * all (it lives only as long as its command), then throwaway indexes and half-initialised mirrors.
   */
  let prepared: Promise<void> | undefined;
  const prepare = (): Promise<void> =>
    (prepared ??= (async () => {
      await rm(keyDir, { recursive: true, force: true });
      await mkdir(keyDir, { recursive: true, mode: 0o700 });
      for (const entry of await readdir(config.rootDir)) {
        if (entry.startsWith('.index-') || entry.startsWith('.init-'))
          await rm(join(config.rootDir, entry), { recursive: true, force: true });
      }
    })().catch((error: unknown) => {
      prepared = undefined;
      throw error;
    }));

  const withAccess = async <T>(remote: GitRemote, work: (access: GitMirrorAccess) => Promise<T>): Promise<T> => {
    await prepare();
    const access = await openGitMirrorAccess(remote, {
      keyDir,
      knownHostsFile: knownHostsFile(remote.repositoryId),
      connectTimeoutS: Math.max(1, Math.ceil(Math.min(config.remoteTimeoutMs, 30_000) / 1000)),
    });
    try {
      return await work(access);
    } finally {
      await access.dispose();
    }
  };

  /** Creates the bare mirror if missing: initialised aside, then renamed, so a crash never leaves half of one. */
  const ensureMirror = async (repositoryId: string): Promise<string> => {
    const dir = mirrorDir(repositoryId);
    await prepare();
    if (await exists(join(dir, 'HEAD'))) return dir;
    await mkdir(config.rootDir, { recursive: true });
    const aside = join(config.rootDir, `.init-${repositoryId}-${randomBytes(4).toString('hex')}`);
    const init = await git({ args: ['init', '--bare', '-q', '--template=', aside], what: 'init', isRemote: false });
    if (init.exitCode !== 0)
      throw new SlipwayError('INTERNAL', `git init of a mirror failed: ${init.tail.join(' / ')}`);
    await renameDirectoryDurably(aside, dir).catch(async (error: unknown) => {
      await rm(aside, { recursive: true, force: true });
      if (!(await exists(join(dir, 'HEAD')))) throw error;
    });
    return dir;
  };

  const listHeads = async (repositoryId: string): Promise<RemoteHead[]> => {
    const result = await local(
      repositoryId,
      ['for-each-ref', '--format=%(refname) %(objectname) %(*objectname)', 'refs/heads', 'refs/tags'],
      'for-each-ref',
      { isStdoutCaptured: true },
    );
    return result.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const [ref = '', object = '', peeled = ''] = line.split(' ');
        return { ref, commit: peeled === '' ? object : peeled };
      })
      .sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  };

  const fetchNow = async (remote: GitRemote, options: MirrorCallOptions | undefined): Promise<MirrorSync> => {
    const dir = await ensureMirror(remote.repositoryId);
    await withAccess(remote, (access) =>
      git({
        args: [
          '--git-dir',
          dir,
          'fetch',
          '--prune',
          '--no-tags',
          '--progress',
          '--no-write-fetch-head',
          '--',
          remote.url,
          '+refs/heads/*:refs/heads/*',
          '+refs/tags/*:refs/tags/*',
        ],
        what: 'fetch',
        access,
        isRemote: true,
        log: options?.log,
        remote,
      }),
    );
    return { heads: await listHeads(remote.repositoryId) };
  };

  const advance = (repositoryId: string) => {
    const flight = flights.get(repositoryId);
    if (flight?.queued === undefined) {
      flights.delete(repositoryId);
      return;
    }
    const running = flight.queued;
    flights.set(repositoryId, { running });
    running.then(
      () => advance(repositoryId),
      () => advance(repositoryId),
    );
  };

  /** One fetch runs per repository; callers arriving while it runs share the one queued after it. */
  const coalescedSync = (remote: GitRemote, options: MirrorCallOptions | undefined): Promise<MirrorSync> => {
    const id = remote.repositoryId;
    const flight = flights.get(id);
    if (flight === undefined) {
      const running = fetchNow(remote, options);
      flights.set(id, { running });
      running.then(
        () => advance(id),
        () => advance(id),
      );
      return running;
    }
    flight.queued ??= flight.running.then(noop, noop).then(() => fetchNow(remote, options));
    return flight.queued;
  };

  /** The caller's wait ends with its signal; the shared fetch goes on for the others (bounded by its deadline). */
  const waitFor = <T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> => {
    if (signal === undefined) return promise;
    if (signal.aborted) return Promise.reject(new SlipwayError('INTERRUPTED', 'git fetch was cancelled'));
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(new SlipwayError('INTERRUPTED', 'git fetch was cancelled'));
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  };

  const hasCommit = async (repositoryId: string, commit: string): Promise<boolean> => {
    if (!(await exists(join(mirrorDir(repositoryId), 'HEAD')))) return false;
    const result = await local(repositoryId, ['cat-file', '-e', `${commit}^{commit}`], 'cat-file');
    return result.exitCode === 0;
  };

  const parseLsRemote = (text: string): RemoteHead[] => {
    const objects = new Map<string, string>();
    const peeled = new Map<string, string>();
    for (const line of text.split('\n')) {
      const [object = '', name = ''] = line.split('\t');
      if (name.endsWith('^{}')) peeled.set(name.slice(0, -3), object);
      else if (name.startsWith('refs/heads/') || name.startsWith('refs/tags/')) objects.set(name, object);
    }
    return [...objects]
      .map(([ref, object]) => ({ ref, commit: peeled.get(ref) ?? object }))
      .sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  };

  return {
    mirrorDir,
    sync: (remote, options) => waitFor(coalescedSync(remote, options), options?.signal),

    async resolve(repositoryId, ref) {
      if (!safeRef.test(ref)) return undefined;
      if (!(await exists(join(mirrorDir(repositoryId), 'HEAD')))) return undefined;
      const result = await local(
        repositoryId,
        ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`],
        'rev-parse',
        { isStdoutCaptured: true },
      );
      const commit = result.stdout.trim();
      return result.exitCode === 0 && commitId.test(commit) ? commit : undefined;
    },

    async checkout(remote, commit, destDir, options) {
      if (!commitId.test(commit))
        throw new SlipwayError('SOURCE_INVALID', 'a repository source names a full commit id', {
          details: { commit: commit.slice(0, 80) },
        });
      const log = options?.log ?? noop;
      if (options?.path !== undefined && !subdirectory.test(options.path))
        throw new SlipwayError('SOURCE_INVALID', 'a checkout path is a relative directory without ".."', {
          details: { path: options.path.slice(0, 200) },
        });
      await prepare();
      if (await hasCommit(remote.repositoryId, commit)) {
        log(`commit ${commit} is in the mirror already: nothing to fetch`);
      } else {
        log(`fetching ${shown(remote)}`);
        await waitFor(coalescedSync(remote, options), options?.signal);
        if (!(await hasCommit(remote.repositoryId, commit))) {
          // A commit no branch or tag reaches: a fork's pull request under its own ref, or one some hosts still serve
          // when asked by id.
          const ref = options?.ref;
          const wanted = ref !== undefined && extraRef.test(ref) && !ref.includes('..') ? `+${ref}:${ref}` : commit;
          await withAccess(remote, (access) =>
            git({
              args: [
                '--git-dir',
                mirrorDir(remote.repositoryId),
                'fetch',
                '--no-tags',
                '--no-write-fetch-head',
                '--',
                remote.url,
                wanted,
              ],
              what: 'fetch',
              access,
              isRemote: true,
              log,
              signal: options?.signal,
              remote,
            }).then(
              () => undefined,
              () => undefined,
            ),
          );
        }
        if (!(await hasCommit(remote.repositoryId, commit)))
          throw new SlipwayError('SOURCE_REF_NOT_FOUND', `commit ${commit} was not found in ${shown(remote)}`, {
            details: { url: shown(remote), commit },
          });
      }
      const tree = options?.path === undefined ? commit : `${commit}:${options.path}`;
      const listTree = (args: string[], log: (line: string) => void) =>
        local(remote.repositoryId, args, 'ls-tree', { log, signal: options?.signal });
      await assertCheckoutSize(listTree, commit, tree, config.maxCheckoutBytes ?? defaultMaxCheckoutBytes);
      await mkdir(destDir, { recursive: true });
      const index = join(config.rootDir, `.index-${randomBytes(6).toString('hex')}`);
      const inTree = (args: string[], what: string) =>
        local(remote.repositoryId, ['--work-tree', destDir, '-c', 'core.bare=false', ...args], what, {
          env: { GIT_INDEX_FILE: index },
          signal: options?.signal,
        });
      try {
        for (const [args, what] of [
          [['read-tree', tree], 'read-tree'],
          [['checkout-index', '--all', '--force'], 'checkout-index'],
        ] as const) {
          const result = await inTree([...args], what);
          if (result.exitCode !== 0)
            throw new SlipwayError(
              'SOURCE_INVALID',
              `git ${what} of ${commit} failed: ${result.tail.slice(-2).join(' / ')}`,
            );
        }
      } finally {
        await rm(index, { force: true });
      }
      await confineSourceTree(destDir, { log, signal: options?.signal });
      const removed = await applySlipwayIgnore(destDir, options?.signal);
      if (removed > 0) log(`left out ${removed} ignored ${removed === 1 ? 'entry' : 'entries'} (.slipwayignore)`);
      log(`checked out ${commit}`);
    },

    async listRemoteHeads(remote, options) {
      await mkdir(config.rootDir, { recursive: true });
      const result = await withAccess(remote, (access) =>
        git({
          args: ['ls-remote', '--heads', '--tags', '--', remote.url],
          what: 'ls-remote',
          access,
          isRemote: true,
          isStdoutCaptured: true,
          signal: options?.signal,
          remote,
        }),
      );
      return parseLsRemote(result.stdout);
    },

    async remove(repositoryId) {
      await rm(mirrorDir(repositoryId), { recursive: true, force: true });
      await rm(knownHostsFile(repositoryId), { force: true });
      config.logger.info({ repositoryId }, 'git mirror removed');
    },
  };
}
