/**
 * The bare repository slipwayd hosts for each app (`/git/<app>.git`), made on its first use: `git init --bare` with
 * the configuration a deployment target needs (receive over HTTP, no rewriting of history refused, no automatic gc
 * during a push).
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SlipwayError } from '@slipway/contract';
import type { AppRecord } from '@slipway/core';

const run = promisify(execFile);
/** Every git command slipwayd runs on its own repositories ends within this. */
const gitCommandTimeoutMs = 30_000;

export interface HostedRepository {
  /** The directory that holds it (http-backend's project root). */
  readonly root: string;
  /** Its directory name under `root`: `<app id>.git`. */
  readonly name: string;
}

export interface HostedRepositories {
  /** Idempotent: makes the app's bare repository when it does not exist yet. */
  ensure(app: AppRecord): Promise<HostedRepository>;
  /** The absolute path of its bare repository. */
  directoryOf(repository: HostedRepository): string;
  /** What a ref points to now (an annotated tag: the tag, and the commit it tags); undefined when it does not exist. */
  readRef(repository: HostedRepository, ref: string): Promise<{ object: string; commit: string } | undefined>;
  /**
   * Removes the bare repositories of apps that no longer exist (an app's removal leaves its repository behind; a new
   * app of the same name gets a repository of its own). Returns the app ids whose repository went.
   */
  removeOrphans(isApp: (appId: string) => Promise<boolean>): Promise<string[]>;
}

/** A hosted repository's directory name: the app's id and `.git`. */
const repositoryDirectoryPattern = /^(app_[0-9a-z]+)\.git$/;

export function createHostedRepositories(options: { readonly dataDir: string }): HostedRepositories {
  const root = join(options.dataDir, 'git', 'hosted');
  const creating = new Map<string, Promise<HostedRepository>>();
  const git = (directory: string, args: readonly string[]): Promise<{ stdout: string }> =>
    run('git', [`--git-dir=${directory}`, ...args], {
      timeout: gitCommandTimeoutMs,
      maxBuffer: 1024 * 1024,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        HOME: root,
      },
    });

  const create = async (app: AppRecord): Promise<HostedRepository> => {
    const repository = { root, name: `${app.id}.git` };
    const directory = join(root, repository.name);
    if (await isRepository(directory)) return repository;
    await mkdir(root, { recursive: true, mode: 0o700 });
    try {
      await run('git', ['init', '--quiet', '--bare', '--initial-branch=main', directory], {
        timeout: gitCommandTimeoutMs,
      });
      for (const [key, value] of [
        ['http.receivepack', 'true'],
        ['receive.denyNonFastForwards', 'false'],
        ['receive.denyDeletes', 'false'],
        ['gc.auto', '0'],
        ['receive.autogc', 'false'],
      ] as const) {
        await git(directory, ['config', key, value]);
      }
    } catch (error) {
      throw new SlipwayError('INTERNAL', `the repository of app "${app.name}" could not be created`, { cause: error });
    }
    return repository;
  };

  return {
    async removeOrphans(isApp) {
      let entries: string[];
      try {
        entries = await readdir(root);
      } catch {
        return [];
      }
      const removed: string[] = [];
      for (const entry of entries) {
        const appId = repositoryDirectoryPattern.exec(entry)?.[1];
        if (appId === undefined || creating.has(appId) || (await isApp(appId))) continue;
        await rm(join(root, entry), { recursive: true, force: true });
        removed.push(appId);
      }
      return removed;
    },
    directoryOf: (repository) => join(repository.root, repository.name),
    ensure(app) {
      // Two first pushes at once make it once.
      let pending = creating.get(app.id);
      if (pending === undefined) {
        pending = create(app).finally(() => creating.delete(app.id));
        creating.set(app.id, pending);
      }
      return pending;
    },
    async readRef(repository, ref) {
      const { stdout } = await git(join(repository.root, repository.name), [
        'for-each-ref',
        '--format=%(refname) %(objectname) %(*objectname)',
        ref,
      ]);
      // for-each-ref matches a prefix too: only the exact ref counts.
      for (const line of stdout.split('\n')) {
        const [name, object, peeled] = line.split(' ');
        if (name === ref && object !== undefined && object !== '') {
          return { object, commit: peeled === undefined || peeled === '' ? object : peeled };
        }
      }
      return undefined;
    },
  };
}

async function isRepository(directory: string): Promise<boolean> {
  try {
    return (await stat(join(directory, 'HEAD'))).isFile();
  } catch {
    return false;
  }
}
