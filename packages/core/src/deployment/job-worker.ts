/**
 * Leases deployment jobs from the store and runs them, renewing the lease while it works; each run is fenced by its
 * lease's attempt, so a job never runs twice at once (see `DeploymentRunner.run`). A run interrupted by
 * shutdown puts its job back; a lease that expires (the process died) lets the next worker resume it. On start it
 * takes back at once the leases a previous incarnation of this node held, and requeues an active deployment whose
 * job is missing or over, so no deployment is left `running` with nothing to run it. A cancel request aborts the
 * deployment's run at once (woken in process, and checked in the store at each renewal should it come from elsewhere).
 * A job leased more than `settings.jobMaxAttempts` times is not run again: its deployment fails (`job-retry-bound.ts`).
 */
import type { CoreDeps } from '../core-deps.js';
import { SlipwayError } from '@slipway/contract';
import type { DeploymentRunner, RunOutcome } from './deployment-runner.js';
import { cancellationKey } from './cancellation.js';
import { leaseOf } from '../domain/job-lease.js';
import { queuedDeploymentJob } from '../domain/queued-deployment-job.js';
import { failExhaustedJob, isJobExhausted } from './job-retry-bound.js';
import type { JobLease } from '../domain/records.js';

export interface JobWorker {
  start(): void;
  /** Wakes the worker to look for jobs now. */
  poke(): void;
  /** Stops leasing, interrupts running deployments at their next checkpoint and puts their jobs back. */
  stop(): Promise<void>;
}

const idlePollMs = 500;

export function createJobWorker(deps: CoreDeps, runner: DeploymentRunner): JobWorker {
  const { store, clock, logger, settings } = deps;
  const owner = `${settings.nodeName}/${deps.ids.next('wkr')}`;
  const createdAtMs = clock.nowMs();
  const running = new Map<string, Promise<void>>();
  const shutdown = new AbortController();
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;

  const runJob = async (lease: JobLease, deploymentId: string): Promise<void> => {
    const { jobId } = lease;
    const controller = new AbortController();
    const onShutdown = (): void => controller.abort(shutdown.signal.reason);
    shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    // The run decides from the stored request what an abort means (cancelled, or interrupted by shutdown).
    const onCancel = (): void => controller.abort(new SlipwayError('INTERRUPTED', 'the deployment was cancelled'));
    const unsubscribe = deps.events.subscribe(cancellationKey(deploymentId), onCancel);
    const renewEveryMs = Math.max(250, Math.floor(settings.jobLeaseMs / 3));
    const renewal = setInterval(() => {
      store.jobs
        .renew(lease, clock.nowMs() + settings.jobLeaseMs)
        .then(async (isStillOurs) => {
          if (!isStillOurs) {
            logger.warn({ jobId, deploymentId }, 'job lease lost; stopping this run');
            controller.abort(new Error('lease lost'));
          } else if ((await store.deployments.findById(deploymentId))?.cancellation) onCancel();
        })
        .catch((error: unknown) => logger.warn({ jobId, err: error }, 'job lease renewal failed'));
    }, renewEveryMs);
    const startedAtMs = clock.nowMs();
    const measure = (outcome: 'finished' | 'interrupted' | 'crashed'): void =>
      deps.metrics?.jobRunFinished({ outcome, durationMs: clock.nowMs() - startedAtMs });
    try {
      const run = (): Promise<RunOutcome> => runner.run(deploymentId, controller.signal, lease);
      const outcome = await (deps.tracer?.traceRun(deploymentId, lease.attempt, run) ?? run());
      if (outcome === 'finished') deps.tracer?.forget(deploymentId);
      measure(outcome === 'finished' ? 'finished' : 'interrupted');
      if (outcome === 'finished') await store.jobs.finish(lease, { state: 'done' });
      else await store.jobs.release(lease, clock.nowMs(), 'interrupted');
    } catch (error) {
      measure('crashed');
      logger.error({ jobId, deploymentId, err: error }, 'deployment job crashed');
      await store.jobs.release(lease, clock.nowMs() + 5_000, String(error)).catch(() => undefined);
    } finally {
      clearInterval(renewal);
      unsubscribe();
      shutdown.signal.removeEventListener('abort', onShutdown);
    }
  };

  /**
   * One data dir has one slipwayd, and owners are `<nodeName>/<worker id>`: a lease held under this node's name by
   * another owner was held by an incarnation that died (SIGKILL, power loss). Waiting for it to expire would hold
   * the deployment for up to a lease length, so it is put back in the queue now. (Node names must therefore be
   * unique among the slipwayds that share a store.)
   */
  const recoverOwnDeployments = async (): Promise<void> => {
    const prefix = `${settings.nodeName}/`;
    const now = clock.nowMs();
    for (const deployment of await store.deployments.listByState(['pending', 'running'])) {
      const job = await store.jobs.findByDeployment(deployment.id);
      if (job?.state === 'leased') {
        const previous = job.leaseOwner;
        if (previous === null || previous === owner || !previous.startsWith(prefix)) continue;
        await store.jobs.release(leaseOf(job), now, `taken over from ${previous}, which did not stop cleanly`);
        logger.info(
          { jobId: job.id, deploymentId: deployment.id, previousOwner: previous },
          'deployment job taken over',
        );
      } else if (job === undefined || job.state === 'done' || job.state === 'failed') {
        await store.jobs.enqueue(queuedDeploymentJob(deps.ids, deployment.id, now));
        logger.warn({ deploymentId: deployment.id, state: deployment.state }, 'active deployment had no job; requeued');
      }
    }
  };

  /**
   * Uploads a crash left behind (cut short, or whose deployment is over or gone) would stay forever: only files
   * written before this worker was created are judged, so an upload being received now is never touched.
   */
  const pruneUploads = async (): Promise<void> => {
    const removed = await deps.artifacts.pruneUploads(async (deploymentId) => {
      const deployment = await store.deployments.findById(deploymentId);
      return deployment?.state === 'pending' || deployment?.state === 'running';
    }, createdAtMs);
    if (removed > 0) logger.info({ removed }, 'stale uploads removed');
  };

  const leaseLoop = async (): Promise<void> => {
    await recoverOwnDeployments().catch((error: unknown) =>
      logger.error({ err: error }, 'recovery of interrupted deployment jobs failed'),
    );
    await pruneUploads().catch((error: unknown) => logger.error({ err: error }, 'pruning stale uploads failed'));
    while (!shutdown.signal.aborted) {
      if (running.size < settings.deploymentConcurrency) {
        // The jobs this worker runs are never leased again by it, even when their lease ran out while the event loop
        // was blocked: a second run would redo the fetch and delete the workspace the first one is promoting.
        const job = await store.jobs
          .lease(owner, settings.jobLeaseMs, clock.nowMs(), [...running.keys()])
          .catch((error: unknown) => {
            logger.error({ err: error }, 'job lease failed');
            return undefined;
          });
        if (job && isJobExhausted(job, settings.jobMaxAttempts)) {
          // Crashed on every attempt so far (or its workers died): run again, it would most likely crash again.
          const failure = await failExhaustedJob(deps, job).catch((error: unknown) => {
            logger.error({ jobId: job.id, err: error }, 'failing an exhausted deployment job failed');
            return undefined;
          });
          logger.error(
            { jobId: job.id, deploymentId: job.deploymentId, attempts: job.attempts - 1, reason: failure?.reason },
            'deployment job retries exhausted',
          );
          continue;
        }
        if (job) {
          logger.info(
            { jobId: job.id, deploymentId: job.deploymentId, attempt: job.attempts },
            'deployment job leased',
          );
          const done = runJob(leaseOf(job), job.deploymentId).finally(() => {
            running.delete(job.id);
            wake?.();
          });
          running.set(job.id, done);
          continue;
        }
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, idlePollMs);
        timer.unref?.();
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  };

  return {
    start() {
      loop ??= leaseLoop();
    },
    poke() {
      wake?.();
    },
    async stop() {
      shutdown.abort(new Error('shutting down'));
      wake?.();
      await loop;
      await Promise.all(running.values());
    },
  };
}
