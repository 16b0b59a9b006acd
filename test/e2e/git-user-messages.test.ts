/**
 * What a user is told when a repository is set up wrong, through the real CLI against a real slipwayd, a real `sshd`
 * and a real git HTTP server: a deploy key not yet added on the host, a token the host refuses, and a webhook secret
 * asked of a repository added without its provider each end in an error that says what to check or do.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  sshGitServerAvailability,
  startGitHttpTestServer,
  startSshGitTestServer,
  type GitHttpTestServer,
  type SshGitTestServer,
} from '@slipway/adapters';
import { skipUnless } from '@slipway/testkit';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

const token = 'sentinel-messages-token-71c2';
const gitEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^GIT_/.test(key))),
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

describe('git repositories: errors that say what to do', skipUnless(sshGitServerAvailability()), () => {
  let slipwayd: SlipwaydHarness;
  let workDir: string;
  let upstream: string;
  let http: GitHttpTestServer;
  let sshd: SshGitTestServer;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'slipway-repo-messages-'));
    const served = join(workDir, 'served');
    upstream = join(served, 'app.git');
    await cp(join(fixturesDir, 'hello-node'), upstream, { recursive: true });
    for (const args of [
      ['init', '-q', '-b', 'main'],
      ['add', '-A'],
      ['commit', '-q', '-m', 'v1'],
    ]) {
      execFileSync('git', args, { cwd: upstream, env: gitEnv });
    }
    http = await startGitHttpTestServer(served, { username: 'x-access-token', password: token });
    sshd = await startSshGitTestServer(join(workDir, 'sshd'));
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    await slipwayd.api.apps.create({ name: 'web', project: 'acme' });
  });

  afterAll(async () => {
    await slipwayd?.destroy();
    await sshd?.close();
    await http?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('names the deploy key to add when the host refuses it', async () => {
    const added = await slipwayd.cli(['repos', 'add', 'by-ssh', `${sshd.baseUrl}${upstream}`, '--project', 'acme']);
    expect(added.code, added.stderr).toBe(0);
    // The key is not authorized on the host yet.
    const deployed = await slipwayd.cli(['deploy', 'web', '--repo', 'by-ssh']);
    expect(deployed.code).not.toBe(0);
    expect(deployed.stderr).toContain('SOURCE_UNREACHABLE');
    expect(deployed.stderr).toContain('check that the deploy key `slipway repos show` prints is added on the host');
  });

  it('says to check the token when the host refuses it', async () => {
    const port = new URL(http.url).port;
    const added = await slipwayd.cli(
      ['repos', 'add', 'by-token', `http://127.0.0.1:${port}/app.git`, '--project', 'acme', '--token-stdin'],
      { input: 'not-the-token\n' },
    );
    expect(added.code, added.stderr).toBe(0);
    const deployed = await slipwayd.cli(['deploy', 'web', '--repo', 'by-token']);
    expect(deployed.code).not.toBe(0);
    expect(deployed.stderr).toContain('check that the token is valid and may read this repository');
    expect(deployed.stderr).not.toContain(token);
  });

  it('tells how to name the provider when a webhook secret is asked of a generic repository', async () => {
    const rotated = await slipwayd.cli(['repos', 'webhook', 'rotate', 'by-token', '--project', 'acme']);
    expect(rotated.code).not.toBe(0);
    expect(rotated.stderr).toContain('slipway repos add by-token <url> --provider github|gitlab|gitea|bitbucket');
  });
});
