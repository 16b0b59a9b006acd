/**
 * A release is code plus config, end to end through the real CLI: a config change whose rollout fails is taken back,
 * a rollback restores the old release's config and secrets (what `config list` and `secrets list` show, and what the
 * next deploy starts from), and a change that changes nothing makes no release. Narrated step by step: each step
 * starts from the release the one before left.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

const source = join(fixturesDir, 'hello-node');

describe('config as part of a release', () => {
  let slipwayd: SlipwaydHarness;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    expect((await slipwayd.cli(['apps', 'create', 'hello'])).code).toBe(0);
    const deploy = await slipwayd.cli(['deploy', 'hello', '--path', source]);
    expect(deploy.code, deploy.stdout + deploy.stderr).toBe(0);
  });

  afterAll(async () => {
    await slipwayd.destroy();
  });

  const configOf = async () =>
    JSON.parse((await slipwayd.cli(['config', 'list', 'hello', '--json'])).stdout) as {
      config: Record<string, string>;
      release: number | null;
      pendingKeys: string[];
    };
  const releaseNumbers = async () => (await slipwayd.api.releases.list('hello')).releases.map((r) => r.number);
  const serves = (text: string) =>
    waitFor(async () => expect((await slipwayd.edge('hello.localhost')).body).toContain(text), { timeoutMs: 20_000 });

  it('takes back a config change whose rollout fails, says so, and the next deploy succeeds without it', async () => {
    const good = await slipwayd.cli(['config', 'set', 'hello', 'RELEASE_MESSAGE=v2']);
    expect(good.code, good.stdout + good.stderr).toBe(0);
    await serves('hello from release v2');

    // An address no interface has: the app cannot listen, so every instance of the new release crashes.
    const bad = await slipwayd.cli(['config', 'set', 'hello', 'HOST=192.0.2.1']);
    expect(bad.code, bad.stdout + bad.stderr).toBe(1);
    expect(bad.stdout).toContain('release 2 keeps serving');
    expect(bad.stdout).toContain("the change is taken back: the config is release 2's again");
    expect(bad.stdout).toMatch(/change taken back: config HOST as in release 2 again/);
    expect(await configOf()).toMatchObject({ config: { RELEASE_MESSAGE: 'v2' }, release: 2, pendingKeys: [] });

    const deploy = await slipwayd.cli(['deploy', 'hello', '--path', source]);
    expect(deploy.code, deploy.stdout + deploy.stderr).toBe(0);
    expect(deploy.stdout).toContain('deployed hello release 4');
    await serves('hello from release v2');

    // The history says, by name only, what each release changed, and what became of the deployment that made it.
    const history = (await slipwayd.api.releases.list('hello')).releases;
    const byNumber = (n: number) => history.find((r) => r.number === n);
    expect(byNumber(3)).toMatchObject({ changedConfigKeys: ['HOST'], madeBy: { kind: 'config', state: 'failed' } });
    expect(byNumber(4)).toMatchObject({ changedConfigKeys: [], madeBy: { kind: 'deploy', state: 'succeeded' } });
    expect(byNumber(4)?.configHash).toBe(byNumber(2)?.configHash);
    expect(byNumber(3)?.configHash).not.toBe(byNumber(2)?.configHash);
    expect(JSON.stringify(history)).not.toContain('192.0.2.1');
  });

  it('restores the config and secrets of the release a rollback goes to, and the next deploy starts from them', async () => {
    const set = await slipwayd.cli(['config', 'set', 'hello', 'RELEASE_MESSAGE=v5']);
    expect(set.code, set.stdout + set.stderr).toBe(0);
    const secret = await slipwayd.cli(['secrets', 'set', 'hello', '--from-stdin', 'API_TOKEN'], {
      input: 'sentinel-value\n',
    });
    expect(secret.code, secret.stdout + secret.stderr).toBe(0);
    await serves('hello from release v5');

    const rollback = await slipwayd.cli(['rollback', 'hello', '--to', '4']);
    expect(rollback.code, rollback.stdout + rollback.stderr).toBe(0);
    await serves('hello from release v2');
    expect(await configOf()).toMatchObject({ config: { RELEASE_MESSAGE: 'v2' }, release: 4, pendingKeys: [] });
    const secrets = JSON.parse((await slipwayd.cli(['secrets', 'list', 'hello', '--json'])).stdout) as {
      secrets: { name: string }[];
    };
    expect(secrets.secrets).toEqual([]);

    const deploy = await slipwayd.cli(['deploy', 'hello', '--path', source]);
    expect(deploy.code, deploy.stdout + deploy.stderr).toBe(0);
    const [latest] = (await slipwayd.api.releases.list('hello')).releases;
    expect(latest).toMatchObject({ number: 7, isCurrent: true, configKeys: ['RELEASE_MESSAGE'] });
    await serves('hello from release v2');
  });

  it('makes no release, and replaces no instance, for a change that changes nothing', async () => {
    const before = await releaseNumbers();
    const instances = (await slipwayd.api.instances.list('hello')).instances.map((i) => i.id);

    const unset = await slipwayd.cli(['config', 'unset', 'hello', 'NOT_SET']);
    expect(unset).toMatchObject({ code: 0, stdout: 'nothing to unset: NOT_SET not set on hello; no release made\n' });
    const same = await slipwayd.cli(['config', 'set', 'hello', 'RELEASE_MESSAGE=v2']);
    expect(same).toMatchObject({
      code: 0,
      stdout: 'nothing to change: RELEASE_MESSAGE already so on hello; no release made\n',
    });
    const answer = await slipwayd.api.config.patch('hello', { unset: ['NOT_SET'] });
    expect(answer).toMatchObject({ isChanged: false, deploymentId: null, release: 7 });

    expect(await releaseNumbers()).toEqual(before);
    expect((await slipwayd.api.instances.list('hello')).instances.map((i) => i.id)).toEqual(instances);

    const setSecret = () =>
      slipwayd.cli(['secrets', 'set', 'hello', '--from-stdin', 'API_TOKEN'], { input: 'same-value\n' });
    expect((await setSecret()).code).toBe(0);
    const again = await setSecret();
    expect(again).toMatchObject({
      code: 0,
      stdout: 'nothing to change: API_TOKEN already so on hello; no release made\n',
    });
    expect(await releaseNumbers()).toEqual([8, ...before]);
  });

  it('shows a change stored with --no-deploy as not rolled out yet', async () => {
    const stored = await slipwayd.cli(['config', 'set', 'hello', 'LATER=1', '--no-deploy']);
    expect(stored.code, stored.stderr).toBe(0);
    expect(await configOf()).toMatchObject({ release: 8, pendingKeys: ['LATER'] });
    const list = await slipwayd.cli(['config', 'list', 'hello']);
    expect(list.stdout).toContain('config of release 8');
    expect(list.stdout).toContain('not rolled out yet (stored with --no-deploy): LATER; the next deploy applies it');
  });
});
