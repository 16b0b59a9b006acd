import { isSlipwayError } from '@slipway/contract';
import { dockerTestEngine, dockerTestImages, skipUnless } from '@slipway/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerBuildTestHarness, type DockerBuildTestHarness } from './docker-build-test-harness.js';

describe('image builder on a Docker Engine', skipUnless(dockerTestEngine()), () => {
  let harness: DockerBuildTestHarness;
  let baseId: string;

  beforeAll(() => {
    harness = createDockerBuildTestHarness({ busyboxImage: dockerTestImages.busybox });
    baseId = harness.docker(['image', 'inspect', '-f', '{{.Id}}', harness.baseImage]);
  });

  afterAll(async () => {
    await harness.cleanup();
    expect(harness.leftovers()).toEqual({ containers: [], images: [] });
  });

  it('resolves a local image to its id, with a log line naming it, and a Procfile over the default web', async () => {
    const dir = await harness.source({
      'slipway.yaml': `image: ${harness.baseImage}\n`,
      Procfile: 'worker: sleep 1000\n',
      Dockerfile: 'FROM scratch\n',
    });
    const request = await harness.request(dir);
    const result = await harness.builder.build(request);

    expect(result).toEqual({
      builder: 'image',
      processes: { web: { command: '' }, worker: { command: 'sleep 1000' } },
      image: { reference: harness.baseImage, digest: baseId },
    });
    expect(request.lines).toContain(`-----> image ${harness.baseImage} is ${baseId}`);
    expect(harness.docker(['image', 'ls', '-q', '--filter', `reference=slipway-test/${harness.namespace}`])).toBe('');
  });

  it('resolves an image id', async () => {
    const dir = await harness.source({});
    const request = await harness.request(dir, { manifest: { image: baseId } });
    const result = await harness.builder.build(request);
    expect(result.image).toEqual({ reference: baseId, digest: baseId });
  });

  it('refuses an image the engine lacks with IMAGE_NOT_FOUND after one failed pull', async () => {
    const missing = `slipway-test-missing/${harness.namespace}:v1`;
    const dir = await harness.source({});
    const request = await harness.request(dir, { manifest: { image: missing } });
    const error = await harness.builder.build(request).catch((caught: unknown) => caught);

    expect(isSlipwayError(error) && error.code).toBe('IMAGE_NOT_FOUND');
    expect((error as Error).message).toMatch(
      new RegExp(`^image ${missing.replace(/[/.]/g, '\\$&')} is not on the engine and could not be pulled: [^(].+`),
    );
    expect(request.lines).toContain(`-----> ${missing} is not on the engine; pulling it`);
  });

  it('refuses an image id the engine lacks with IMAGE_NOT_FOUND without pulling', async () => {
    const missing = `sha256:${'0'.repeat(64)}`;
    const dir = await harness.source({});
    const error = await harness.builder
      .build(await harness.request(dir, { manifest: { image: missing } }))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'IMAGE_NOT_FOUND', details: { image: missing } });
  });
});
