import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectBuilder, detectionSummary } from './detect-builder.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-detect-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function touch(...names: string[]): Promise<void> {
  for (const name of names) await writeFile(join(dir, name), '');
}

describe('builder detection', () => {
  it('takes image: before anything in the source', async () => {
    await touch('Dockerfile', 'package.json');
    expect(await detectBuilder(dir, { image: 'local/busybox:latest' })).toEqual({
      builder: 'image',
      marker: 'image: in slipway.yaml',
    });
  });

  it('takes build.dockerfile, even when no Dockerfile is at the root', async () => {
    await touch('package.json');
    expect(
      await detectBuilder(dir, { build: { builder: 'auto', dockerfile: 'docker/web.Dockerfile', timeoutSeconds: 60 } }),
    ).toEqual({
      builder: 'dockerfile',
      marker: 'build.dockerfile in slipway.yaml',
    });
  });

  it('lets a Dockerfile at the root win over package.json, Python markers, index.html and a Procfile', async () => {
    await touch('Dockerfile', 'package.json', 'requirements.txt', 'index.html', 'Procfile');
    expect(await detectBuilder(dir)).toEqual({ builder: 'dockerfile', marker: 'Dockerfile' });
  });

  it('keeps the order node, python, static, procfile without a Dockerfile', async () => {
    await touch('Procfile');
    expect((await detectBuilder(dir))?.builder).toBe('procfile');
    await touch('index.html');
    expect((await detectBuilder(dir))?.builder).toBe('static');
    await touch('app.py');
    expect((await detectBuilder(dir))?.builder).toBe('python');
    await touch('package.json');
    expect((await detectBuilder(dir))?.builder).toBe('node');
    await touch('dockerfile');
    expect((await detectBuilder(dir))?.builder).toBe('node');
  });

  it('names the image markers in what it looked for', () => {
    expect(detectionSummary).toContain('image: in slipway.yaml (image)');
    expect(detectionSummary).toContain('a Dockerfile (dockerfile)');
  });
});
