import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { dockerTestEngine, dockerTestImages, skipUnless } from '@slipway/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBuildSecretServer } from './build-secret-server.js';
import { createDockerBuildTestHarness, type DockerBuildTestHarness } from './docker-build-test-harness.js';

describe('build secret server', () => {
  it('answers a secret under its token, 404 for any other path or method, and nothing once closed', async () => {
    const server = await startBuildSecretServer({ secrets: { NPM_TOKEN: 'npm-value' }, host: '127.0.0.1' });
    expect(server.listenHost).toBe('127.0.0.1');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{64}$/);

    const found = await fetch(`${server.url}/NPM_TOKEN`);
    expect([found.status, await found.text()]).toEqual([200, 'npm-value']);
    const wrongToken = server.url.replace(/[0-9a-f]{64}$/, 'f'.repeat(64));
    const misses = [
      await fetch(`${server.url}/OTHER`),
      await fetch(`${wrongToken}/NPM_TOKEN`),
      await fetch(`${server.url}/`),
      await fetch(`${server.url.replace(/\/[0-9a-f]{64}$/, '')}/NPM_TOKEN`),
      await fetch(`${server.url}/toString`),
      await fetch(`${server.url}/NPM_TOKEN`, { method: 'POST', body: 'x' }),
    ];
    expect(misses.map((response) => response.status)).toEqual([404, 404, 404, 404, 404, 404]);
    for (const response of misses) expect(await response.text()).toBe('not found\n');

    await server.close();
    await server.close();
    await expect(fetch(`${server.url}/NPM_TOKEN`)).rejects.toThrow();
  });

  it('listens on all interfaces when the host is no address of this machine, advertising the host', async () => {
    const server = await startBuildSecretServer({ secrets: {}, host: '192.0.2.1' });
    try {
      expect(server.listenHost).toBe('0.0.0.0');
      expect(server.url).toMatch(/^http:\/\/192\.0\.2\.1:\d+\//);
    } finally {
      await server.close();
    }
  });
});

describe('build secrets in a Dockerfile build', skipUnless(dockerTestEngine()), () => {
  let harness: DockerBuildTestHarness;

  beforeAll(() => {
    harness = createDockerBuildTestHarness({ busyboxImage: dockerTestImages.busybox });
  });

  afterAll(async () => {
    await harness.cleanup();
    expect(harness.leftovers()).toEqual({ containers: [], images: [] });
  });

  it('lets a RUN step read a secret that lands in no layer, config or history, and the server is gone after', async () => {
    const sentinel = `sentinel-${randomBytes(16).toString('hex')}`;
    const dir = await harness.source({
      'slipway.yaml': 'build:\n  secrets: [API_TOKEN]\n',
      Dockerfile:
        `FROM ${harness.baseImage}\nARG SLIPWAY_SECRETS_URL\n` +
        'RUN wget -qO- "$SLIPWAY_SECRETS_URL/API_TOKEN" | sha256sum | cut -d" " -f1 > /token.sha256\n',
    });
    const request = await harness.request(dir, { secrets: { API_TOKEN: sentinel } });
    const result = await harness.builder.build(request);
    const reference = result.image?.reference ?? '';

    const hash = harness.docker(['run', '--rm', '--label', harness.label, reference, 'cat', '/token.sha256']);
    expect(hash).toBe(createHash('sha256').update(sentinel).digest('hex'));

    // `docker save`: the image's layer tars (uncompressed), its config (with the history) and manifest, as bytes.
    const archive = execFileSync('docker', ['save', reference], { maxBuffer: 512 * 1024 * 1024 });
    expect(archive.length).toBeGreaterThan(1024);
    expect(archive.includes(Buffer.from(sentinel))).toBe(false);
    expect(harness.docker(['history', '--no-trunc', reference])).not.toContain(sentinel);
    expect(harness.docker(['image', 'inspect', reference])).not.toContain(sentinel);
    expect(request.lines.join('\n')).not.toContain(sentinel);
    expect(request.lines).toContain('-----> build secrets for this build only: API_TOKEN');

    // The URL is in the history (a build arg), but nothing answers it any more.
    const history = harness.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', reference]);
    const url = /SLIPWAY_SECRETS_URL=(http:\/\/\S+)/.exec(history)?.[1];
    expect(url).toMatch(/^http:\/\/\d+\.\d+\.\d+\.\d+:\d+\/[0-9a-f]{64}$/);
    await expect(fetch(`${url ?? ''}/API_TOKEN`)).rejects.toThrow();
  });

  it('warns when build.secrets are set but the Dockerfile declares no ARG SLIPWAY_SECRETS_URL', async () => {
    const dir = await harness.source({ Dockerfile: `FROM ${harness.baseImage}\nRUN true\n` });
    const request = await harness.request(dir, { secrets: { API_TOKEN: 'x' } });
    await harness.builder.build(request);
    expect(request.lines).toContain(
      'warning: build.secrets (API_TOKEN) cannot be read by this build: the Dockerfile declares no ARG SLIPWAY_SECRETS_URL',
    );
  });
});
