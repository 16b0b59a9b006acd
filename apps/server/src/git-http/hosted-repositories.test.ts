import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppRecord } from '@slipway/core';
import { createHostedRepositories } from './hosted-repositories.js';

const appOf = (id: string): AppRecord => ({ id, projectId: 'prj_1', name: id.replace('_', '-'), createdAtMs: 0 });

describe('hosted repositories, with the real git', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-hosted-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('removes the bare repositories of apps that no longer exist, and nothing else', async () => {
    const repositories = createHostedRepositories({ dataDir });
    for (const id of ['app_01live', 'app_02gone', 'app_03gone']) await repositories.ensure(appOf(id));
    const root = join(dataDir, 'git', 'hosted');
    await mkdir(join(root, 'not-an-app.git'));
    const live = new Set(['app_01live']);
    const removed = await repositories.removeOrphans(async (id) => live.has(id));
    expect(removed.sort()).toEqual(['app_02gone', 'app_03gone']);
    expect((await readdir(root)).sort()).toEqual(['app_01live.git', 'not-an-app.git']);
    expect(await repositories.removeOrphans(async (id) => live.has(id))).toEqual([]);
  });

  it('answers nothing removed before any repository exists', async () => {
    expect(await createHostedRepositories({ dataDir }).removeOrphans(async () => false)).toEqual([]);
  });
});
