/**
 * The build context of a Dockerfile build: the source tree as a tar stream, less what `.dockerignore` excludes, as the
 * `docker` CLI sends it (the Dockerfile and `.dockerignore` themselves are always sent).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import dockerignore from '@balena/dockerignore';
import { create } from 'tar';
import { readSourceFile, sourceFileLimit } from '../source/source-file.js';

/** The relative paths (POSIX separators) that go into the context: files, symlinks and directories, parents first. */
export async function listBuildContext(dir: string, dockerfilePath: string): Promise<string[]> {
  const text = await readSourceFile(dir, '.dockerignore', sourceFileLimit(1024 * 1024));
  const patterns = text === undefined ? [] : text.split(/\r?\n/);
  const ignore = dockerignore({ ignorecase: false }).add(patterns);
  // A `!` exception may re-include something under an excluded directory, so excluded directories are walked too,
  // unless there is no exception at all (then a node_modules is skipped whole).
  const hasExceptions = patterns.some((pattern) => pattern.trim().startsWith('!'));
  const alwaysSent = new Set([dockerfilePath, '.dockerignore']);
  const included: string[] = [];

  async function walk(relativeDir: string): Promise<void> {
    const entries = await readdir(relativeDir === '' ? dir : join(dir, relativeDir), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      const isIgnored = ignore.ignores(path) && !alwaysSent.has(path);
      if (entry.isDirectory()) {
        if (!isIgnored) included.push(path);
        if (!isIgnored || hasExceptions) await walk(path);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && !isIgnored) {
        included.push(path);
      }
    }
  }
  await walk('');
  return withParents(included);
}

/** A directory re-included by an exception under an excluded parent needs its parents in the tar, as the CLI sends. */
function withParents(paths: string[]): string[] {
  const present = new Set(paths);
  const result: string[] = [];
  for (const path of paths) {
    const parts = path.split('/');
    for (let depth = 1; depth < parts.length; depth += 1) {
      const parent = parts.slice(0, depth).join('/');
      if (!present.has(parent)) {
        present.add(parent);
        result.push(parent);
      }
    }
    result.push(path);
  }
  return result;
}

/**
 * The context as an uncompressed tar stream (the engine is local or near; gzip would cost CPU on both sides).
 * Symlinks are archived as links, never followed; owners and host-specific metadata are left out.
 */
export async function createBuildContext(dir: string, dockerfilePath: string): Promise<Readable> {
  const paths = await listBuildContext(dir, dockerfilePath);
  // node-tar reads an entry starting with "@" as an archive to concatenate.
  const entries = paths.map((path) => (path.startsWith('@') ? `./${path}` : path));
  const pack = create({ cwd: dir, portable: true, noDirRecurse: true, follow: false }, entries);
  return Readable.from(pack, { objectMode: false });
}
