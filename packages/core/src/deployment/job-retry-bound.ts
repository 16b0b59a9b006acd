/**
 * The bound on a deployment job that keeps crashing: its run threw, or the worker died holding it, lease after lease.
 * Past `settings.jobMaxAttempts` leases the job is not run again; its deployment fails with `JOB_RETRIES_EXHAUSTED`,
 * saying how many attempts crashed and the last error, instead of being retried forever.
 */
import type { CoreDeps } from '../core-deps.js';
import { leaseOf } from '../domain/job-lease.js';
import type { DeploymentFailure, JobRecord } from '../domain/records.js';
import { createSecretMasker } from '../secrets/secret-masker.js';
import { openCurrentSecrets } from '../secrets/secret-vault.js';
import { createDeploymentJournal } from './deployment-journal.js';

/** Longest part of the last error a failure quotes. */
const lastErrorMaxChars = 500;

/** True when this lease of the job is one more than its deployment may have. */
export function isJobExhausted(job: JobRecord, maxAttempts: number): boolean {
  return job.attempts > maxAttempts;
}

/**
 * Ends an exhausted job: its deployment (if still pending or running) fails with `JOB_RETRIES_EXHAUSTED`, in the phase
 * it had reached, and the job is marked failed. Fenced by the lease, as a run's writes are: a job another worker has
 * taken meanwhile is left to it. What the crashed attempts left running is left to the controller, which retires
 * instances of a release that is neither current nor under a rollout.
 */
export async function failExhaustedJob(deps: CoreDeps, job: JobRecord): Promise<DeploymentFailure | undefined> {
  const { store, clock, settings } = deps;
  const lease = leaseOf(job);
  const crashed = job.attempts - 1;
  const deployment = await store.deployments.findById(job.deploymentId);
  let failure: DeploymentFailure | undefined;
  if (deployment !== undefined && (deployment.state === 'pending' || deployment.state === 'running')) {
    const values = await openCurrentSecrets(deps, {
      appId: deployment.appId,
      environmentId: deployment.environmentId,
    }).catch(() => ({}));
    const mask = createSecretMasker(Object.values(values));
    const lastError =
      job.lastError === null ? 'none recorded (the worker running it died)' : job.lastError.slice(0, lastErrorMaxChars);
    const reason = mask(
      `the deployment's job was started ${crashed} times without finishing (its run crashed, or the worker running ` +
        `it died; the limit is ${settings.jobMaxAttempts}); last error: ${lastError}`,
    );
    failure = { phase: deployment.phase ?? 'fetch', code: 'JOB_RETRIES_EXHAUSTED', reason };
    const now = clock.nowMs();
    const failed = { ...deployment, state: 'failed' as const, failure, finishedAtMs: now, updatedAtMs: now };
    const isOurs = await store.transaction(async (tx) => {
      if (!(await tx.jobs.isHeld(lease))) return false;
      await tx.deployments.update(failed);
      return true;
    });
    if (!isOurs) return undefined;
    const journal = createDeploymentJournal(deps, deployment.id, mask);
    if (deployment.phase !== null)
      await journal.phaseFinished(deployment.phase, 'failed', `${failure.code}: ${reason}`);
    await journal.stateChanged(failed);
    await journal.flush();
    await deps.artifacts.cleanDeployment(deployment.id);
  }
  await store.jobs.finish(lease, { state: 'failed', error: `JOB_RETRIES_EXHAUSTED after ${crashed} attempts` });
  return failure;
}
