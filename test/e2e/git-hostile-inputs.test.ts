/**
 * Git delivery against hostile input, over real sockets to a real slipwayd: a signed pull request delivery whose
 * number no provider gives (`0`, `-5`, past what the API's preview routes can address) makes no preview — its
 * environment and host would be `pr--5.<app>.…` — and a push of a small pack whose blob inflates far past the
 * checkout limit (a "git bomb") fails its deployment before writing the file, while a normal push still deploys; a
 * push past the size limit tells its pusher so (git alone said "early EOF").
 * Neither the webhook secret nor a signature reaches slipwayd's log.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentView, WebhookDeliveryView } from '@slipway/contract';
import { signWebhook } from '@slipway/core';
import { waitFor } from '@slipway/testkit';
import { fixturesDir, repoRoot, SlipwaydHarness } from './slipwayd-harness.js';

const cliEntry = join(repoRoot, 'apps', 'cli', 'dist', 'slipway.mjs');
/** The checkout limit is 4 × maxArchiveBytes: 4 MiB here; the bomb's blob inflates to 16 MiB from a pack of ~20 KiB. */
const maxArchiveBytes = 1024 * 1024;
const bombBytes = 16 * 1024 * 1024;

interface GitResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('git delivery against hostile input', () => {
  let slipwayd: SlipwaydHarness;
  let workDir: string;
  let repositoryId: string;
  let secret: string;
  let deployerToken: string;
  const signatures: string[] = [];

  const git = (cwd: string, args: readonly string[], token?: string): Promise<GitResult> =>
    new Promise((resolve) => {
      const helper = token === undefined ? [] : ['-c', `credential.helper=!node ${cliEntry} git-credential`];
      execFile(
        'git',
        ['-c', 'credential.helper=', ...helper, ...args],
        {
          cwd,
          timeout: 120_000,
          env: {
            ...process.env,
            ...slipwayd.cliEnv(),
            SLIPWAY_DATA_DIR: join(workDir, 'no-data-dir'),
            ...(token === undefined ? {} : { SLIPWAY_TOKEN: token }),
            GIT_TERMINAL_PROMPT: '0',
            GIT_CONFIG_NOSYSTEM: '1',
            GIT_CONFIG_GLOBAL: '/dev/null',
            GIT_AUTHOR_NAME: 'pusher',
            GIT_AUTHOR_EMAIL: 'pusher@example.com',
            GIT_COMMITTER_NAME: 'pusher',
            GIT_COMMITTER_EMAIL: 'pusher@example.com',
          },
        },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr }),
      );
    });

  const pullRequest = (number: number): Buffer =>
    Buffer.from(
      JSON.stringify({
        action: 'opened',
        number,
        pull_request: {
          number,
          title: 'hostile',
          merged: false,
          user: { login: 'someone' },
          head: { sha: 'a'.repeat(40), ref: 'feature/x', repo: { id: 1 } },
          base: { ref: 'main', repo: { id: 1 } },
        },
        repository: { id: 1 },
      }),
    );

  const deliver = async (body: Buffer): Promise<{ status: number; delivery: { status: string; reason: string } }> => {
    const signed = signWebhook('github', secret, body);
    signatures.push(...Object.values(signed));
    const response = await fetch(`${slipwayd.url}/api/v1/hooks/github/${repositoryId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'pull_request',
        'x-github-delivery': `hostile-${body.length}-${signatures.length}`,
        ...signed,
      },
      body,
    });
    const answer = (await response.json()) as { delivery: { status: string; reason: string } };
    return { status: response.status, delivery: answer.delivery };
  };

  const settled = (id: string): Promise<DeploymentView> =>
    waitFor(
      async () => {
        const deployment = await slipwayd.api.deployments.get(id);
        if (deployment.state === 'pending' || deployment.state === 'running') throw new Error(`${id} still runs`);
        return deployment;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'slipway-git-hostile-'));
    const configFile = join(workDir, 'slipwayd.yaml');
    await writeFile(configFile, `maxArchiveBytes: ${maxArchiveBytes}\n`);
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start({ args: ['--config', configFile], logLevel: 'debug' });
    await slipwayd.api.apps.create({ name: 'shop', project: 'acme' });
    await slipwayd.api.apps.create({ name: 'bomb', project: 'acme' });
    const added = await slipwayd.api.repositories.add('acme', {
      name: 'upstream',
      url: 'https://github.com/acme/shop.git',
      provider: 'github',
      auth: { kind: 'none' },
    });
    repositoryId = added.id;
    const rotated = await slipwayd.cli(['repos', 'webhook', 'rotate', 'upstream', '--project', 'acme']);
    expect(rotated.code, rotated.stderr).toBe(0);
    secret = /secret: +(\S+)/.exec(rotated.stdout)?.[1] ?? '';
    expect(secret).not.toBe('');
    const enabled = await slipwayd.cli(['previews', 'enable', 'shop', '--repo', 'upstream']);
    expect(enabled.code, enabled.stderr).toBe(0);
    const token = await slipwayd.cli([
      'tokens',
      'create',
      'pusher',
      '--project',
      'acme',
      '--role',
      'deployer',
      '--json',
    ]);
    expect(token.code, token.stderr).toBe(0);
    deployerToken = (JSON.parse(token.stdout) as { secret: string }).secret;
  }, 120_000);

  afterAll(async () => {
    await slipwayd?.destroy();
    await rm(workDir, { recursive: true, force: true });
  });

  it('makes no preview for a pull request number no provider gives, recording the delivery as failed', async () => {
    for (const number of [-5, 0, 10_000_000_000]) {
      const answer = await deliver(pullRequest(number));
      expect(answer.status).toBe(202);
      expect(answer.delivery.status, `#${number}`).toBe('failed');
      expect(answer.delivery.reason).toContain('pull request number');
    }
    const listed = await slipwayd.cli(['repos', 'deliveries', 'upstream', '--project', 'acme', '--json']);
    const deliveries = (JSON.parse(listed.stdout) as { deliveries: WebhookDeliveryView[] }).deliveries;
    expect(deliveries.map((d) => d.outcome)).toEqual(['failed', 'failed', 'failed']);
    expect((await slipwayd.api.previews.list('shop')).previews).toEqual([]);
    const environments = await slipwayd.cli(['env', 'list', 'shop', '--json']);
    expect(environments.stdout).not.toMatch(/pr-/);
  });

  it("stores a delivery whose key another repository's delivery used before as its own, not as a duplicate", async () => {
    const other = await slipwayd.api.repositories.add('acme', {
      name: 'other',
      url: 'https://github.com/acme/other.git',
      provider: 'github',
      auth: { kind: 'none' },
    });
    const rotated = await slipwayd.cli(['repos', 'webhook', 'rotate', 'other', '--project', 'acme']);
    const otherSecret = /secret: +(\S+)/.exec(rotated.stdout)?.[1] ?? '';
    const key = 'reused-delivery-key';
    const send = async (repository: string, keySecret: string, event: string, body: Buffer) => {
      const signed = signWebhook('github', keySecret, body);
      signatures.push(...Object.values(signed));
      const response = await fetch(`${slipwayd.url}/api/v1/hooks/github/${repository}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': key, ...signed },
        body,
      });
      expect(response.status).toBe(202);
      return ((await response.json()) as { delivery: { id: string; status: string } }).delivery;
    };
    const first = await send(other.id, otherSecret, 'ping', Buffer.from('{"zen":"first"}'));
    expect(first.status).toBe('ignored');
    const push = Buffer.from(JSON.stringify({ ref: 'refs/tags/none', before: '0'.repeat(40), after: 'b'.repeat(40) }));
    const second = await send(repositoryId, secret, 'push', push);
    expect(second.status).toBe('queued');
    expect(second.id).not.toBe(first.id);
    // A retry to the same repository is still the duplicate it is.
    expect(await send(repositoryId, secret, 'push', push)).toEqual({
      ...second,
      status: 'duplicate',
      reason: 'delivered before',
    });
    const listed = await slipwayd.cli(['repos', 'deliveries', 'upstream', '--project', 'acme', '--json']);
    const deliveries = (JSON.parse(listed.stdout) as { deliveries: WebhookDeliveryView[] }).deliveries;
    expect(deliveries.find((d) => d.id === second.id)?.deliveryKey).toBe(key);
  });

  it('fails the deployment of a pushed commit whose files inflate past the checkout limit, then deploys a normal one', async () => {
    const dir = join(workDir, 'bomb');
    await cp(join(fixturesDir, 'hello-node'), dir, { recursive: true });
    await writeFile(join(dir, 'zeros.bin'), Buffer.alloc(bombBytes));
    for (const args of [
      ['init', '-q', '-b', 'main'],
      ['add', '-A'],
      ['commit', '-q', '-m', 'bomb'],
    ]) {
      expect((await git(dir, args)).code).toBe(0);
    }
    const remote = `${slipwayd.url}/git/bomb.git`;
    const pushed = await git(dir, ['push', remote, 'main'], deployerToken);
    expect(pushed.code, pushed.stderr).not.toBe(0);
    expect(pushed.stderr).toContain('more than the limit of 4194304 a checkout may write');
    const [failed] = (await slipwayd.api.deployments.list('bomb')).deployments;
    expect(await settled(failed?.id ?? '')).toMatchObject({
      state: 'failed',
      failure: { phase: 'fetch', code: 'ARCHIVE_TOO_LARGE' },
    });

    expect((await git(dir, ['rm', '-q', 'zeros.bin'])).code).toBe(0);
    expect((await git(dir, ['commit', '-q', '-m', 'no bomb'])).code).toBe(0);
    const fixed = await git(dir, ['push', remote, 'main'], deployerToken);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stderr).toContain('succeeded');
  });

  it('tells the pusher that a push over the size limit is too large, and moves no branch', async () => {
    const dir = join(workDir, 'large');
    await cp(join(fixturesDir, 'hello-node'), dir, { recursive: true });
    // Random bytes do not compress: the pack is about 3 MiB, past the 1 MiB a git request may carry here.
    await writeFile(join(dir, 'random.bin'), randomBytes(3 * 1024 * 1024));
    for (const args of [
      ['init', '-q', '-b', 'main'],
      ['add', '-A'],
      ['commit', '-q', '-m', 'large'],
    ]) {
      expect((await git(dir, args)).code).toBe(0);
    }
    await slipwayd.api.apps.create({ name: 'large', project: 'acme' });
    const remote = `${slipwayd.url}/git/large.git`;
    const pushed = await git(dir, ['push', remote, 'main'], deployerToken);
    expect(pushed.code).not.toBe(0);
    expect(pushed.stderr).toContain(`a git request may carry at most ${maxArchiveBytes} bytes (maxArchiveBytes`);
    const refs = await git(dir, ['ls-remote', remote], deployerToken);
    expect(refs.code, refs.stderr).toBe(0);
    expect(refs.stdout).not.toContain('refs/heads/main');
    expect((await slipwayd.api.deployments.list('large')).deployments).toEqual([]);
  });

  it('never writes the webhook secret or a signature to its log', () => {
    const sentinels = [secret, ...signatures, ...signatures.map((s) => s.replace(/^sha256=/, ''))];
    expect(sentinels.length).toBeGreaterThanOrEqual(3);
    for (const sentinel of sentinels) expect(slipwayd.output.includes(sentinel)).toBe(false);
  });
});
