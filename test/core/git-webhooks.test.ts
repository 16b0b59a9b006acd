import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  inboxDeliveryKey,
  processNextWebhookDelivery,
  receiveWebhook,
  rewrapWebhookSecrets,
  rotateRepositoryWebhook,
  signWebhook,
  type Clock,
  type CoreDeps,
  type GitEvent,
  type GitEventOutcome,
  type GitProvider,
  type GitRepositoryRecord,
} from '@slipway/core';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'webhooks');
const fixture = (name: string): Buffer => readFileSync(join(fixtures, `${name}.json`));

let harness: CoreHarness;
let deps: CoreDeps;
let nowMs: number;
/** Whether a sleep of the manual clock ends at once (its time has come) or only when it is aborted. */
let isSleepOver = false;
const clock: Clock = {
  nowMs: () => nowMs,
  sleep: (_ms, signal) =>
    isSleepOver
      ? Promise.resolve()
      : new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason as Error))),
};

async function addRepository(provider: GitRepositoryRecord['provider'], name = `${provider}-repo`) {
  const project = await harness.store.projects.findByName('default');
  const projectId = project?.id ?? 'prj_default';
  if (project === undefined) await harness.store.projects.insert({ id: projectId, name: 'default', createdAtMs: 0 });
  const repository: GitRepositoryRecord = {
    id: `repo_${name}`,
    projectId,
    name,
    provider,
    url: `https://example.com/acme/${name}.git`,
    authKind: 'none',
    publicKey: null,
    credential: null,
    createdAtMs: 0,
    updatedAtMs: 0,
  };
  await harness.store.gitRepositories.insert(repository);
  return repository;
}

function deliver(
  provider: GitProvider,
  repositoryId: string,
  secret: string,
  body: Buffer,
  headers: Record<string, string>,
) {
  return receiveWebhook(deps, {
    provider,
    repositoryId,
    body,
    headers: { 'content-type': 'application/json', ...headers, ...signWebhook(provider, secret, body) },
  });
}

/** A handler that records what it was handed. */
function recordingHandler() {
  const handed: GitEvent[] = [];
  const handle = async (event: GitEvent): Promise<GitEventOutcome> => {
    handed.push(event);
    return { outcome: 'ignored', reason: `handled ${event.deliveryKey}` };
  };
  return { handed, handle };
}

const never = new AbortController().signal;

async function drain(owner: string, handle: (event: GitEvent) => Promise<GitEventOutcome>): Promise<void> {
  while (await processNextWebhookDelivery(deps, { owner, leaseMs: 60_000, handle, signal: never })) {
    // Each call handles one delivery.
  }
}

beforeEach(async () => {
  harness = await createCoreHarness({ isReconcilerRunning: false });
  nowMs = 1_767_225_600_000;
  isSleepOver = false;
  deps = { ...harness.deps, clock };
});

afterEach(async () => {
  await harness.close();
});

describe('webhook inbox', () => {
  it('stores a verified delivery, hands its event over once, and stores a retry of it as a duplicate', async () => {
    const repository = await addRepository('gitlab');
    const { secret } = await rotateRepositoryWebhook(deps, 'default', repository.name, 0);
    const headers = { 'x-gitlab-event': 'Push Hook', 'idempotency-key': 'gl-1' };
    const receipt = await deliver('gitlab', repository.id, secret, fixture('gitlab-push'), headers);
    expect(receipt).toMatchObject({ status: 'queued' });
    const { handed, handle } = recordingHandler();
    await drain('node/a', handle);
    expect(handed).toEqual([expect.objectContaining({ kind: 'push', ref: 'refs/heads/main', deliveryKey: 'gl-1' })]);

    const retry = await deliver('gitlab', repository.id, secret, fixture('gitlab-push'), headers);
    expect(retry).toEqual({ deliveryId: receipt.deliveryId, status: 'duplicate', reason: 'delivered before' });
    await drain('node/a', handle);
    expect(handed).toHaveLength(1);
    expect(await deps.store.gitWebhooks.findDelivery('gitlab', inboxDeliveryKey(repository.id, 'gl-1'))).toMatchObject({
      state: 'done',
      outcome: 'ignored',
      reason: 'handled gl-1',
      attempts: 1,
    });
  });

  it('hands a delivery over once after a crash between accepting and handling it', async () => {
    const repository = await addRepository('github');
    const { secret } = await rotateRepositoryWebhook(deps, 'default', repository.name, 0);
    const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', before: 'a'.repeat(40), after: 'b'.repeat(40) }));
    await deliver('github', repository.id, secret, body, { 'x-github-event': 'push', 'x-github-delivery': 'gh-1' });
    // The first incarnation leases it and dies at the failpoint before handing it over.
    const dying = async (name: string) => {
      if (name === 'webhook:handle') throw new Error('killed');
    };
    const { handed, handle } = recordingHandler();
    await expect(
      processNextWebhookDelivery(deps, { owner: 'node/old', leaseMs: 60_000, handle, signal: never, failpoint: dying }),
    ).rejects.toThrow('killed');
    expect(handed).toEqual([]);
    // The next incarnation of the node reclaims it at start and hands it over, once.
    expect(await deps.store.gitWebhooks.reclaimAbandoned('node/', 'node/new')).toBe(1);
    await drain('node/new', handle);
    await drain('node/new', handle);
    expect(handed.map((e) => e.deliveryKey)).toEqual(['gh-1']);
    expect(await deps.store.gitWebhooks.findDelivery('github', inboxDeliveryKey(repository.id, 'gh-1'))).toMatchObject({
      state: 'done',
      attempts: 2,
    });
  });

  it('records nothing from a run whose lease was lost, and fails a delivery after its last attempt', async () => {
    const repository = await addRepository('gitea');
    const { secret } = await rotateRepositoryWebhook(deps, 'default', repository.name, 0);
    await deliver('gitea', repository.id, secret, fixture('gitea-push'), {
      'x-gitea-event': 'push',
      'x-gitea-delivery': 'g-1',
    });
    const { handle } = recordingHandler();
    for (const owner of ['node/1', 'node/2', 'node/3']) {
      const dying = async () => Promise.reject(new Error('killed'));
      await expect(
        processNextWebhookDelivery(deps, { owner, leaseMs: 60_000, handle, signal: never, failpoint: dying }),
      ).rejects.toThrow();
      nowMs += 60_000;
    }
    await drain('node/4', handle);
    expect(await deps.store.gitWebhooks.findDelivery('gitea', inboxDeliveryKey(repository.id, 'g-1'))).toMatchObject({
      state: 'done',
      outcome: 'failed',
      reason: 'not handled after 3 attempts',
      attempts: 4,
    });
  });

  it('records an event it does not act on as ignored and a malformed payload as failed, without handing them over', async () => {
    const repository = await addRepository('github');
    const { secret } = await rotateRepositoryWebhook(deps, 'default', repository.name, 0);
    const star = await deliver('github', repository.id, secret, Buffer.from('{"action":"created"}'), {
      'x-github-event': 'star',
      'x-github-delivery': 's-1',
    });
    expect(star).toMatchObject({ status: 'ignored', reason: 'event star is not one Slipway acts on' });
    const broken = await deliver('github', repository.id, secret, Buffer.from('{"ref":'), {
      'x-github-event': 'push',
      'x-github-delivery': 'b-1',
    });
    expect(broken).toMatchObject({ status: 'failed', reason: 'the delivery body is not JSON' });
    const { handed, handle } = recordingHandler();
    await drain('node/a', handle);
    expect(handed).toEqual([]);
  });

  it('refuses an unknown repository, a repository without a secret, a bad signature and another provider', async () => {
    const repository = await addRepository('github');
    const body = fixture('gitea-push');
    await expect(deliver('github', 'repo_missing', 'x', body, {})).rejects.toMatchObject({
      code: 'REPOSITORY_NOT_FOUND',
    });
    await expect(deliver('github', repository.id, 'x', body, {})).rejects.toMatchObject({
      code: 'WEBHOOK_SECRET_NOT_SET',
    });
    await rotateRepositoryWebhook(deps, 'default', repository.name, 0);
    await expect(deliver('github', repository.id, 'not-the-secret', body, {})).rejects.toMatchObject({
      code: 'WEBHOOK_SIGNATURE_INVALID',
    });
    await expect(deliver('gitea', repository.id, 'x', body, {})).rejects.toMatchObject({
      code: 'WEBHOOK_PROVIDER_MISMATCH',
    });
  });

  it('accepts the previous secret during its grace period only, and never stores a secret in clear', async () => {
    const repository = await addRepository('bitbucket');
    const first = await rotateRepositoryWebhook(deps, 'default', repository.name, 0);
    const second = await rotateRepositoryWebhook(deps, 'default', repository.name, 3_600_000);
    expect(second).toMatchObject({ version: 2, path: `/api/v1/hooks/bitbucket/${repository.id}` });
    expect(second.previousValidUntil).toBe(new Date(nowMs + 3_600_000).toISOString());
    const body = fixture('bitbucket-push');
    const headers = (key: string) => ({ 'x-event-key': 'repo:push', 'x-request-uuid': key });
    await expect(deliver('bitbucket', repository.id, first.secret, body, headers('b-1'))).resolves.toMatchObject({
      status: 'queued',
    });
    await expect(deliver('bitbucket', repository.id, second.secret, body, headers('b-2'))).resolves.toMatchObject({
      status: 'queued',
    });
    nowMs += 3_600_000;
    await expect(deliver('bitbucket', repository.id, first.secret, body, headers('b-3'))).rejects.toMatchObject({
      code: 'WEBHOOK_SIGNATURE_INVALID',
    });
    const stored = JSON.stringify(await deps.store.gitWebhooks.findSecret(repository.id));
    expect(stored).not.toContain(first.secret);
    expect(stored).not.toContain(second.secret);
  });

  it('ignores a Bitbucket pull request update that moved no commit', async () => {
    const repository = await addRepository('bitbucket');
    const { secret } = await rotateRepositoryWebhook(deps, 'default', repository.name, 0);
    const send = (name: string, event: string, key: string) =>
      deliver('bitbucket', repository.id, secret, fixture(name), { 'x-event-key': event, 'x-request-uuid': key });
    const { handed, handle } = recordingHandler();
    await send('bitbucket-pullrequest-created', 'pullrequest:created', 'p-1');
    await drain('node/a', handle);
    // The same head as when it was created: a title edit.
    await send('bitbucket-pullrequest-fulfilled', 'pullrequest:updated', 'p-2');
    await drain('node/a', handle);
    await send('bitbucket-pullrequest-updated', 'pullrequest:updated', 'p-3');
    await drain('node/a', handle);
    expect(handed.map((e) => e.deliveryKey)).toEqual(['p-1', 'p-3']);
    expect(
      await deps.store.gitWebhooks.findDelivery('bitbucket', inboxDeliveryKey(repository.id, 'p-2')),
    ).toMatchObject({
      outcome: 'ignored',
      reason: 'pull request #3 updated without new commits',
    });
  });

  it('records a delivery whose handler does not answer within the lease as failed, and goes on', async () => {
    const repository = await addRepository('gitea');
    const { secret } = await rotateRepositoryWebhook(deps, 'default', repository.name, 0);
    await deliver('gitea', repository.id, secret, fixture('gitea-push'), {
      'x-gitea-event': 'push',
      'x-gitea-delivery': 'stuck',
    });
    isSleepOver = true;
    const stuck = () => new Promise<GitEventOutcome>(() => undefined);
    await drain('node/a', stuck);
    expect(await deps.store.gitWebhooks.findDelivery('gitea', inboxDeliveryKey(repository.id, 'stuck'))).toMatchObject({
      state: 'done',
      outcome: 'failed',
      reason: 'not handled within 60 s',
    });
  });

  it("keeps a repository's webhook secret valid across a master-key rotation that re-wraps its data key", async () => {
    const repository = await addRepository('github');
    const { secret } = await rotateRepositoryWebhook(deps, 'default', repository.name, 0);
    const before = await deps.store.gitWebhooks.findSecret(repository.id);
    await harness.keyring.beginRotation();
    expect(await rewrapWebhookSecrets(deps)).toBe(1);
    await harness.keyring.completeRotation();
    const after = await deps.store.gitWebhooks.findSecret(repository.id);
    expect(after?.dataKey.masterKeyId).not.toBe(before?.dataKey.masterKeyId);
    expect(await rewrapWebhookSecrets(deps)).toBe(0);
    const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', after: 'd'.repeat(40) }));
    await expect(
      deliver('github', repository.id, secret, body, { 'x-github-event': 'push', 'x-github-delivery': 'mk-1' }),
    ).resolves.toMatchObject({ status: 'queued' });
  });
});
