/**
 * Leases deployment jobs from the store and runs them, renewing the lease while it works. A run interrupted by
 * shutdown puts its job back; a lease that expires (the process died) lets the next worker resume it.
 */
import type { CoreDeps } from '../core-deps.js';
import type { DeploymentRunner } from './deployment-runner.js';

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
  const running = new Map<string, Promise<void>>();
  const shutdown = new AbortController();
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;

  const runJob = async (jobId: string, deploymentId: string): Promise<void> => {
    const controller = new AbortController();
    const onShutdown = (): void => controller.abort(shutdown.signal.reason);
    shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    const renewEveryMs = Math.max(250, Math.floor(settings.jobLeaseMs / 3));
    const renewal = setInterval(() => {
      store.jobs
        .renew(jobId, owner, clock.nowMs() + settings.jobLeaseMs)
        .then((isStillOurs) => {
          if (!isStillOurs) {
            logger.warn({ jobId, deploymentId }, 'job lease lost; stopping this run');
            controller.abort(new Error('lease lost'));
          }
        })
        .catch((error: unknown) => logger.warn({ jobId, err: error }, 'job lease renewal failed'));
    }, renewEveryMs);
    try {
      const outcome = await runner.run(deploymentId, controller.signal);
      if (outcome === 'finished') await store.jobs.finish(jobId, owner, { state: 'done' });
      else await store.jobs.release(jobId, owner, clock.nowMs(), 'interrupted');
    } catch (error) {
      logger.error({ jobId, deploymentId, err: error }, 'deployment job crashed');
      await store.jobs.release(jobId, owner, clock.nowMs() + 5_000, String(error)).catch(() => undefined);
    } finally {
      clearInterval(renewal);
      shutdown.signal.removeEventListener('abort', onShutdown);
    }
  };

  const leaseLoop = async (): Promise<void> => {
    while (!shutdown.signal.aborted) {
      if (running.size < settings.deploymentConcurrency) {
        const job = await store.jobs.lease(owner, settings.jobLeaseMs, clock.nowMs()).catch((error: unknown) => {
          logger.error({ err: error }, 'job lease failed');
          return undefined;
        });
        if (job) {
          logger.info(
            { jobId: job.id, deploymentId: job.deploymentId, attempt: job.attempts },
            'deployment job leased',
          );
          const done = runJob(job.id, job.deploymentId).finally(() => {
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
