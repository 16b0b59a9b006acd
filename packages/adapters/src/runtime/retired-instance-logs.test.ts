import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@slipway/testkit';
import { createRetiredInstanceLogs } from './retired-instance-logs.js';

describe('retired instance logs', () => {
  let root = '';
  let nowMs = 1_000_000;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'slipway-retired-'));
    nowMs = 1_000_000;
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const removedInstance = async (instanceId: string, logBytes: number): Promise<string> => {
    const dir = join(root, 'instances', instanceId);
    await mkdir(join(dir, 'scratch'), { recursive: true });
    await writeFile(join(dir, 'stdout.log'), 'x'.repeat(logBytes));
    await writeFile(join(dir, 'stderr.log'), 'Error: boom\n');
    await writeFile(join(dir, 'instance.json'), '{}');
    return dir;
  };

  const keep = async (logs: ReturnType<typeof createRetiredInstanceLogs>, instanceId: string, logBytes = 10) => {
    const labels = { 'slipway.app-id': 'app_1', 'slipway.process': 'web' };
    await logs.keep(
      { instanceId, labels, startedAtMs: nowMs - 10, exitCode: 1 },
      await removedInstance(instanceId, logBytes),
    );
  };

  it('keeps the log files of a removed instance, and only them, with what identifies it', async () => {
    const logs = createRetiredInstanceLogs(
      join(root, 'retired'),
      { maxAgeMs: 60_000, maxBytes: 1024 },
      silentLogger,
      () => nowMs,
    );

    await keep(logs, 'ins_1');

    expect(await logs.list()).toEqual([
      expect.objectContaining({
        instanceId: 'ins_1',
        exitCode: 1,
        retiredAtMs: nowMs,
        labels: expect.objectContaining({ 'slipway.process': 'web' }) as unknown,
      }),
    ]);
    const dir = await logs.dirOf('ins_1');
    expect((await readdir(dir ?? '')).sort()).toEqual(['retired.json', 'stderr.log', 'stdout.log']);
    expect(await logs.dirOf('ins_unknown')).toBeUndefined();
  });

  it('deletes the logs past their age', async () => {
    const logs = createRetiredInstanceLogs(
      join(root, 'retired'),
      { maxAgeMs: 60_000, maxBytes: 1024 },
      silentLogger,
      () => nowMs,
    );
    await keep(logs, 'ins_1');
    nowMs += 30_000;
    await keep(logs, 'ins_2');

    nowMs += 40_000;
    await logs.prune(true);

    expect((await logs.list()).map((r) => r.instanceId)).toEqual(['ins_2']);
  });

  it('deletes the oldest first once all of them together pass the size bound', async () => {
    const logs = createRetiredInstanceLogs(
      join(root, 'retired'),
      { maxAgeMs: 60_000, maxBytes: 1_200 },
      silentLogger,
      () => nowMs,
    );

    for (const id of ['ins_1', 'ins_2', 'ins_3']) {
      nowMs += 1;
      await keep(logs, id, 400);
    }

    expect((await logs.list()).map((r) => r.instanceId)).toEqual(['ins_2', 'ins_3']);
  });
});
