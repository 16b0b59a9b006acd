/**
 * A promoted release survives a crash: watched from outside with strace, promoting a workspace flushes every file and
 * folder of it before the rename into releases/, and flushes releases/ after it. And the rule that keeps renames in
 * @slipway/atomic-file covers this store.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const hasStrace = spawnSync('strace', ['-V']).status === 0;

describe('fs artifact store', () => {
  let dataDir = '';
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-artifacts-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('flushes the whole release to disk around the rename that promotes it', async (context) => {
    if (!hasStrace) context.skip('strace is not installed: the flushes cannot be watched');
    const workspace = join(dataDir, 'work', 'dep-1');
    await mkdir(join(workspace, 'lib'), { recursive: true });
    await writeFile(join(workspace, 'server.js'), 'console.log(1)');
    await writeFile(join(workspace, 'lib', 'util.js'), 'export {}');
    const entry = join(dataDir, 'promote.ts');
    await writeFile(
      entry,
      `import { createFsArtifactStore } from ${JSON.stringify(join(import.meta.dirname, 'fs-artifact-store.ts'))};\n` +
        `void createFsArtifactStore({ dataDir: ${JSON.stringify(dataDir)} }).promote('dep-1', 'rel-1');\n`,
    );
    const bundle = join(dataDir, 'promote.cjs');
    await build({
      entryPoints: [entry],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      logLevel: 'silent',
    });

    const traced = spawnSync(
      'strace',
      ['-f', '-y', '-e', 'trace=fsync,fdatasync,rename,renameat,renameat2', process.execPath, bundle],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(traced.status, traced.stderr.slice(-2000)).toBe(0);
    const calls = traced.stderr.split('\n').filter((line) => /\b(fsync|fdatasync|rename\w*)\(/.test(line));
    const release = join(dataDir, 'releases', 'rel-1');
    const renameAt = calls.findIndex((line) => line.includes(`"${workspace}"`) && line.includes(`"${release}"`));
    expect(renameAt).toBeGreaterThanOrEqual(0);
    const synced = (lines: string[], path: string): boolean =>
      lines.some((line) => /\bf(?:data)?sync\(/.test(line) && line.includes(`<${path}>)`));
    const before = calls.slice(0, renameAt);
    for (const path of [
      join(workspace, 'server.js'),
      join(workspace, 'lib', 'util.js'),
      join(workspace, 'lib'),
      workspace,
    ])
      expect(synced(before, path), path).toBe(true);
    expect(synced(calls.slice(renameAt + 1), join(dataDir, 'releases'))).toBe(true);
    expect(await readFile(join(release, 'lib', 'util.js'), 'utf8')).toBe('export {}');
  });

  it('may not rename with node:fs: the lint rule that sends renames to @slipway/atomic-file applies here', async () => {
    const eslint = new ESLint({ cwd: repoRoot });
    const [result] = await eslint.lintText(`import { rename } from 'node:fs/promises';\nawait rename('a', 'b');\n`, {
      filePath: join(import.meta.dirname, 'fs-artifact-store.ts'),
    });
    expect(result?.messages.map((message) => message.ruleId)).toContain('no-restricted-imports');
  });
});
