import { dockerTestEngine, dockerTestImages, skipUnless } from '@slipway/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerBuildTestHarness, type DockerBuildTestHarness } from '../builder/docker-build-test-harness.js';
import { createDockerImageStore } from './docker-image-store.js';

describe('Docker image store', skipUnless(dockerTestEngine()), () => {
  let harness: DockerBuildTestHarness;

  beforeAll(() => {
    harness = createDockerBuildTestHarness({ busyboxImage: dockerTestImages.busybox });
  });

  afterAll(async () => {
    await harness.cleanup();
    expect(harness.leftovers()).toEqual({ containers: [], images: [] });
  });

  /** Builds an image with the builder, as a deployment would: labelled with the namespace. */
  async function buildImage(content: string): Promise<string> {
    const dir = await harness.source({ Dockerfile: `FROM ${harness.baseImage}\nRUN echo ${content} > /content\n` });
    const result = await harness.builder.build(await harness.request(dir));
    return result.image?.digest ?? '';
  }

  it('lists the images built under its namespace once each, with all their tags, newest first', async () => {
    const store = createDockerImageStore({ engine: harness.engine, namespace: harness.namespace });
    const older = await buildImage('one');
    const newer = await buildImage('two');
    harness.docker(['tag', newer, `slipway-test/${harness.namespace}:also`]);
    const others = createDockerImageStore({ engine: harness.engine, namespace: `${harness.namespace}-other` });

    const listed = await store.listBuilt();
    const createdAtMs = listed.map((image) => image.createdAtMs);
    expect(createdAtMs).toEqual([...createdAtMs].sort((a, b) => b - a));
    // The run's base image carries the label too (so what failed builds leave is found by it); the rest are builds.
    expect(listed.map((image) => image.references.sort())).toHaveLength(3);
    const byId = new Map(listed.map((image) => [image.id, image]));
    expect(byId.get(newer)?.references).toEqual([
      `slipway-test/${harness.namespace}:also`,
      `slipway-test/${harness.namespace}:build-2`,
    ]);
    expect(byId.get(older)?.references).toEqual([`slipway-test/${harness.namespace}:build-1`]);
    expect([...byId.values()].filter((image) => image.id !== newer && image.id !== older)).toMatchObject([
      { references: [harness.baseImage] },
    ]);
    const first = byId.get(newer);
    expect(first?.sizeBytes).toBeGreaterThan(0);
    expect(await others.listBuilt()).toEqual([]);
  });

  it('reports in-use while a stopped container uses the image, then removes it with all its tags', async () => {
    const store = createDockerImageStore({ engine: harness.engine, namespace: harness.namespace });
    const id = await buildImage('three');
    harness.docker(['tag', id, `slipway-test/${harness.namespace}:three-again`]);
    const container = harness.docker(['create', '--label', harness.label, id, 'true']);

    expect(await store.remove(id)).toBe('in-use');
    expect(harness.docker(['image', 'inspect', '-f', '{{len .RepoTags}}', id])).toBe('2');

    harness.docker(['rm', container]);
    expect(await store.remove(id)).toBe('removed');
    expect(harness.docker(['image', 'ls', '-q', '--no-trunc', '--filter', `label=${harness.label}`])).not.toContain(id);
    expect(await store.remove(id)).toBe('absent');
    expect((await store.listBuilt()).map((image) => image.id)).not.toContain(id);
  });
});
