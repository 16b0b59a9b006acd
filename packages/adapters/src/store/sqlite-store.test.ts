/** Runs the Store contract against SQLite (a file and `:memory:`), plus what only a file-backed SQLite can show. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Store } from '@slipway/core';
import { describeStore } from '@slipway/testkit';
import { createSqliteStore } from './sqlite-store.js';

const dirs: string[] = [];
const freshFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-store-'));
  dirs.push(dir);
  return join(dir, 'slipway.db');
};

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describeStore('SQLite file', () => createSqliteStore({ file: freshFile() }));
describeStore('SQLite :memory:', () => createSqliteStore({ file: ':memory:' }));

describe('createSqliteStore', () => {
  const open: Store[] = [];
  const openStore = async (file: string) => {
    const store = await createSqliteStore({ file });
    open.push(store);
    await store.migrate();
    return store;
  };
  const project = { id: 'prj_01', name: 'acme', createdAtMs: 1_767_225_600_000 };

  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
  });

  it('puts the database file in WAL mode', async () => {
    const file = freshFile();
    await openStore(file);
    const probe = new SqliteDatabase(file, { readonly: true });
    try {
      expect(probe.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      probe.close();
    }
  });

  it('keeps the data across close and reopen, and migrating again changes nothing', async () => {
    const file = freshFile();
    const first = await createSqliteStore({ file });
    await first.migrate();
    await first.projects.insert(project);
    await first.close();

    const reopened = await openStore(file);
    expect(await reopened.projects.findById(project.id)).toEqual(project);
  });

  it("lets two stores on one file see each other's commits", async () => {
    const file = freshFile();
    const writer = await openStore(file);
    const reader = await openStore(file);

    await writer.projects.insert(project);
    expect(await reader.projects.findByName('acme')).toEqual(project);

    await reader.transaction(async (tx) => {
      await tx.environments.insert({ id: 'env_01', projectId: project.id, name: 'production', createdAtMs: 1 });
      await tx.apps.insert({ id: 'app_01', projectId: project.id, name: 'web', createdAtMs: 1 });
    });
    expect(await writer.apps.findByName('web')).toMatchObject({ id: 'app_01' });
    expect(await writer.environments.find(project.id, 'production')).toMatchObject({ id: 'env_01' });
  });

  it('enforces foreign keys (the cascades under an app rely on them)', async () => {
    const store = await openStore(freshFile());
    await expect(
      store.apps.insert({ id: 'app_01', projectId: 'prj_missing', name: 'web', createdAtMs: 1 }),
    ).rejects.toThrow(/FOREIGN KEY/);
  });
});
