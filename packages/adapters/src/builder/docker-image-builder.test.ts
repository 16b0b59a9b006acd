import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSlipwayError, type SlipwayError } from '@slipway/contract';
import { dockerTestEngine, dockerTestImages, waitFor, skipUnless } from '@slipway/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuilder } from './builder.js';
import { createDockerBuildTestHarness, type DockerBuildTestHarness } from './docker-build-test-harness.js';

async function failureOf(promise: Promise<unknown>): Promise<SlipwayError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!isSlipwayError(error)) throw new Error(`expected a SlipwayError, got ${String(error)}`, { cause: error });
  return error;
}

describe('dockerfile and image builders without an engine', () => {
  const builder = createBuilder({ staticServerPath: '/nonexistent' });
  const request = (dir: string, manifest = {}) => ({
    dir,
    manifest,
    env: {},
    log: () => {},
    timeoutMs: 10_000,
    image: { repository: 'slipway-test/none', tag: 't', labels: {} },
    secrets: {},
  });

  it('refuses a Dockerfile source with RUNTIME_UNAVAILABLE, saying how to get an engine', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-no-engine-'));
    await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\n');
    const error = await failureOf(builder.build(request(dir))).finally(() => rm(dir, { recursive: true }));
    expect(error.code).toBe('RUNTIME_UNAVAILABLE');
    expect(error.message).toContain('start Docker or set docker.host');
  });

  it('refuses an image: manifest with RUNTIME_UNAVAILABLE', async () => {
    const error = await failureOf(builder.build(request('/nonexistent', { image: 'local/busybox:latest' })));
    expect(error.code).toBe('RUNTIME_UNAVAILABLE');
  });
});

describe('dockerfile builder on a Docker Engine', skipUnless(dockerTestEngine()), () => {
  let harness: DockerBuildTestHarness;

  beforeAll(() => {
    harness = createDockerBuildTestHarness({ busyboxImage: dockerTestImages.busybox });
  });

  afterAll(async () => {
    await harness.cleanup();
    expect(harness.leftovers()).toEqual({ containers: [], images: [] });
  });

  it('builds the hello-docker fixture into a labelled image that runs and serves', async () => {
    const dir = await harness.fixture('hello-docker');
    const request = await harness.request(dir);
    const result = await harness.builder.build(request);

    const reference = `${request.image.repository}:${request.image.tag}`;
    expect(result.builder).toBe('dockerfile');
    expect(result.processes).toEqual({ web: { command: '' } });
    expect(result.image?.reference).toBe(reference);
    expect(result.image?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(harness.docker(['image', 'inspect', '-f', '{{.Id}}', reference])).toBe(result.image?.digest);
    expect(harness.docker(['image', 'inspect', '-f', '{{index .Config.Labels "slipway.namespace"}}', reference])).toBe(
      harness.namespace,
    );
    expect(request.lines).toContain('-----> dockerfile builder (Dockerfile)');
    expect(request.lines.filter((line) => /^Step \d+\/\d+ : /.test(line))).toEqual([
      'Step 1/4 : FROM local/node-runtime:latest',
      'Step 2/4 : COPY server.js .',
      'Step 3/4 : CMD ["node", "server.js"]',
      `Step 4/4 : LABEL slipway.namespace=${harness.namespace}`,
    ]);

    const container = harness.docker([
      'run',
      '-d',
      '--label',
      harness.label,
      '-e',
      'PORT=3000',
      '-e',
      'SLIPWAY_RELEASE=7',
      '-p',
      '127.0.0.1::3000',
      result.image?.digest ?? '',
    ]);
    const port = harness.docker(['port', container, '3000/tcp']).split(':').at(-1);
    const body = await waitFor(
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) });
        return response.text();
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(body).toBe('hello from release 7 (instance local)\n');
    harness.docker(['stop', '-t', '5', container]);
    expect(harness.docker(['inspect', '-f', '{{.State.ExitCode}}', container])).toBe('0');
  });

  it('passes build.args as build args and builds build.target of a multi-stage Dockerfile', async () => {
    const dir = await harness.source({
      'slipway.yaml': 'build:\n  dockerfile: docker/app.Dockerfile\n  target: app\n  args:\n    GREETING: hi there\n',
      Procfile: 'web: cat /greeting\nworker: sleep 1000\n',
    });
    await mkdir(join(dir, 'docker'));
    await writeFile(
      join(dir, 'docker/app.Dockerfile'),
      `FROM ${harness.baseImage} AS app\nARG GREETING\nRUN echo "$GREETING" > /greeting\n` +
        `FROM ${harness.baseImage} AS other\nRUN exit 9\n`,
    );
    const request = await harness.request(dir);
    const result = await harness.builder.build(request);

    expect(request.lines).toContain('-----> dockerfile builder (build.dockerfile in slipway.yaml)');
    expect(result.processes).toEqual({ web: { command: 'cat /greeting' }, worker: { command: 'sleep 1000' } });
    const reference = result.image?.reference ?? '';
    expect(harness.docker(['run', '--rm', '--label', harness.label, reference, 'cat', '/greeting'])).toBe('hi there');
  });

  it('sends the context less what .dockerignore excludes', async () => {
    const dir = await harness.source({
      Dockerfile: `FROM ${harness.baseImage}\nCOPY . /context/\n`,
      '.dockerignore': 'secret.txt\nlogs\n!logs/keep.log\n',
      'app.txt': 'app',
      'secret.txt': 'never in the image',
    });
    await mkdir(join(dir, 'logs'));
    await writeFile(join(dir, 'logs/debug.log'), 'noise');
    await writeFile(join(dir, 'logs/keep.log'), 'kept');
    const result = await harness.builder.build(await harness.request(dir));

    const listing = harness.docker([
      'run',
      '--rm',
      '--label',
      harness.label,
      result.image?.reference ?? '',
      'find',
      '/context',
      '-type',
      'f',
    ]);
    expect(listing.split('\n').sort()).toEqual([
      '/context/.dockerignore',
      '/context/Dockerfile',
      '/context/app.txt',
      '/context/logs/keep.log',
    ]);
  });

  it('fails with BUILD_FAILED naming the failing step (of five: the namespace label is the last), and leaves no build container', async () => {
    const dir = await harness.fixture('docker-build-fails');
    // The fixture's FROM is swapped for this run's base, so the layers the failed build leaves are found by label.
    const dockerfile = await readFile(join(dir, 'Dockerfile'), 'utf8');
    await writeFile(join(dir, 'Dockerfile'), dockerfile.replace(/^FROM .*$/m, `FROM ${harness.baseImage}`));
    const request = await harness.request(dir);
    const error = await failureOf(harness.builder.build(request));

    expect(error.code).toBe('BUILD_FAILED');
    expect(error.message).toBe(
      "Dockerfile step 3/5 `RUN echo 'error: something is broken' >&2 && exit 3` failed: " +
        "The command '/bin/sh -c echo 'error: something is broken' >&2 && exit 3' returned a non-zero code: 3",
    );
    expect(error.details).toEqual({ step: '3/5', command: "RUN echo 'error: something is broken' >&2 && exit 3" });
    expect(request.lines).toContain('error: something is broken');
    expect(harness.containersOnBase()).toEqual([]);
    // The layers of the steps that passed are removed with the failed build.
    const layers = request.lines.flatMap((line) => /^ ---> ([0-9a-f]{12})$/.exec(line)?.slice(1) ?? []);
    expect(layers.length).toBeGreaterThan(0);
    for (const layer of layers.slice(1)) {
      expect(spawnSync('docker', ['image', 'inspect', layer], { stdio: 'ignore' }).status, layer).not.toBe(0);
    }
  });

  it('fails with BUILD_FAILED when the base image is not on the engine and cannot be pulled', async () => {
    const missing = `slipway-test-missing/${harness.namespace}:never`;
    const dir = await harness.source({ Dockerfile: `FROM ${missing}\nRUN true\n` });
    const error = await failureOf(harness.builder.build(await harness.request(dir)));

    expect(error.code).toBe('BUILD_FAILED');
    expect(error.message).toContain(`the base image ${missing} is not on the engine and could not be pulled`);
    expect(error.details).toMatchObject({ step: '1/3', baseImage: missing });
  });

  it('times out with BUILD_TIMEOUT at the running step, and the engine removes the build container', async () => {
    const dir = await harness.source({ Dockerfile: `FROM ${harness.baseImage}\nRUN echo started && sleep 300\n` });
    const request = await harness.request(dir, { timeoutMs: 5_000 });
    const error = await failureOf(harness.builder.build(request));

    expect(error.code).toBe('BUILD_TIMEOUT');
    expect(error.details).toMatchObject({ step: '2/3', command: 'RUN echo started && sleep 300', timeoutMs: 5_000 });
    expect(request.lines).toContain('started');
    await waitFor(() => expect(harness.containersOnBase()).toEqual([]), { timeoutMs: 30_000, intervalMs: 200 });
  });

  it('stops at once with INTERRUPTED when the request is cancelled, leaving no build container', async () => {
    const dir = await harness.source({ Dockerfile: `FROM ${harness.baseImage}\nRUN echo started && sleep 300\n` });
    const controller = new AbortController();
    const request = await harness.request(dir, { signal: controller.signal });
    const log = request.log;
    request.log = (line) => {
      log(line);
      if (line === 'started') controller.abort();
    };
    const error = await failureOf(harness.builder.build(request));

    expect(error.code).toBe('INTERRUPTED');
    await waitFor(() => expect(harness.containersOnBase()).toEqual([]), { timeoutMs: 30_000, intervalMs: 200 });
  });

  it('fails with BUILD_FAILED and the engine message when the engine refuses the Dockerfile or the target', async () => {
    const unparsable = await harness.source({ Dockerfile: `FROM ${harness.baseImage}\nRUNN true\n` });
    const parseError = await failureOf(harness.builder.build(await harness.request(unparsable)));
    expect(parseError.code).toBe('BUILD_FAILED');
    expect(parseError.message).toBe(
      'the Dockerfile build failed: dockerfile parse error line 2: unknown instruction: RUNN',
    );

    const noTarget = await harness.source({
      Dockerfile: `FROM ${harness.baseImage}\n`,
      'slipway.yaml': 'build:\n  target: nope\n',
    });
    const targetError = await failureOf(harness.builder.build(await harness.request(noTarget)));
    expect(targetError.code).toBe('BUILD_FAILED');
    expect(targetError.message).toContain('failed to reach build target nope');
  });

  it('refuses a build.dockerfile outside the source with MANIFEST_INVALID', async () => {
    const dir = await harness.source({ 'slipway.yaml': 'build:\n  dockerfile: ../Dockerfile\n' });
    const error = await failureOf(harness.builder.build(await harness.request(dir)));
    expect(error.code).toBe('MANIFEST_INVALID');
  });
});
