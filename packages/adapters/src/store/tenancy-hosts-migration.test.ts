/** Migration `0006-tenancy-hosts` on a store from before it: the hosts routed then are claimed by their project. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { migrations } from './migrations.js';
import { createSqliteStore } from './sqlite-store.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

it('claims each host routed before host claims existed for the project of its oldest route', async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-migration-'));
  const file = join(dir, 'slipway.db');
  const database = new SqliteDatabase(file);
  const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
  const migrator = new Migrator({ db: old, provider: { getMigrations: async () => migrations } });
  expect((await migrator.migrateTo('0005-containers')).error).toBeUndefined();
  database.exec(`
    insert into projects values ('prj_a', 'alpha', 0), ('prj_b', 'beta', 0);
    insert into environments values ('env_a', 'prj_a', 'production', 0), ('env_b', 'prj_b', 'production', 0);
    insert into apps values ('app_a', 'prj_a', 'shop', 0), ('app_b', 'prj_b', 'blog', 0);
    insert into routes (id, app_id, environment_id, host, path_prefix, process, timeout_ms, origin) values
      ('rte_1', 'app_a', 'env_a', 'shop.localhost', '/', 'web', null, 'default'),
      ('rte_2', 'app_a', 'env_a', 'shared.example.com', '/', 'web', null, 'manifest'),
      ('rte_3', 'app_b', 'env_b', 'shared.example.com', '/login', 'web', null, 'manifest'),
      ('rte_4', 'app_b', 'env_b', 'blog.localhost', '/', 'web', null, 'default');
  `);
  await old.destroy();

  const store = await createSqliteStore({ file });
  try {
    await store.migrate();
    const claims = (await store.hostClaims.list()).map((c) => [c.host, c.projectId, c.origin, c.appId]);
    expect(claims).toEqual([
      ['blog.localhost', 'prj_b', 'default', 'app_b'],
      ['shared.example.com', 'prj_a', 'first-use', null],
      ['shop.localhost', 'prj_a', 'default', 'app_a'],
    ]);
  } finally {
    await store.close();
  }
});
