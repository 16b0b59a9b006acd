/**
 * Webhooks end to end against a real slipwayd: a repository's secret made with the CLI, deliveries signed as each
 * provider signs them, the answers a provider gets (202, 401, 404, 413), the inbox listed by the CLI, a retry stored
 * once, and a slipwayd killed (SIGKILL) after accepting a delivery that handles it once it is back. No secret and no
 * signature reaches the data dir, the log or an API answer.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signStandardWebhook, signWebhook, type GitProvider } from '@slipway/core';
import type { WebhookDeliveryView } from '@slipway/contract';
import { waitFor } from '@slipway/testkit';
import { filesUnder } from './files-under.js';
import { repoRoot, SlipwaydHarness } from './slipwayd-harness.js';

const fixtures = join(repoRoot, 'test', 'fixtures', 'webhooks');
const fixture = (name: string): Buffer => readFileSync(join(fixtures, `${name}.json`));

let harness: SlipwaydHarness;
const repositories: Record<string, { id: string; secret: string }> = {};
const answers: string[] = [];

async function addRepository(name: string, url: string, provider: GitProvider): Promise<string> {
  const response = await harness.fetch('/api/v1/projects/acme/repositories', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, url, provider, auth: { kind: 'none' } }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function rotate(name: string, grace = '0'): Promise<string> {
  const result = await harness.cli(['repos', 'webhook', 'rotate', name, '--project', 'acme', '--grace', grace]);
  expect(result.code, result.stderr).toBe(0);
  answers.push(result.stdout);
  const secret = /secret: +(\S+)/.exec(result.stdout)?.[1];
  expect(result.stdout).toContain(`/api/v1/hooks/`);
  if (secret === undefined) throw new Error(`no secret in ${result.stdout}`);
  return secret;
}

async function post(path: string, body: Buffer, headers: Record<string, string>): Promise<Response> {
  return fetch(`${harness.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

/**
 * A delivery announcing a body over the limit: slipwayd refuses it from its Content-Length, before reading any of
 * it, so only the request head is sent (over a raw socket, which a client library would not allow).
 */
function statusOfHugeDelivery(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(harness.apiPort, '127.0.0.1');
    let answer = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer')));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (status !== null) {
        resolve(Number(status[1]));
        socket.destroy();
      }
    });
    socket.on('error', reject);
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${5 * 1024 * 1024}\r\n\r\n`,
    );
  });
}

async function deliver(provider: GitProvider, name: string, body: Buffer, headers: Record<string, string>) {
  const repository = repositories[name];
  if (repository === undefined) throw new Error(`no repository ${name}`);
  const response = await post(`/api/v1/hooks/${provider}/${repository.id}`, body, {
    ...headers,
    ...signWebhook(provider, repository.secret, body),
  });
  const text = await response.text();
  answers.push(text);
  return { status: response.status, body: JSON.parse(text) as { delivery?: { status: string; reason: string } } };
}

async function deliveries(name: string): Promise<WebhookDeliveryView[]> {
  const result = await harness.cli(['repos', 'deliveries', name, '--project', 'acme', '--json']);
  expect(result.code, result.stderr).toBe(0);
  answers.push(result.stdout);
  return (JSON.parse(result.stdout) as { deliveries: WebhookDeliveryView[] }).deliveries;
}

async function settled(name: string, key: string): Promise<WebhookDeliveryView> {
  return waitFor(
    async () => {
      const found = (await deliveries(name)).find((d) => d.deliveryKey === key);
      if (found?.status !== 'done') throw new Error(`delivery ${key} is ${found?.status ?? 'missing'}`);
      return found;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
}

beforeAll(async () => {
  harness = await SlipwaydHarness.create();
  await harness.start({ logLevel: 'debug' });
  await harness.api.projects.create({ name: 'acme' });
  for (const [name, url, provider] of [
    ['gh', 'https://github.com/acme/api.git', 'github'],
    ['gl', 'https://gitlab.com/acme/api.git', 'gitlab'],
    ['gt', 'https://git.example.com/acme/api.git', 'gitea'],
    ['bb', 'https://bitbucket.org/acme/api.git', 'bitbucket'],
  ] as const) {
    const id = await addRepository(name, url, provider);
    repositories[name] = { id, secret: '' };
  }
}, 60_000);

afterAll(async () => {
  await harness?.destroy();
});

describe('webhooks', () => {
  it('refuses every delivery of a repository that has no webhook secret yet', async () => {
    const body = fixture('gitlab-push');
    const response = await post(`/api/v1/hooks/gitlab/${repositories.gl?.id}`, body, { 'x-gitlab-token': 'guess' });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'WEBHOOK_SECRET_NOT_SET' } });
  });

  it("accepts each provider's signed delivery with 202, hands it over, and lists it with its outcome", async () => {
    for (const name of ['gh', 'gl', 'gt', 'bb']) {
      const repository = repositories[name];
      if (repository !== undefined) repository.secret = await rotate(name);
    }
    const github = JSON.stringify({ ref: 'refs/heads/main', before: 'a'.repeat(40), after: 'b'.repeat(40) });
    const sent = [
      await deliver('github', 'gh', Buffer.from(github), { 'x-github-event': 'push', 'x-github-delivery': 'gh-1' }),
      await deliver('gitlab', 'gl', fixture('gitlab-push'), {
        'x-gitlab-event': 'Push Hook',
        'idempotency-key': 'gl-1',
      }),
      await deliver('gitea', 'gt', fixture('gitea-push'), { 'x-gitea-event': 'push', 'x-gitea-delivery': 'gt-1' }),
      await deliver('bitbucket', 'bb', fixture('bitbucket-push'), {
        'x-event-key': 'repo:push',
        'x-request-uuid': 'bb-1',
      }),
    ];
    for (const answer of sent) expect(answer).toMatchObject({ status: 202, body: { delivery: { status: 'queued' } } });
    for (const [name, key] of [
      ['gh', 'gh-1'],
      ['gl', 'gl-1'],
      ['gt', 'gt-1'],
      ['bb', 'bb-1'],
    ] as const) {
      const delivery = await settled(name, key);
      expect(delivery).toMatchObject({ status: 'done', attempts: 1 });
      expect(delivery.outcome).not.toBeNull();
    }
    const table = await harness.cli(['repos', 'deliveries', 'gl', '--project', 'acme']);
    expect(table.stdout).toMatch(/Push Hook +done/);
    // The events of every delivery were handled, and measured (a delivery may carry more than one event).
    const metrics = await (await harness.fetch('/metrics')).text();
    const handled = /^slipway_webhook_event_duration_seconds_count\{outcome="succeeded"\} (\d+)$/m.exec(metrics);
    expect(Number(handled?.[1])).toBeGreaterThanOrEqual(4);
    expect(metrics).not.toContain('slipway_webhook_event_duration_seconds_count{outcome="failed"}');
  });

  it('accepts a GitLab delivery signed the Standard Webhooks way (signing token), and refuses a stale one', async () => {
    const body = fixture('gitlab-push');
    const path = `/api/v1/hooks/gitlab/${repositories.gl?.id}`;
    const secret = repositories.gl?.secret ?? '';
    const signed = signStandardWebhook(secret, body, 'msg_standard_1', Date.now());
    const accepted = await post(path, body, { 'x-gitlab-event': 'Push Hook', ...signed });
    answers.push(await accepted.text());
    expect(accepted.status).toBe(202);
    await settled('gl', 'msg_standard_1');
    const stale = signStandardWebhook(secret, body, 'msg_standard_2', Date.now() - 10 * 60_000);
    const refused = await post(path, body, { 'x-gitlab-event': 'Push Hook', ...stale });
    answers.push(await refused.text());
    expect(refused.status).toBe(401);
  });

  it('stores a retried delivery once and answers it 202 duplicate', async () => {
    const body = fixture('gitea-push');
    const retry = await deliver('gitea', 'gt', body, { 'x-gitea-event': 'push', 'x-gitea-delivery': 'gt-1' });
    expect(retry).toMatchObject({ status: 202, body: { delivery: { status: 'duplicate' } } });
    expect((await deliveries('gt')).filter((d) => d.deliveryKey === 'gt-1')).toHaveLength(1);
  });

  it('answers 202 for an event it ignores and for a malformed payload, recording why', async () => {
    const ignored = await deliver('github', 'gh', Buffer.from('{"zen":"Keep it simple."}'), {
      'x-github-event': 'ping',
      'x-github-delivery': 'gh-ping',
    });
    expect(ignored).toMatchObject({ status: 202, body: { delivery: { status: 'ignored' } } });
    const malformed = await deliver('gitlab', 'gl', Buffer.from('{"object_kind":'), {
      'x-gitlab-event': 'Push Hook',
      'idempotency-key': 'gl-bad',
    });
    expect(malformed).toMatchObject({
      status: 202,
      body: { delivery: { status: 'failed', reason: 'the delivery body is not JSON' } },
    });
    expect(await settled('gl', 'gl-bad')).toMatchObject({ outcome: 'failed', reason: 'the delivery body is not JSON' });
  });

  it('answers 401 to a bad signature, 404 to an unknown repository or provider, 413 to a body over the limit', async () => {
    const body = fixture('gitea-push');
    const forged = await post(`/api/v1/hooks/gitea/${repositories.gt?.id}`, body, {
      'x-gitea-signature': 'ab'.repeat(32),
    });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: { code: 'WEBHOOK_SIGNATURE_INVALID' } });
    expect((await post('/api/v1/hooks/gitea/repo_missing', body, {})).status).toBe(404);
    expect((await post(`/api/v1/hooks/svn/${repositories.gt?.id}`, body, {})).status).toBe(404);
    expect(await statusOfHugeDelivery(`/api/v1/hooks/gitea/${repositories.gt?.id}`)).toBe(413);
  });

  it('audits refused deliveries, and leaves accepted ones to the inbox', async () => {
    const { records } = await harness.api.audit.list({ action: 'webhooks.receive', limit: 500 });
    expect(records.some((r) => r.errorCode === 'WEBHOOK_SIGNATURE_INVALID')).toBe(true);
    expect(records.some((r) => r.errorCode === 'WEBHOOK_SECRET_NOT_SET')).toBe(true);
    expect(records.every((r) => r.outcome !== 'success')).toBe(true);
  });

  it('keeps accepting the previous secret during the grace of a rotation', async () => {
    const repository = repositories.gh;
    if (repository === undefined) throw new Error('no repository');
    const old = repository.secret;
    const next = await rotate('gh', '1h');
    const body = Buffer.from(JSON.stringify({ ref: 'refs/tags/v1', after: 'c'.repeat(40), created: true }));
    const headers = (key: string) => ({ 'x-github-event': 'push', 'x-github-delivery': key });
    expect(await deliver('github', 'gh', body, headers('gh-old'))).toMatchObject({ status: 202 });
    repository.secret = next;
    expect(await deliver('github', 'gh', body, headers('gh-new'))).toMatchObject({ status: 202 });
    // A rotation without grace ends the old secrets at once.
    const newest = await rotate('gh', '0');
    repository.secret = next;
    expect(await deliver('github', 'gh', body, headers('gh-stale'))).toMatchObject({ status: 401 });
    repository.secret = newest;
    expect(old).not.toBe(next);
  });

  it('handles a delivery accepted by a slipwayd killed before it handed it over, once it is back', async () => {
    await harness.kill('SIGTERM');
    await harness.start({ env: { SLIPWAY_FAILPOINTS: 'webhook:handle=kill' }, logLevel: 'debug' });
    const pid = harness.pid;
    const body = fixture('gitlab-tag-push');
    // The answer may or may not leave before the process dies; the delivery is stored before it does.
    await deliver('gitlab', 'gl', body, { 'x-gitlab-event': 'Tag Push Hook', 'idempotency-key': 'gl-kill' }).catch(
      () => undefined,
    );
    await waitFor(
      () => {
        try {
          process.kill(pid ?? 0, 0);
        } catch {
          return true;
        }
        throw new Error('slipwayd still runs');
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    await harness.kill('SIGKILL');
    await harness.start({ logLevel: 'debug' });
    const delivery = await settled('gl', 'gl-kill');
    expect(delivery).toMatchObject({ status: 'done', attempts: 2 });
    expect(delivery.outcome).not.toBe('failed');
    // The provider's retry of it is a duplicate.
    const retry = await deliver('gitlab', 'gl', body, {
      'x-gitlab-event': 'Tag Push Hook',
      'idempotency-key': 'gl-kill',
    });
    expect(retry).toMatchObject({ status: 202, body: { delivery: { status: 'duplicate' } } });
    expect((await deliveries('gl')).filter((d) => d.deliveryKey === 'gl-kill')).toHaveLength(1);
  }, 90_000);

  it('never writes a webhook secret or a signature to the data dir, the log or an API answer', async () => {
    const secrets = Object.values(repositories).map((r) => r.secret);
    const body = fixture('gitea-push');
    const signature = signWebhook('gitea', repositories.gt?.secret ?? '', body)['x-gitea-signature'] ?? '';
    const sentinels = [...secrets, signature].filter((s) => s.length > 0);
    expect(sentinels.length).toBeGreaterThan(4);
    const haystacks: string[] = [harness.output];
    for (const file of await filesUnder(harness.dataDir)) {
      haystacks.push((await readFile(file)).toString('latin1'));
    }
    for (const delivery of Object.keys(repositories)) haystacks.push(JSON.stringify(await deliveries(delivery)));
    // The rotate answers show the secret once by design; every other answer must not.
    haystacks.push(...answers.filter((answer) => !answer.includes('webhook secret v')));
    for (const sentinel of sentinels) {
      for (const haystack of haystacks) expect(haystack.includes(sentinel)).toBe(false);
    }
  });

  // Last: it uses up this address's allowance of refused deliveries.
  it("limits one repository's verified deliveries past its burst (429 with Retry-After), not another's", async () => {
    // A repository of its own: its bucket is full (the other tests' deliveries took from theirs). Before the test
    // of unsigned deliveries, which leaves this address refused for a while.
    const id = await addRepository('gl-burst', 'https://gitlab.com/acme/burst.git', 'gitlab');
    repositories['gl-burst'] = { id, secret: await rotate('gl-burst') };
    const body = fixture('gitlab-push');
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    // The default: a burst of 600, then 100 a second. Sent faster than that until refused (bounded).
    for (let batch = 0; batch < 60 && !statuses.includes(429); batch += 1) {
      const answered = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const response = await post(`/api/v1/hooks/gitlab/${id}`, body, {
            'x-gitlab-event': 'Push Hook',
            'x-gitlab-event-uuid': `burst-${batch}-${i}`,
            ...signWebhook('gitlab', repositories['gl-burst']?.secret ?? '', body),
          });
          if (response.status === 429) retryAfter ??= response.headers.get('retry-after');
          await response.body?.cancel();
          return response.status;
        }),
      );
      statuses.push(...answered);
    }
    expect(statuses).toContain(429);
    // The whole burst was accepted before the first refusal.
    expect(statuses.slice(0, 600).every((status) => status === 202)).toBe(true);
    expect(statuses.every((status) => status === 202 || status === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // Another repository is not held up by the busy one.
    const github = JSON.stringify({ ref: 'refs/heads/main', before: 'a'.repeat(40), after: 'c'.repeat(40) });
    const other = await deliver('github', 'gh', Buffer.from(github), {
      'x-github-event': 'push',
      'x-github-delivery': 'after-the-burst',
    });
    expect(other.status).toBe(202);
  });

  it('slows down an address that keeps sending deliveries it cannot sign: 429 with Retry-After', async () => {
    const body = fixture('gitea-push');
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 80; i += 1) {
      const response = await post(`/api/v1/hooks/gitea/${repositories.gt?.id}`, body, {
        'x-gitea-signature': 'cd'.repeat(32),
      });
      statuses.push(response.status);
      if (response.status === 429) retryAfter ??= response.headers.get('retry-after');
      await response.body?.cancel();
    }
    // 60 refusals at once, then one a second.
    expect(statuses.filter((status) => status === 401).length).toBeGreaterThanOrEqual(60);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });
});
