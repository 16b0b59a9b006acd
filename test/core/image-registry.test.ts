import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, requestDeployment, assertImageRegistryAllowed, imageRegistryOf } from '@slipway/core';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

describe('image registries', () => {
  it('are read from a reference as the engine reads them', () => {
    expect(imageRegistryOf('nginx:1.27')).toBe('docker.io');
    expect(imageRegistryOf('local/busybox:latest')).toBe('docker.io');
    expect(imageRegistryOf('ghcr.io/acme/web:1')).toBe('ghcr.io');
    expect(imageRegistryOf('169.254.169.254:80/meta/data')).toBe('169.254.169.254:80');
    expect(imageRegistryOf('localhost/x')).toBe('localhost');
  });

  it('allow only what the operator listed; an image id is never pulled', () => {
    expect(() => assertImageRegistryAllowed('nginx', ['docker.io'])).not.toThrow();
    expect(() => assertImageRegistryAllowed('docker.io/library/nginx', ['index.docker.io'])).not.toThrow();
    expect(() => assertImageRegistryAllowed(`sha256:${'a'.repeat(64)}`, [])).not.toThrow();
    for (const image of ['127.0.0.1:7070/api', 'internal.example:5000/x', 'localhost/x', 'ghcr.io/a/b']) {
      expect(() => assertImageRegistryAllowed(image, ['docker.io'])).toThrow(
        expect.objectContaining({ code: 'IMAGE_REGISTRY_NOT_ALLOWED' }) as Error,
      );
    }
    expect(() => assertImageRegistryAllowed('ghcr.io/a/b', ['docker.io', 'ghcr.io'])).not.toThrow();
  });
});

describe('a deployment naming an image on another host', () => {
  let harness: CoreHarness;

  beforeEach(async () => {
    harness = await createCoreHarness();
    await createApp(harness.deps, { name: 'web', project: 'default' });
  });

  afterEach(async () => {
    await harness.close();
  });

  it('fails in build with IMAGE_REGISTRY_NOT_ALLOWED before the engine is asked, from the request or the manifest', async () => {
    const fromManifest = await harness.writeSource({ 'slipway.yaml': 'image: 169.254.169.254:80/latest/meta-data\n' });
    const requests = [
      { kind: 'image' as const, image: '127.0.0.1:7070/api/v1' },
      { kind: 'path' as const, path: fromManifest },
    ];
    for (const source of requests) {
      const view = await requestDeployment(harness.deps, { app: 'web', environment: 'production', source });
      const deployment = await harness.runToEnd(view.id);
      expect({ source: source.kind, failure: deployment.failure }).toMatchObject({
        source: source.kind,
        failure: { phase: 'build', code: 'IMAGE_REGISTRY_NOT_ALLOWED' },
      });
    }
  });
});
