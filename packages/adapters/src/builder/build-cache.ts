/**
 * The build cache: installed dependency directories (`node_modules`, `.venv`) kept from one build for the next whose
 * lockfile and toolchain are the same, per project, bounded in size by evicting the least recently used entries.
 *
 * Layout: `<rootDir>/<project hash>/<key>/content` (the directory as the install left it) and `…/<key>/size` (its
 * bytes). An entry is copied out, never linked, so a build or an instance changing its copy cannot change the entry.
 * Concurrent builds are safe: an entry is assembled under a temporary name and published by one atomic rename (a
 * second build publishing the same key finds it taken and drops its own); an entry evicted while a build copies from
 * it makes that copy fail, and the build installs as if it had missed.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renameDirectoryDurably } from '@slipway/atomic-file';
import type { DependencyInstall } from './build-plan.js';
import { readSourceFile, sourceFileLimit } from '../source/source-file.js';

export interface BuildCacheOptions {
  rootDir: string;
  /** Total size of all entries; the least recently used go first when a new entry pushes it over. */
  maxBytes: number;
}

export interface BuildCache {
  /** The cache key of an install, or undefined when it cannot be cached (no key files, or one is missing). */
  keyOf(scope: string, dir: string, install: DependencyInstall): Promise<string | undefined>;
  /** Copies the entry's directory into `<dir>/<outputDir>`; false on a miss (or a copy that failed, undone). */
  restore(scope: string, key: string, dir: string, install: DependencyInstall): Promise<boolean>;
  /** Keeps `<dir>/<outputDir>` under the key, then evicts down to the cap. Failures are logged, never thrown. */
  publish(
    scope: string,
    key: string,
    dir: string,
    install: DependencyInstall,
    log: (line: string) => void,
  ): Promise<void>;
}

/** Each copy is bounded: a stuck disk must not hold the build slot past the build's own deadline by much. */
const copyTimeoutMs = 5 * 60_000;
/** Lockfiles larger than this are not cached (read whole to hash them). */
const maxKeyFileBytes = 64 * 1024 * 1024;

const scopeDir = (scope: string): string => createHash('sha256').update(scope).digest('hex').slice(0, 16);

/** `cp -a`: one process, links kept as links, modes and times kept. */
function copyTree(from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('cp', ['-a', '--', from, to], { timeout: copyTimeoutMs, maxBuffer: 64 * 1024 }, (error, _out, stderr) => {
      if (error === null) resolve();
      else reject(new Error(`cp failed: ${stderr.trim() || error.message}`));
    });
  });
}

async function treeBytes(path: string): Promise<number> {
  const info = await lstat(path);
  if (!info.isDirectory()) return info.size;
  let total = info.size;
  for (const name of await readdir(path)) total += await treeBytes(join(path, name));
  return total;
}

export function createBuildCache(options: BuildCacheOptions): BuildCache {
  const { rootDir, maxBytes } = options;
  const entryDir = (scope: string, key: string): string => join(rootDir, scopeDir(scope), key);

  /** Removes the least recently used entries (by their directory's mtime, touched on each hit) down to the cap. */
  const evict = async (log: (line: string) => void): Promise<void> => {
    const entries: { path: string; bytes: number; usedAtMs: number }[] = [];
    for (const scope of await readdir(rootDir).catch(() => [] as string[])) {
      for (const key of await readdir(join(rootDir, scope)).catch(() => [] as string[])) {
        const path = join(rootDir, scope, key);
        if (key.startsWith('.')) {
          // A temporary entry a crashed build left: older than any copy may take, it is nobody's.
          const modifiedAtMs = (await stat(path).catch(() => undefined))?.mtimeMs;
          if (modifiedAtMs !== undefined && Date.now() - modifiedAtMs > 2 * copyTimeoutMs) {
            await rm(path, { recursive: true, force: true });
          }
          continue;
        }
        const bytes = Number(await readFile(join(path, 'size'), 'utf8').catch(() => '0'));
        const usedAtMs = (await stat(path).catch(() => undefined))?.mtimeMs ?? 0;
        entries.push({ path, bytes: Number.isFinite(bytes) ? bytes : 0, usedAtMs });
      }
    }
    let total = entries.reduce((sum, entry) => sum + entry.bytes, 0);
    for (const entry of entries.sort((a, b) => a.usedAtMs - b.usedAtMs)) {
      if (total <= maxBytes) break;
      await rm(entry.path, { recursive: true, force: true });
      total -= entry.bytes;
      log(`build cache: evicted an entry of ${entry.bytes} bytes (cap ${maxBytes} bytes)`);
    }
  };

  return {
    async keyOf(scope, dir, install) {
      if (install.keyFiles.length === 0) return undefined;
      const hash = createHash('sha256').update(
        `${install.outputDir}\0${install.toolchain}\0${install.keyText ?? ''}\0`,
      );
      for (const file of install.keyFiles) {
        const text = await readSourceFile(dir, file, sourceFileLimit(maxKeyFileBytes));
        if (text === undefined) return undefined;
        hash.update(`${file}\0${text.length}\0${text}\0`);
      }
      return `${install.outputDir.replace(/[^A-Za-z0-9]/g, '')}-${hash.digest('hex').slice(0, 32)}`;
    },

    async restore(scope, key, dir, install) {
      const entry = entryDir(scope, key);
      if ((await stat(join(entry, 'size')).catch(() => undefined)) === undefined) return false;
      const target = join(dir, install.outputDir);
      try {
        await rm(target, { recursive: true, force: true });
        await copyTree(join(entry, 'content'), target);
        const now = new Date();
        await utimes(entry, now, now).catch(() => undefined);
        return true;
      } catch {
        await rm(target, { recursive: true, force: true });
        return false;
      }
    },

    async publish(scope, key, dir, install, log) {
      const entry = entryDir(scope, key);
      const temporary = join(rootDir, scopeDir(scope), `.tmp-${randomBytes(6).toString('hex')}`);
      try {
        if ((await stat(entry).catch(() => undefined)) !== undefined) return;
        await mkdir(temporary, { recursive: true, mode: 0o700 });
        await copyTree(join(dir, install.outputDir), join(temporary, 'content'));
        const bytes = await treeBytes(join(temporary, 'content'));
        await writeFile(join(temporary, 'size'), String(bytes));
        await renameDirectoryDurably(temporary, entry);
        log(
          `build cache: kept ${install.outputDir} (${bytes} bytes) for the next build with the same ${install.keyFiles.join(' and ')}`,
        );
        await evict(log);
      } catch (error) {
        // Taken by a concurrent build (ENOTEMPTY/EEXIST), or a full disk: the build itself has succeeded either way.
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') log(`build cache: not kept (${(error as Error).message})`);
      } finally {
        await rm(temporary, { recursive: true, force: true });
      }
    },
  };
}
