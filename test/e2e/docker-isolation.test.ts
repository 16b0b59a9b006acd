/**
 * Tenant isolation on the docker runtime, against a real slipwayd and the real engine: the escape probe of
 * `process-isolation.test.ts`, built into a container of project alpha, aims at slipwayd's data dir and at project
 * beta's app (its release, its environment holding a secret, its process) and reaches none of them; what it writes
 * stays in its own container.
 */
import { createHash, randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerTestEngine, waitFor, skipUnless } from '@slipway/testkit';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

const engine = dockerTestEngine();
const secret = `beta-secret-${randomBytes(12).toString('hex')}`;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('docker instances are isolated from slipwayd and from other projects', skipUnless(engine), () => {
  let slipwayd: SlipwaydHarness;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create({ containers: 'docker' });
    await slipwayd.start();
  });

  afterAll(async () => {
    await slipwayd.destroy();
  });

  it("keeps a container of project alpha from the data dir and from project beta's release, environment and processes", async () => {
    await slipwayd.api.projects.create({ name: 'alpha' });
    await slipwayd.api.projects.create({ name: 'beta' });
    await slipwayd.api.apps.create({ name: 'victim', project: 'beta' });
    await slipwayd.api.secrets.set('victim', 'API_TOKEN', { value: secret });
    const victim = await slipwayd.api.deployments.create('victim', { path: join(fixturesDir, 'secret-echo') });
    expect(await slipwayd.settle(victim.deployment.id)).toMatchObject({ state: 'succeeded' });
    const [release] = (await slipwayd.api.releases.list('victim')).releases;
    const betaRelease = join(slipwayd.dataDir, 'releases', release?.id ?? '');
    const betaPid = (await slipwayd.api.instances.list('victim')).instances[0]?.pid ?? 0;
    expect(betaPid).toBeGreaterThan(0);

    await slipwayd.api.apps.create({ name: 'prober', project: 'alpha' });
    await slipwayd.api.config.patch('prober', {
      set: {
        DATA_DIR: slipwayd.dataDir,
        OTHER_RELEASE: betaRelease,
        OTHER_PID: String(betaPid),
        OTHER_SECRET_SHA256: sha256(secret),
      },
    });
    const prober = await slipwayd.api.deployments.create('prober', {
      path: join(fixturesDir, 'escape-probe'),
      manifest: {
        runtime: 'docker',
        build: { builder: 'dockerfile', dockerfile: 'probe.Dockerfile', timeoutSeconds: 600 },
      },
    });
    expect(await slipwayd.settle(prober.deployment.id, 180_000)).toMatchObject({ state: 'succeeded' });

    const report = JSON.parse((await slipwayd.edge('prober.localhost')).body) as Record<string, unknown>;

    expect(report).toMatchObject({
      readMasterKey: 'ENOENT',
      readAdminToken: 'ENOENT',
      readDatabase: 'ENOENT',
      readOtherRelease: 'ENOENT',
      // Host pids do not exist in the container's pid namespace.
      readOtherEnviron: 'ENOENT',
      environsWithOtherSecret: 0,
      killOther: 'ESRCH',
      writeDataDir: 'ENOENT',
      writeScratch: 'written',
    });
    // Whatever it wrote elsewhere (as root of its own container) went to its own layer, not to the host.
    for (const path of ['/etc/planted', '/usr/planted', join(slipwayd.dataDir, 'planted')]) {
      await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    }
    // Beta keeps serving, as the same process.
    await waitFor(async () =>
      expect(JSON.parse((await slipwayd.edge('victim.localhost')).body)).toMatchObject({ sha256: sha256(secret) }),
    );
    expect((await slipwayd.api.instances.list('victim')).instances[0]?.pid).toBe(betaPid);
  });
});
