/**
 * What a source leaves out of the release: in a git working tree, what git leaves out (`.gitignore`,
 * `.git/info/exclude`, the user's excludes file: `git ls-files --cached --others --exclude-standard`), and, in every
 * source, what `.slipwayignore` at its root names (gitignore syntax). A `.env` with secrets that git ignores is
 * never copied into a release.
 */
import { execFile } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { SlipwayError } from '@slipway/contract';
import { readSourceFile, sourceFileLimit } from './source-file.js';

export const slipwayIgnoreFile = '.slipwayignore';

/** Answers whether a path of the source (relative, `/`-separated; a directory ends in `/`) is left out. */
export type SourceFilter = (relativePath: string, isDirectory: boolean) => boolean;

export interface SourceIgnore {
  isIgnored: SourceFilter;
  /** Where the rules came from, for the log: `.gitignore`, `.slipwayignore`. */
  sources: string[];
}

/** Bounds of the one git command: a huge repository fails the fetch rather than holding it. */
const gitTimeoutMs = 60_000;
const gitMaxOutputBytes = 256 * 1024 * 1024;

/** The files git would track or add, relative to `root`; undefined when `root` is not in a git working tree. */
function gitListedFiles(root: string): Promise<Set<string> | undefined> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      // safe.directory: a tree owned by another user is still read (only read); without it git refuses it and the
      // ignored files would be shipped.
      ['-c', 'safe.directory=*', '-C', root, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
      {
        timeout: gitTimeoutMs,
        maxBuffer: gitMaxOutputBytes,
        // HOME for the user's own excludes file; nothing else of slipwayd's environment (GIT_DIR…) steers git.
        env: {
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          ...(process.env['HOME'] === undefined ? {} : { HOME: process.env['HOME'] }),
        },
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve(new Set(stdout.split('\0').filter((path) => path !== '')));
        } else if ((error as NodeJS.ErrnoException).code === 'ENOENT' || /not a git repository/i.test(stderr)) {
          resolve(undefined);
        } else {
          reject(
            new SlipwayError(
              'SOURCE_INVALID',
              `could not list the files git keeps in ${root} (so as to leave out what .gitignore ignores): ${stderr.trim() || error.message}`,
              { details: { path: root }, cause: error },
            ),
          );
        }
      },
    );
  });
}

/** The rules of `.slipwayignore` at the root of `dir`, or undefined when there is none. */
export async function readSlipwayIgnore(dir: string): Promise<Ignore | undefined> {
  const text = await readSourceFile(dir, slipwayIgnoreFile, sourceFileLimit(1024 * 1024));
  return text === undefined ? undefined : ignore().add(text);
}

/**
 * The filter of a local directory: git's view when it is a working tree, then `.slipwayignore`. Errors:
 * `SOURCE_INVALID` when git is there but cannot list the tree.
 */
export async function sourceIgnoreOf(root: string): Promise<SourceIgnore> {
  const listed = await gitListedFiles(root);
  const rules = await readSlipwayIgnore(root);
  const sources = [
    ...(listed === undefined ? [] : ['.gitignore']),
    ...(rules === undefined ? [] : [slipwayIgnoreFile]),
  ];
  // A directory is kept when git lists something under it.
  const listedDirs = new Set<string>();
  for (const path of listed ?? []) {
    for (let end = path.indexOf('/'); end !== -1; end = path.indexOf('/', end + 1)) listedDirs.add(path.slice(0, end));
  }
  /** Git lists a submodule (`sub`) or a nested repository (`sub/`) whole: everything under it is kept. */
  const isUnderListedWhole = (relativePath: string): boolean => {
    for (let end = relativePath.indexOf('/'); end !== -1; end = relativePath.indexOf('/', end + 1)) {
      const ancestor = relativePath.slice(0, end);
      if (listed?.has(ancestor) === true || listed?.has(`${ancestor}/`) === true) return true;
    }
    return false;
  };
  return {
    sources,
    isIgnored(relativePath, isDirectory) {
      if (rules?.ignores(isDirectory ? `${relativePath}/` : relativePath) === true) return true;
      if (listed === undefined || isUnderListedWhole(relativePath)) return false;
      if (isDirectory)
        return !listedDirs.has(relativePath) && !listed.has(relativePath) && !listed.has(`${relativePath}/`);
      return !listed.has(relativePath);
    },
  };
}

/**
 * Removes from a fetched tree (a git checkout, an unpacked archive) what its `.slipwayignore` names; returns how many
 * files and directories went.
 */
export async function applySlipwayIgnore(dir: string, signal?: AbortSignal): Promise<number> {
  const rules = await readSlipwayIgnore(dir);
  if (rules === undefined) return 0;
  let removed = 0;
  const walk = async (relativeDir: string): Promise<void> => {
    for (const entry of await readdir(join(dir, relativeDir), { withFileTypes: true })) {
      if (signal?.aborted === true) throw new SlipwayError('INTERRUPTED', 'fetching the source was cancelled');
      const relativePath = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      const isDirectory = entry.isDirectory();
      if (rules.ignores(isDirectory ? `${relativePath}/` : relativePath)) {
        await rm(join(dir, relativePath), { recursive: true, force: true });
        removed += 1;
      } else if (isDirectory) {
        await walk(relativePath);
      }
    }
  };
  await walk('');
  return removed;
}
