/**
 * Durability of the SQLite catalog store, shown from outside a real process: a writer killed with SIGKILL right after
 * its commits resolve loses none of them on reopen, and (where strace is installed) every commit's WAL is fsynced
 * before the commit resolves, which is what survives a power cut rather than only a crash.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless, sortedCatalogSnapshot } from '@slipway/testkit';
import { createSqliteCatalogStore } from './sqlite-catalog-store.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-catalog-durability-'));
const writer = join(dir, 'writer.cjs');
const hasStrace = spawnSync('strace', ['-V']).status === 0;

/** The writer: commits the node, then one key per commit, saying `committed <index>` once each commit resolved. */
const writerSource = (storeModule: string) => `
import { createSqliteCatalogStore } from ${JSON.stringify(storeModule)};
const [file, lastIndexText] = process.argv.slice(2);
const node = { name: 'node-1', id: 'a5d7c0e2-0000-4000-8000-000000000001', address: '127.0.0.1', datacenter: 'dc1',
  meta: {}, taggedAddresses: {}, createIndex: 1, modifyIndex: 1 };
async function main() {
  const store = await createSqliteCatalogStore({ file });
  await store.commit({ index: 1, node });
  for (let index = 2; index <= Number(lastIndexText); index += 1) {
    const value = new TextEncoder().encode('value ' + index);
    await store.commit({ index, kvPut: [{ key: 'k/' + index, value, flags: 0, createIndex: index,
      modifyIndex: index, lockIndex: 0, session: null }] });
    process.stdout.write('committed ' + index + '\\n');
  }
  await store.close();
}
void main();
`;

beforeAll(async () => {
  const entry = join(dir, 'writer.ts');
  writeFileSync(entry, writerSource(join(import.meta.dirname, 'sqlite-catalog-store.ts')));
  const nativeAddon = createRequire(import.meta.url).resolve('better-sqlite3');
  await build({
    entryPoints: [entry],
    outfile: writer,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
    plugins: [
      {
        name: 'native-addon',
        setup(b) {
          b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: nativeAddon, external: true }));
        },
      },
    ],
  });
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('SQLite catalog store durability', () => {
  it('keeps every commit that resolved when its writer is killed with SIGKILL right after', async () => {
    const file = join(dir, 'killed.db');
    const child = spawn(process.execPath, [writer, file, '100000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    let acknowledged = 0;
    for await (const line of createInterface({ input: child.stdout })) {
      acknowledged = Number(line.replace('committed ', ''));
      if (acknowledged >= 200) {
        child.kill('SIGKILL');
        break;
      }
    }
    expect(await exited).toBe('SIGKILL');

    const store = await createSqliteCatalogStore({ file });
    try {
      const snapshot = sortedCatalogSnapshot(await store.load());
      const index = snapshot?.index ?? 0;
      expect(index).toBeGreaterThanOrEqual(acknowledged);
      // Every commit up to the stored index is there whole, and nothing past it: no commit torn by the kill.
      expect(snapshot?.kv.map((entry) => entry.key).sort()).toEqual(
        Array.from({ length: index - 1 }, (_, i) => `k/${i + 2}`).sort(),
      );
      expect(
        new TextDecoder().decode(snapshot?.kv.find((e) => e.key === `k/${acknowledged}`)?.value ?? undefined),
      ).toBe(`value ${acknowledged}`);
    } finally {
      await store.close();
    }
  });

  describe(
    'fsync',
    skipUnless({ isAvailable: hasStrace, reason: 'strace is not installed: the fsyncs cannot be watched' }),
    () => {
      it('fsyncs the write-ahead log of every commit before the commit resolves', () => {
        const file = join(dir, 'traced.db');
        const traced = spawnSync(
          'strace',
          ['-f', '-y', '-e', 'trace=fsync,fdatasync,write', process.execPath, writer, file, '21'],
          { encoding: 'utf8', timeout: 60_000 },
        );
        expect(traced.status, traced.stderr.slice(-2000)).toBe(0);
        const calls = traced.stderr
          .split('\n')
          .filter((line) => /\bf(?:data)?sync\(/.test(line) || /\bwrite\(1<[^>]*>, "committed /.test(line));
        let isSynced = false;
        const acknowledged: number[] = [];
        for (const line of calls) {
          if (/\bf(?:data)?sync\(/.test(line)) {
            if (line.includes(`<${file}-wal>`)) isSynced = true;
            continue;
          }
          const index = Number(/committed (\d+)/.exec(line)?.[1]);
          expect(isSynced, `commit ${index} resolved before its WAL was fsynced`).toBe(true);
          acknowledged.push(index);
          isSynced = false;
        }
        expect(acknowledged).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
      });
    },
  );
});
