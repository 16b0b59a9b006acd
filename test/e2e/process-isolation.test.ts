/**
 * Tenant isolation of process instances and builds, against a real slipwayd running as root with bubblewrap: an app
 * of project alpha tries every way out it knows — the data dir's master key, admin token and database, the release,
 * environment and processes of an app of project beta, writes outside its scratch dir — from its build and from its
 * running instance, and fails at every one, while beta keeps serving. Narrated step by step: each step needs the one
 * before.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor, skipUnless } from '@slipway/testkit';
import { sandboxSkipReason } from '../../packages/adapters/src/sandbox/sandbox-test-support.js';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

const skipReason = sandboxSkipReason();
const secret = `beta-secret-${randomBytes(12).toString('hex')}`;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const sandbox = { isAvailable: skipReason === undefined, reason: skipReason ?? '' };

describe('process instances and builds are isolated per project', skipUnless(sandbox), () => {
  let slipwayd: SlipwaydHarness;
  let betaRelease = '';
  let betaPid = 0;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
  });

  afterAll(async () => {
    await slipwayd.destroy();
  });

  it('says in its status that process instances run sandboxed', async () => {
    expect((await slipwayd.api.status()).isolation).toEqual({ mode: 'sandbox' });
    const status = await slipwayd.cli(['status']);
    expect(status.stdout).toMatch(/isolation\s+sandbox/);
  });

  it("deploys project beta's app with a secret", async () => {
    await slipwayd.api.projects.create({ name: 'alpha' });
    await slipwayd.api.projects.create({ name: 'beta' });
    await slipwayd.api.apps.create({ name: 'victim', project: 'beta' });
    await slipwayd.api.secrets.set('victim', 'API_TOKEN', { value: secret });
    const { deployment } = await slipwayd.api.deployments.create('victim', {
      path: join(fixturesDir, 'secret-echo'),
    });
    expect(await slipwayd.settle(deployment.id)).toMatchObject({ state: 'succeeded' });
    await waitFor(async () =>
      expect(JSON.parse((await slipwayd.edge('victim.localhost')).body)).toMatchObject({ sha256: sha256(secret) }),
    );
    const [release] = (await slipwayd.api.releases.list('victim')).releases;
    betaRelease = join(slipwayd.dataDir, 'releases', release?.id ?? '');
    betaPid = (await slipwayd.api.instances.list('victim')).instances[0]?.pid ?? 0;
    expect((await stat(betaRelease)).isDirectory()).toBe(true);
    expect(betaPid).toBeGreaterThan(0);
  });

  it("keeps project alpha's build and instance from the data dir, beta's release, environment and processes, and from writing outside its scratch dir", async () => {
    await slipwayd.api.apps.create({ name: 'prober', project: 'alpha' });
    await slipwayd.api.config.patch('prober', {
      set: {
        DATA_DIR: slipwayd.dataDir,
        OTHER_RELEASE: betaRelease,
        OTHER_PID: String(betaPid),
        OTHER_SECRET_SHA256: sha256(secret),
      },
    });
    const { deployment } = await slipwayd.api.deployments.create('prober', {
      path: join(fixturesDir, 'escape-probe'),
    });
    expect(await slipwayd.settle(deployment.id)).toMatchObject({ state: 'succeeded' });

    const report = JSON.parse((await slipwayd.edge('prober.localhost')).body) as Record<string, unknown>;

    expect(report).toEqual({
      uid: report.uid,
      readMasterKey: 'ENOENT',
      readAdminToken: 'ENOENT',
      readDatabase: 'ENOENT',
      readOtherRelease: 'ENOENT',
      readOtherEnviron: 'ENOENT',
      environsWithOtherSecret: 0,
      killOther: 'ESRCH',
      writeOwnRelease: 'EROFS',
      writeDataDir: 'EACCES',
      writeEtc: 'EROFS',
      writeUsr: 'EROFS',
      writeScratch: 'written',
      build: [
        `read ${slipwayd.dataDir}/master.key: refused`,
        `read ${slipwayd.dataDir}/admin-token: refused`,
        `read ${betaRelease}/server.js: refused`,
        'write data dir: refused',
        '',
      ].join('\n'),
    });
    expect(report.uid).not.toBe(0);
    await expect(stat(join(slipwayd.dataDir, 'planted'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(join(slipwayd.dataDir, 'planted-by-build'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('leaves beta serving, as the same process, under a user of its own', async () => {
    expect(JSON.parse((await slipwayd.edge('victim.localhost')).body)).toMatchObject({ sha256: sha256(secret) });
    expect((await slipwayd.api.instances.list('victim')).instances[0]?.pid).toBe(betaPid);
    const users = JSON.parse(await readFile(join(slipwayd.dataDir, 'sandbox-users.json'), 'utf8')) as {
      users: Record<string, number>;
    };
    const uids = Object.values(users.users);
    expect(uids).toHaveLength(2);
    expect(new Set(uids).size).toBe(2);
    expect((await stat(betaRelease)).uid).toBeOneOf(uids);
  });

  it('keeps both projects on their users and re-adopts their instances across a restart of slipwayd', async () => {
    const before = await readFile(join(slipwayd.dataDir, 'sandbox-users.json'), 'utf8');
    await slipwayd.kill('SIGTERM');
    await slipwayd.start();

    await waitFor(async () =>
      expect((await slipwayd.api.instances.list('victim')).instances[0]).toMatchObject({ pid: betaPid }),
    );
    expect(JSON.parse((await slipwayd.edge('victim.localhost')).body)).toMatchObject({ sha256: sha256(secret) });
    expect(await readFile(join(slipwayd.dataDir, 'sandbox-users.json'), 'utf8')).toBe(before);
  });
});
