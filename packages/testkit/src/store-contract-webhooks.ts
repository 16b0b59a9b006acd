/**
 * Store contract, webhook part: a repository's webhook secrets (replaced on rotation) and the inbox — unique on
 * provider and delivery key, leased with fencing as the job queue, reclaimed from a dead incarnation, and gone with
 * its repository.
 */
import { describe, expect, it } from 'vitest';
import type { GitRepositoryRecord, Store, WebhookDeliveryRecord, WebhookSecretRecord } from '@slipway/core';
import { project, t0 } from './store-contract-fixtures.js';

const repository: GitRepositoryRecord = {
  id: 'repo_01',
  projectId: project.id,
  name: 'api',
  provider: 'github',
  url: 'https://github.com/acme/api.git',
  authKind: 'none',
  publicKey: null,
  credential: null,
  createdAtMs: t0,
  updatedAtMs: t0,
};

const sealed = (n: number) => ({ dataKeyId: 'dk_01', nonce: `nonce-${n}`, ciphertext: `ciphertext-${n}` });

const secret = (over: Partial<WebhookSecretRecord> = {}): WebhookSecretRecord => ({
  repositoryId: repository.id,
  dataKey: { id: 'dk_01', wrappedKey: 'wrapped', masterKeyId: 'mk_01' },
  current: { version: 1, sealed: sealed(1) },
  previous: null,
  rotatedAtMs: t0,
  ...over,
});

const delivery = (id: string, key: string, over: Partial<WebhookDeliveryRecord> = {}): WebhookDeliveryRecord => ({
  id,
  repositoryId: repository.id,
  provider: 'github',
  deliveryKey: key,
  eventName: 'push',
  state: 'queued',
  events: [
    {
      kind: 'push',
      repositoryId: repository.id,
      origin: 'github',
      deliveryKey: key,
      ref: 'refs/heads/main',
      before: null,
      after: 'a'.repeat(40),
      isForced: false,
    },
  ],
  subject: 'refs/heads/main',
  headSha: 'a'.repeat(40),
  outcome: null,
  reason: null,
  deploymentIds: [],
  attempts: 0,
  leaseOwner: null,
  leaseUntilMs: null,
  receivedAtMs: t0,
  processedAtMs: null,
  ...over,
});

const result = { outcome: 'ignored', reason: 'no rule', deploymentIds: ['dep_01'], processedAtMs: t0 + 9 } as const;

/** Registers the webhook tests; `store` returns the migrated, seeded store of the running test. */
export function describeWebhookContract(store: () => Store): void {
  describe('webhook secrets and inbox', () => {
    const seed = async () => store().gitRepositories.insert(repository);

    it('stores a secret, replaces it on rotation with the previous one and its grace', async () => {
      await seed();
      expect(await store().gitWebhooks.findSecret(repository.id)).toBeUndefined();
      await store().gitWebhooks.putSecret(secret());
      expect(await store().gitWebhooks.findSecret(repository.id)).toEqual(secret());
      const rotated = secret({
        current: { version: 2, sealed: sealed(2) },
        previous: { version: 1, sealed: sealed(1), untilMs: t0 + 100 },
        rotatedAtMs: t0 + 1,
      });
      await store().gitWebhooks.putSecret(rotated);
      expect(await store().gitWebhooks.findSecret(repository.id)).toEqual(rotated);
      expect(await store().gitWebhooks.listSecrets()).toEqual([rotated]);
    });

    it('stores a delivery once per provider and delivery key', async () => {
      await seed();
      expect(await store().gitWebhooks.insertDelivery(delivery('whd_01', 'k1'))).toBe(true);
      expect(await store().gitWebhooks.insertDelivery(delivery('whd_02', 'k1'))).toBe(false);
      expect(await store().gitWebhooks.insertDelivery(delivery('whd_03', 'k1', { provider: 'gitea' }))).toBe(true);
      expect(await store().gitWebhooks.findDelivery('github', 'k1')).toEqual(delivery('whd_01', 'k1'));
      expect((await store().gitWebhooks.listDeliveries(repository.id, 10)).map((d) => d.id)).toEqual([
        'whd_03',
        'whd_01',
      ]);
    });

    it('leases the oldest queued delivery, fences a lost lease and records the outcome under the lease', async () => {
      await seed();
      await store().gitWebhooks.insertDelivery(delivery('whd_02', 'k2', { receivedAtMs: t0 + 1 }));
      await store().gitWebhooks.insertDelivery(delivery('whd_01', 'k1'));
      const first = await store().gitWebhooks.leaseDelivery('node/a', 1000, t0);
      expect(first).toMatchObject({ id: 'whd_01', state: 'leased', attempts: 1, leaseOwner: 'node/a' });
      // Its lease runs out: another owner takes it at attempt 2, and the first can no longer record.
      const second = await store().gitWebhooks.leaseDelivery('node/b', 1000, t0 + 1000);
      expect(second).toMatchObject({ id: 'whd_01', attempts: 2 });
      const lost = { deliveryId: 'whd_01', owner: 'node/a', attempt: 1 };
      expect(await store().gitWebhooks.finishDelivery(lost, result)).toBe(false);
      const held = { deliveryId: 'whd_01', owner: 'node/b', attempt: 2 };
      expect(await store().gitWebhooks.finishDelivery(held, result)).toBe(true);
      expect(await store().gitWebhooks.findDelivery('github', 'k1')).toMatchObject({
        state: 'done',
        outcome: 'ignored',
        reason: 'no rule',
        deploymentIds: ['dep_01'],
        processedAtMs: t0 + 9,
        leaseOwner: null,
      });
      expect(await store().gitWebhooks.leaseDelivery('node/b', 1000, t0 + 1000)).toMatchObject({ id: 'whd_02' });
      expect(await store().gitWebhooks.leaseDelivery('node/b', 1000, t0 + 1000)).toBeUndefined();
    });

    it('queues again what a dead incarnation of this node held, not what this one or another node holds', async () => {
      await seed();
      await store().gitWebhooks.insertDelivery(delivery('whd_01', 'k1'));
      await store().gitWebhooks.insertDelivery(delivery('whd_02', 'k2', { receivedAtMs: t0 + 1 }));
      await store().gitWebhooks.insertDelivery(delivery('whd_03', 'k3', { receivedAtMs: t0 + 2 }));
      await store().gitWebhooks.leaseDelivery('node/old', 60_000, t0);
      await store().gitWebhooks.leaseDelivery('node/new', 60_000, t0);
      await store().gitWebhooks.leaseDelivery('other/x', 60_000, t0);
      expect(await store().gitWebhooks.reclaimAbandoned('node/', 'node/new')).toBe(1);
      expect(await store().gitWebhooks.leaseDelivery('node/new', 60_000, t0)).toMatchObject({
        id: 'whd_01',
        attempts: 2,
      });
    });

    it("finds the head of a subject's newest processed delivery other than the one asked about", async () => {
      await seed();
      const pr = { subject: 'pull-request:7', events: [] };
      await store().gitWebhooks.insertDelivery(
        delivery('whd_01', 'k1', { ...pr, headSha: 'b1', state: 'done', outcome: 'ignored', processedAtMs: t0 }),
      );
      await store().gitWebhooks.insertDelivery(
        delivery('whd_02', 'k2', { ...pr, headSha: 'b2', state: 'done', outcome: 'ignored', processedAtMs: t0 + 1 }),
      );
      await store().gitWebhooks.insertDelivery(delivery('whd_03', 'k3', { ...pr, headSha: 'b3' }));
      expect(await store().gitWebhooks.findPreviousHead(repository.id, 'pull-request:7', 'whd_03')).toBe('b2');
      expect(await store().gitWebhooks.findPreviousHead(repository.id, 'pull-request:7', 'whd_02')).toBe('b1');
      expect(await store().gitWebhooks.findPreviousHead(repository.id, 'pull-request:8', 'whd_03')).toBeUndefined();
    });

    it('forgets the secret and the deliveries with the repository', async () => {
      await seed();
      await store().gitWebhooks.putSecret(secret());
      await store().gitWebhooks.insertDelivery(delivery('whd_01', 'k1'));
      await store().gitRepositories.delete(repository.id);
      expect(await store().gitWebhooks.findSecret(repository.id)).toBeUndefined();
      expect(await store().gitWebhooks.listDeliveries(repository.id, 10)).toEqual([]);
    });
  });
}
