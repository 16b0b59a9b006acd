/** Store contract, queue part: job leases, renewal, fencing, finishing and releasing. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '@slipway/core';
import { deployment, job, t0 } from './store-contract-fixtures.js';

/** Registers the job queue tests; `store` returns the migrated, seeded store of the running test. */
export function describeJobContract(store: () => Store): void {
  describe('jobs', () => {
    beforeEach(async () => {
      for (const id of ['dep_01', 'dep_02', 'dep_03']) await store().deployments.insert(deployment(id));
    });

    it('counts jobs by state', async () => {
      expect(await store().jobs.countByState()).toEqual([]);
      await store().jobs.enqueue(job('job_01', 'dep_01'));
      await store().jobs.enqueue(job('job_02', 'dep_02', { createdAtMs: t0 + 1 }));
      await store().jobs.enqueue(job('job_03', 'dep_03', { createdAtMs: t0 + 2 }));
      await store().jobs.lease('worker-1', 30_000, t0 + 5);
      const counts = await store().jobs.countByState();
      expect([...counts].sort((a, b) => a.state.localeCompare(b.state))).toEqual([
        { state: 'leased', count: 1 },
        { state: 'queued', count: 2 },
      ]);
    });

    it('enqueues a job and finds it by deployment', async () => {
      const queued = job('job_01', 'dep_01', { lastError: 'earlier failure' });
      await store().jobs.enqueue(queued);
      expect(await store().jobs.findByDeployment('dep_01')).toEqual(queued);
      expect(await store().jobs.findByDeployment('dep_02')).toBeUndefined();
    });

    it('leases the oldest due job, marking it leased until now + leaseMs and counting the attempt', async () => {
      await store().jobs.enqueue(job('job_b', 'dep_02', { createdAtMs: t0 + 1, runAfterMs: t0 + 10_000 }));
      await store().jobs.enqueue(job('job_c', 'dep_03', { createdAtMs: t0 + 3 }));
      await store().jobs.enqueue(job('job_a', 'dep_01', { createdAtMs: t0 + 2 }));

      const leased = await store().jobs.lease('worker-1', 30_000, t0 + 5);
      expect(leased).toEqual(
        job('job_a', 'dep_01', {
          createdAtMs: t0 + 2,
          state: 'leased',
          attempts: 1,
          leaseOwner: 'worker-1',
          leaseUntilMs: t0 + 30_005,
        }),
      );
      expect(await store().jobs.findByDeployment('dep_01')).toEqual(leased);
      expect((await store().jobs.lease('worker-1', 30_000, t0 + 5))?.id).toBe('job_c');
      expect(await store().jobs.lease('worker-2', 30_000, t0 + 5)).toBeUndefined();
      expect((await store().jobs.lease('worker-2', 30_000, t0 + 10_000))?.id).toBe('job_b');
    });

    it('marks a queued job done on cancel, and leaves a leased one to its run', async () => {
      await store().jobs.enqueue(job('job_01', 'dep_01'));
      await store().jobs.enqueue(job('job_02', 'dep_02', { createdAtMs: t0 + 1 }));
      const leased = await store().jobs.lease('worker-1', 30_000, t0);
      expect(leased?.id).toBe('job_01');
      expect(await store().jobs.cancelQueued('dep_01')).toBe(false);
      expect(await store().jobs.findByDeployment('dep_01')).toEqual(leased);
      expect(await store().jobs.cancelQueued('dep_02')).toBe(true);
      expect(await store().jobs.findByDeployment('dep_02')).toMatchObject({ state: 'done', leaseOwner: null });
      expect(await store().jobs.cancelQueued('dep_02')).toBe(false);
      expect(await store().jobs.lease('worker-2', 30_000, t0 + 10)).toBeUndefined();
    });

    it('takes a job again once its lease expired, fencing the old owner out', async () => {
      await store().jobs.enqueue(job('job_01', 'dep_01'));
      await store().jobs.lease('worker-1', 1_000, t0);
      expect(await store().jobs.lease('worker-2', 1_000, t0 + 999)).toBeUndefined();
      const retaken = await store().jobs.lease('worker-2', 1_000, t0 + 1_001);
      expect(retaken).toMatchObject({
        id: 'job_01',
        state: 'leased',
        attempts: 2,
        leaseOwner: 'worker-2',
        leaseUntilMs: t0 + 2_001,
      });

      const stale = { jobId: 'job_01', owner: 'worker-1', attempt: 1 };
      expect(await store().jobs.renew(stale, t0 + 9_000)).toBe(false);
      expect(await store().jobs.isHeld(stale)).toBe(false);
      await store().jobs.finish(stale, { state: 'failed', error: 'stale' });
      await store().jobs.release(stale, t0, 'stale');
      expect(await store().jobs.findByDeployment('dep_01')).toEqual(retaken);

      const current = { jobId: 'job_01', owner: 'worker-2', attempt: 2 };
      expect(await store().jobs.isHeld(current)).toBe(true);
      expect(await store().jobs.renew(current, t0 + 9_000)).toBe(true);
      expect((await store().jobs.findByDeployment('dep_01'))?.leaseUntilMs).toBe(t0 + 9_000);
      expect(await store().jobs.lease('worker-3', 1_000, t0 + 8_999)).toBeUndefined();
      expect(await store().jobs.renew({ ...current, jobId: 'job_missing' }, t0)).toBe(false);
    });

    it('fences out an earlier attempt of the same owner once the job is leased again', async () => {
      await store().jobs.enqueue(job('job_01', 'dep_01'));
      await store().jobs.lease('worker-1', 1_000, t0);
      const first = { jobId: 'job_01', owner: 'worker-1', attempt: 1 };
      const again = await store().jobs.lease('worker-1', 1_000, t0 + 1_001);
      expect(again).toMatchObject({ id: 'job_01', attempts: 2, leaseOwner: 'worker-1' });

      expect(await store().jobs.isHeld(first)).toBe(false);
      expect(await store().jobs.renew(first, t0 + 9_000)).toBe(false);
      await store().jobs.finish(first, { state: 'done' });
      expect(await store().jobs.findByDeployment('dep_01')).toEqual(again);
      expect(await store().jobs.isHeld({ ...first, attempt: 2 })).toBe(true);
    });

    it('never leases a job the asking worker says it runs, even once its lease ran out', async () => {
      await store().jobs.enqueue(job('job_01', 'dep_01'));
      await store().jobs.enqueue(job('job_02', 'dep_02', { createdAtMs: t0 + 1 }));
      await store().jobs.lease('worker-1', 1_000, t0);

      const next = await store().jobs.lease('worker-1', 1_000, t0 + 5_000, ['job_01']);
      expect(next).toMatchObject({ id: 'job_02', attempts: 1 });
      expect(await store().jobs.lease('worker-1', 1_000, t0 + 5_000, ['job_01', 'job_02'])).toBeUndefined();
      expect(await store().jobs.findByDeployment('dep_01')).toMatchObject({ attempts: 1, leaseOwner: 'worker-1' });
      expect(await store().jobs.lease('worker-2', 1_000, t0 + 5_000)).toMatchObject({ id: 'job_01', attempts: 2 });
    });

    it('finishes a job as done or failed, after which it is never leased again', async () => {
      await store().jobs.enqueue(job('job_01', 'dep_01'));
      await store().jobs.enqueue(job('job_02', 'dep_02', { createdAtMs: t0 + 1 }));
      await store().jobs.lease('worker-1', 1_000, t0);
      await store().jobs.lease('worker-1', 1_000, t0);
      await store().jobs.finish({ jobId: 'job_01', owner: 'worker-1', attempt: 1 }, { state: 'done' });
      await store().jobs.finish(
        { jobId: 'job_02', owner: 'worker-1', attempt: 1 },
        { state: 'failed', error: 'builder crashed' },
      );

      expect(await store().jobs.findByDeployment('dep_01')).toMatchObject({ state: 'done', attempts: 1 });
      expect(await store().jobs.findByDeployment('dep_02')).toMatchObject({
        state: 'failed',
        lastError: 'builder crashed',
      });
      expect(await store().jobs.lease('worker-2', 1_000, t0 + 60_000)).toBeUndefined();
      expect(await store().jobs.renew({ jobId: 'job_01', owner: 'worker-1', attempt: 1 }, t0 + 5_000)).toBe(false);
    });

    it('releases a job back to the queue to run after runAfterMs, keeping the error', async () => {
      await store().jobs.enqueue(job('job_01', 'dep_01'));
      await store().jobs.lease('worker-1', 1_000, t0);
      const lease = { jobId: 'job_01', owner: 'worker-1', attempt: 1 };
      await store().jobs.release(lease, t0 + 5_000, 'port busy');
      expect(await store().jobs.findByDeployment('dep_01')).toMatchObject({
        state: 'queued',
        leaseOwner: null,
        runAfterMs: t0 + 5_000,
        lastError: 'port busy',
        attempts: 1,
      });
      expect(await store().jobs.renew(lease, t0 + 9_000)).toBe(false);
      expect(await store().jobs.lease('worker-1', 1_000, t0 + 4_999)).toBeUndefined();
      expect(await store().jobs.lease('worker-2', 1_000, t0 + 5_000)).toMatchObject({
        id: 'job_01',
        attempts: 2,
        leaseOwner: 'worker-2',
      });
    });

    it('hands a job to exactly one of several concurrent leases', async () => {
      await store().jobs.enqueue(job('job_01', 'dep_01'));
      const owners = ['w1', 'w2', 'w3', 'w4', 'w5'];
      const results = await Promise.all(owners.map((owner) => store().jobs.lease(owner, 1_000, t0)));
      expect(results.filter((result) => result !== undefined)).toHaveLength(1);
      expect((await store().jobs.findByDeployment('dep_01'))?.attempts).toBe(1);
    });
  });
}
