/**
 * Hostile archives against a real slipwayd: a gzip bomb and an archive of very many tiny files each end in a failed
 * deployment with a coded error, the live release keeps serving, the API answers throughout, and slipwayd's memory
 * stays bounded.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';
import { join } from 'node:path';

/** slipwayd's peak resident memory may not pass this, whatever an upload holds. */
const maxPeakRssBytes = 512 * 1024 * 1024;

function tarHeader(path: string, sizeBytes: number): Buffer {
  const header = new Header({ path, mode: 0o644, uid: 0, gid: 0, mtime: new Date(0), type: 'File', size: sizeBytes });
  header.encode();
  if (header.block === undefined) throw new Error('header did not encode');
  return header.block;
}

/**
 * One file of `sizeBytes` zeros in about 1/1000 of that: gzip members concatenate, so one compressed 64 MiB block of
 * zeros is repeated instead of compressing gigabytes here.
 */
function gzipBomb(sizeBytes: number): Buffer {
  const blockBytes = 64 * 1024 * 1024;
  const zeros = gzipSync(Buffer.alloc(blockBytes));
  const members = [gzipSync(tarHeader('zeros.bin', sizeBytes))];
  for (let written = 0; written < sizeBytes; written += blockBytes) members.push(zeros);
  members.push(gzipSync(Buffer.alloc(1024)));
  return Buffer.concat(members);
}

function manyFiles(count: number): Buffer {
  const blocks: Buffer[] = [];
  const body = Buffer.concat([Buffer.from('x'), Buffer.alloc(511)]);
  for (let index = 0; index < count; index += 1) blocks.push(tarHeader(`d${index % 100}/f${index}.txt`, 1), body);
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** Peak resident set size of a process so far (VmHWM), in bytes. */
function peakRssBytes(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

describe('archive limits', () => {
  let slipwayd: SlipwaydHarness;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    await slipwayd.api.apps.create({ name: 'stable' });
    const { deployment } = await slipwayd.api.deployments.create('stable', { path: join(fixturesDir, 'hello-node') });
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
    await waitFor(async () => expect((await slipwayd.edge('stable.localhost')).status).toBe(200));
  });

  afterAll(async () => {
    await slipwayd.destroy();
  });

  /** Deploys `archive` to the live app while polling the API, and returns the settled deployment and the polls. */
  const deployWhilePolling = async (archive: Buffer, fileName: string) => {
    const polls = { answered: 0, failed: 0 };
    let isPolling = true;
    const polling = (async () => {
      while (isPolling) {
        const ok = await slipwayd.api.apps.list().then(
          () => true,
          () => false,
        );
        if (ok) polls.answered += 1;
        else polls.failed += 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const { deployment } = await slipwayd.api.deployments.create('stable', { archive, fileName });
    const settled = await slipwayd.settle(deployment.id, 120_000);
    isPolling = false;
    await polling;
    return { settled, polls };
  };

  it('fails a 2 GB gzip bomb with ARCHIVE_TOO_LARGE while the live release serves and the API answers', async () => {
    const bomb = gzipBomb(1900 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(4 * 1024 * 1024);

    const { settled, polls } = await deployWhilePolling(bomb, 'bomb.tar.gz');

    expect(settled).toMatchObject({ state: 'failed', failure: { phase: 'fetch', code: 'ARCHIVE_TOO_LARGE' } });
    expect(polls.failed).toBe(0);
    expect(polls.answered).toBeGreaterThan(0);
    expect((await slipwayd.edge('stable.localhost')).status).toBe(200);
    expect(peakRssBytes(slipwayd.pid ?? 0)).toBeLessThan(maxPeakRssBytes);
  });

  it('fails an archive of 60,000 tiny files with ARCHIVE_TOO_LARGE while the live release serves', async () => {
    const { settled, polls } = await deployWhilePolling(manyFiles(60_000), 'many.tar.gz');

    expect(settled).toMatchObject({ state: 'failed', failure: { phase: 'fetch', code: 'ARCHIVE_TOO_LARGE' } });
    expect(settled.failure?.reason).toContain('more than 50000 entries');
    expect(polls.failed).toBe(0);
    expect((await slipwayd.edge('stable.localhost')).status).toBe(200);
    expect(peakRssBytes(slipwayd.pid ?? 0)).toBeLessThan(maxPeakRssBytes);
  });
});
