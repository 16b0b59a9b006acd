/**
 * Advances one deployment through its persisted phases: fetch → build → release → rollout → finalize.
 * Each phase is journaled before and after it runs; a run interrupted by shutdown or a crash resumes from the
 * last phase that can be redone safely. A failure is a result (`failed` with phase, code and reason), and a
 * failed rollout hands traffic back to the stable release. A cancel request (persisted, see `cancelDeployment`) is
 * honoured at each phase start and whenever the run stops early: the run undoes what it started, as a failure
 * would, and ends `cancelled` — also when the request came before a restart, instead of resuming.
 */
import { isSlipwayError, SlipwayError, type DeploymentPhase, type SourceView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { Fleet } from '../controller/fleet.js';
import { assertRuntimeRuns } from '../controller/runtime-set.js';
import { FairSemaphore } from '../domain/fair-semaphore.js';
import { resolveRuntimePlan } from '../domain/runtime-plan.js';
import type {
  DeploymentCancellation,
  DeploymentFailure,
  DeploymentRecord,
  JobLease,
  ReleaseRecord,
} from '../domain/records.js';
import type { Repositories } from '../ports/store.js';
import { createSecretMasker, noMasking, type SecretMasker } from '../secrets/secret-masker.js';
import { openCurrentSecrets, openReleaseSecrets } from '../secrets/secret-vault.js';
import { getRelease } from '../use-cases/lookups.js';
import { buildSource, type BuiltSource, fetchSource } from './build-phase.js';
import { describeCancellation } from './cancellation.js';
import { openGitCredentials } from './git-credentials.js';
import { createDeploymentJournal, type DeploymentJournal } from './deployment-journal.js';
import type { FailpointName } from './failpoints.js';
import { releaseRoutes } from './release-routes.js';
import { admitRoutes } from './route-admission.js';
import { runRollout } from './rollout-phase.js';
import { abandonRollout, finalizeDeployment } from './finalize-phase.js';
import { runReleaseCommand } from './release-command.js';
import { describeTakeBack, takeBackConfigChange } from './config-restore.js';
import { createRelease } from './release-phase.js';
import { awaitDeploymentApproval } from '../delivery/approval-wait.js';

export type RunOutcome = 'finished' | 'interrupted';

export interface DeploymentRunner {
  /**
   * Runs the deployment until it finishes or `signal` aborts. With `lease`, every write of the run is fenced: it
   * commits only while the job is still held at that attempt, and a run that lost its lease stops (`interrupted`)
   * without writing anything more, so two runs of one deployment can never both change it.
   */
  run(deploymentId: string, signal: AbortSignal, lease?: JobLease): Promise<RunOutcome>;
}

const allPhases: readonly DeploymentPhase[] = ['fetch', 'build', 'release', 'rollout', 'finalize'];

function phasesOf(deployment: DeploymentRecord): readonly DeploymentPhase[] {
  switch (deployment.kind) {
    case 'deploy':
      return allPhases;
    case 'config':
      return ['release', 'rollout', 'finalize'];
    case 'rollback':
    case 'restart':
      return ['rollout', 'finalize'];
  }
}

export function createDeploymentRunner(deps: CoreDeps, fleet: Fleet): DeploymentRunner {
  const { store, clock, logger } = deps;
  // Served round-robin by app, so one app's queued builds take turns with the others'.
  const buildSlots = new FairSemaphore(deps.settings.buildConcurrency);
  deps.metrics?.observeBuildQueue(() => ({ waiting: buildSlots.waiting, running: buildSlots.held }));

  /** Throws `JOB_LEASE_LOST` inside a transaction whose run no longer holds its job, so the write rolls back. */
  const fenceOf =
    (lease: JobLease | undefined) =>
    async (tx: Repositories): Promise<void> => {
      if (lease === undefined || (await tx.jobs.isHeld(lease))) return;
      throw new SlipwayError(
        'JOB_LEASE_LOST',
        `attempt ${lease.attempt} of job ${lease.jobId} lost its lease; a later attempt runs the deployment`,
        { details: { jobId: lease.jobId, attempt: lease.attempt } },
      );
    };

  /**
   * Where an interrupted deployment picks up: fetch and build are redone from scratch (their output lives only in
   * this process's memory and a workspace a dead build may have left half-written); release resumes only once its
   * record exists, since a release needs the build's processes and manifest; rollout and finalize resume.
   */
  const resumePoint = async (deployment: DeploymentRecord): Promise<DeploymentPhase> => {
    const phases = phasesOf(deployment);
    const first = phases[0] ?? 'rollout';
    if (deployment.phase === null || !phases.includes(deployment.phase)) return first;
    if (deployment.phase === 'build') return first;
    if (deployment.phase === 'release' && deployment.kind === 'deploy') {
      const hasRelease =
        deployment.releaseId !== null && (await store.releases.findById(deployment.releaseId)) !== undefined;
      return hasRelease ? 'release' : first;
    }
    return deployment.phase;
  };

  const run = async (deploymentId: string, signal: AbortSignal, lease?: JobLease): Promise<RunOutcome> => {
    const fence = fenceOf(lease);
    const save = async (current: DeploymentRecord, changes: Partial<DeploymentRecord>): Promise<DeploymentRecord> => {
      const next = { ...current, ...changes, updatedAtMs: clock.nowMs() };
      await store.transaction(async (tx) => {
        await fence(tx);
        await tx.deployments.update(next);
      });
      return next;
    };
    /** A fence check that fails for another reason (the store is down) says nothing about the lease. */
    const stillHolds = (): Promise<boolean> =>
      store.transaction(fence).then(
        () => true,
        (error: unknown) => !isLeaseLost(error),
      );
    let deployment = await store.deployments.findById(deploymentId);
    if (
      !deployment ||
      deployment.state === 'succeeded' ||
      deployment.state === 'failed' ||
      deployment.state === 'cancelled'
    )
      return 'finished';
    // Every text the run stores goes through `mask`: secret values the build or the app print become `***`.
    let mask: SecretMasker = noMasking;
    const journal = createDeploymentJournal(deps, deploymentId, (text) => mask(text));
    const app = await store.apps.findById(deployment.appId);
    const environment = await store.environments.findById(deployment.environmentId);
    if (!app || !environment) return 'finished';
    const log = (line: string): void => journal.log(line);
    const secretScope = { appId: deployment.appId, environmentId: deployment.environmentId };
    /** The values this run may meet: the app environment's secrets now, and those of the release it rolls out. */
    const updateMask = async (releaseId: string | null): Promise<void> => {
      const current = await openCurrentSecrets(deps, secretScope);
      const target = releaseId === null ? undefined : await store.releases.findById(releaseId);
      const carried = target ? await openReleaseSecrets(deps, target) : {};
      mask = createSecretMasker([...Object.values(current), ...Object.values(carried)]);
    };

    /** A config change that does not roll out is taken back, so the next deploy does not pick it up. */
    const takeBack = async (current: DeploymentRecord): Promise<void> => {
      try {
        const line = describeTakeBack(await takeBackConfigChange(deps, current, fence));
        if (line !== undefined) log(line);
      } catch (error) {
        // The deployment still ends failed or cancelled: a take-back that could not be done is said, not fatal.
        if (isLeaseLost(error)) throw error;
        logger.error({ deploymentId, err: error }, 'config change not taken back');
        log(`the change could not be taken back (${toFailure(error, 'release').reason}): check slipway config list`);
      }
    };

    const phases = phasesOf(deployment);
    let phase = await resumePoint(deployment);
    /** The cancel request as stored now (the API writes it while this run goes on). */
    const storedCancellation = async (): Promise<DeploymentCancellation | null> =>
      (await store.deployments.findById(deploymentId))?.cancellation ?? null;
    const failpoint = (name: FailpointName): Promise<void> =>
      deps.failpoint?.(name, { deploymentId, signal }) ?? Promise.resolve();
    /** Ends the run `cancelled`, undoing what it started in the phase it stopped in, as a failure would. */
    const endCancelled = async (cancellation: DeploymentCancellation): Promise<RunOutcome> => {
      const current = deployment as DeploymentRecord;
      const reason = describeCancellation(cancellation);
      const stoppedIn = current.phase;
      await failpoint('cancel:stopping').catch(() => undefined);
      if (stoppedIn !== null) await journal.phaseFinished(stoppedIn, 'failed', reason);
      if (stoppedIn === 'rollout' || stoppedIn === 'finalize') await abandonRollout(deps, fleet, current, log);
      await takeBack(current);
      deployment = await save(current, { state: 'cancelled', cancellation, finishedAtMs: clock.nowMs() });
      log(`deployment ${reason}${stoppedIn === null ? ' before it started' : ` in ${stoppedIn}`}`);
      await journal.stateChanged(deployment);
      await deps.artifacts.cleanDeployment(deploymentId);
      logger.info({ deploymentId, phase: stoppedIn, by: cancellation.by }, 'deployment cancelled');
      return 'finished';
    };
    if (deployment.cancellation !== null && !(await isPastUndoing(deployment))) {
      try {
        return await endCancelled(deployment.cancellation);
      } catch (error) {
        if (isLeaseLost(error)) return 'interrupted';
        throw error;
      }
    }
    if (deployment.state === 'pending') {
      deployment = await save(deployment, { state: 'running' });
      await journal.stateChanged(deployment);
    } else {
      const from = deployment.phase ?? 'start';
      log(
        `resuming after an interruption in ${from}: ${phase === deployment.phase ? `continuing ${phase}` : `redoing from ${phase}`}`,
      );
    }
    let built: BuiltSource | undefined;
    let fetched: { dir: string } | undefined;
    let release: ReleaseRecord | undefined;
    let releaseBuildSlot: (() => void) | undefined;
    try {
      await updateMask(deployment.releaseId);
      for (const skipped of allPhases.filter((p) => !phases.includes(p))) {
        if (deployment.phase === null) await journal.phaseFinished(skipped, 'skipped');
      }
      for (phase of phases.slice(phases.indexOf(phase))) {
        deployment = await save(deployment, { phase });
        await journal.phaseStarted(phase);
        const cancellation = await storedCancellation();
        if (cancellation !== null && !(await isPastUndoing(deployment)))
          throw new SlipwayError('INTERRUPTED', describeCancellation(cancellation));
        await failpoint(`start:${phase}`);
        // An environment with an approval policy: the release exists, approvers decide on it before it rolls out.
        if (phase === 'rollout') await awaitDeploymentApproval(deps, { deploymentId, log, signal });
        const current = phase;
        const detail = await (deps.tracer?.tracePhase(current, () => runPhase(current)) ?? runPhase(current));
        await failpoint(`end:${phase}`);
        await journal.phaseFinished(phase, 'succeeded', detail);
      }
      deployment = await save(deployment, { state: 'succeeded', finishedAtMs: clock.nowMs() });
      await journal.stateChanged(deployment);
      await deps.artifacts.cleanDeployment(deploymentId);
      return 'finished';
    } catch (error) {
      // A stopped run gives its build slot back before anything else: the next build must not wait for the cleanup.
      releaseBuildSlot?.();
      releaseBuildSlot = undefined;
      if (isLeaseLost(error) || !(await stillHolds())) {
        logger.warn({ deploymentId, phase, lease }, 'deployment run lost its job lease; it stops without writing more');
        return 'interrupted';
      }
      const cancellation = await storedCancellation().catch(() => null);
      if (cancellation !== null && !(await isPastUndoing(deployment))) return await endCancelled(cancellation);
      if (signal.aborted) {
        await journal.flush();
        logger.info({ deploymentId, phase }, 'deployment interrupted; it resumes on the next start');
        return 'interrupted';
      }
      const unmasked = toFailure(error, phase);
      const failure = { ...unmasked, reason: mask(unmasked.reason) };
      if (failure.code === 'INTERNAL')
        logger.error({ deploymentId, phase, err: error }, 'deployment failed unexpectedly');
      await journal.phaseFinished(phase, 'failed', `${failure.code}: ${failure.reason}`);
      if (phase === 'rollout' || phase === 'finalize') await abandonRollout(deps, fleet, deployment, log);
      await takeBack(deployment);
      deployment = await save(deployment, { state: 'failed', failure, finishedAtMs: clock.nowMs() });
      // No log line of its own: the failure is in the state event and the phase record, which every reader prints.
      await journal.stateChanged(deployment);
      await deps.artifacts.cleanDeployment(deploymentId);
      return 'finished';
    } finally {
      releaseBuildSlot?.();
    }

    async function runPhase(current: DeploymentPhase): Promise<string | undefined> {
      const d = deployment as DeploymentRecord;
      const scope = {
        app: app as NonNullable<typeof app>,
        environment: environment as NonNullable<typeof environment>,
      };
      switch (current) {
        case 'fetch': {
          if (d.source.kind === 'release') throw new SlipwayError('INTERNAL', 'a release source has no fetch phase');
          // The build slot is held from fetch through build, so the queue limits both together.
          if (buildSlots.waiting > 0) log(`${buildSlots.waiting} build(s) ahead in the queue`);

          releaseBuildSlot ??= await buildSlots.acquire(d.appId, signal);
          const gitCredentials = await openGitCredentials(deps, d);
          // Masked too, should a remote ever echo them back.
          if (gitCredentials !== undefined) {
            const shown = mask;
            const hidden = createSecretMasker([gitCredentials.username, gitCredentials.password]);
            mask = (text) => hidden(shown(text));
          }
          const result = await fetchSource(deps, d, d.source, log, signal, gitCredentials);
          fetched = { dir: result.dir };
          deployment = await save(d, { sourceView: result.view });
          return describeSource(result.view);
        }
        case 'build': {
          if (!fetched) throw new SlipwayError('INTERNAL', 'build phase reached without a fetched source');
          releaseBuildSlot ??= await buildSlots.acquire(d.appId, signal);
          const appEnvironment = await store.appEnvironments.find(d.appId, d.environmentId);
          // Builds see the secrets too (private registry tokens…): the build runs the same app code the instances
          // will run with them, and its output is masked.
          const secrets = await openCurrentSecrets(deps, secretScope);
          await updateMask(d.releaseId);
          const buildEnv = { ...(appEnvironment?.config ?? {}), ...secrets };
          try {
            if (d.source.kind === 'release') throw new SlipwayError('INTERNAL', 'a release source has no build phase');
            built = await buildSource(deps, {
              app: scope.app,
              deployment: d,
              source: d.source,
              dir: fetched.dir,
              env: buildEnv,
              secrets,
              log,
              signal,
            });
          } finally {
            releaseBuildSlot();
            releaseBuildSlot = undefined;
          }
          return `builder ${built.builder}; processes ${Object.keys(built.processes).join(', ')}`;
        }
        case 'release': {
          release = await createRelease(deps, d, built, failpoint, save, fence);
          await updateMask(release.id);
          const ran = await runReleaseCommand(deps, { scope, release, deploymentId: d.id, log, signal });
          return `release ${release.number}${ran === undefined ? '' : `; ${ran}`}`;
        }
        case 'rollout': {
          const target = release ?? (await getRelease(store, requireReleaseId(d)));
          release = target;
          // A runtime that is missing or cannot run this release fails here, before anything stops serving.
          for (const process of Object.keys(target.processes)) {
            const plan = resolveRuntimePlan(target, scope.environment.name, process);
            assertRuntimeRuns(deps.runtimes, plan.runtime, target);
          }
          // Every kind of deployment (a rollback, a config release too) is refused here, before an instance starts,
          // when its routes are not its project's to take; finalize decides for good.
          const routes = releaseRoutes(scope.app, scope.environment, target, deps.settings, deps.ids);
          await admitRoutes(deps, store, scope.app, routes, 'check');
          const appEnvironment = await store.appEnvironments.find(d.appId, d.environmentId);
          await runRollout(deps, {
            scope,
            release: target,
            deploymentId: d.id,
            scale: appEnvironment?.scale ?? {},
            // A rollback to an older retained release skips steps and analysis; a retry (newer release) does not.
            isFastTracked:
              d.kind === 'rollback' && (await isOlderThanCurrent(target, appEnvironment?.currentReleaseId)),
            log,
            signal,
          });
          return `release ${target.number} is live`;
        }
        case 'finalize': {
          const target = release ?? (await getRelease(store, requireReleaseId(d)));
          await finalizeDeployment(deps, fleet, d, target, fence);
          return undefined;
        }
      }
    }
  };

  /** Once finalize has made the release live, nothing is left to undo: the run finishes instead of cancelling. */
  const isPastUndoing = async (deployment: DeploymentRecord): Promise<boolean> => {
    if (deployment.phase !== 'finalize' || deployment.releaseId === null) return false;
    const appEnvironment = await store.appEnvironments.find(deployment.appId, deployment.environmentId);
    return appEnvironment?.currentReleaseId === deployment.releaseId;
  };

  const isOlderThanCurrent = async (release: ReleaseRecord, currentId: string | null | undefined): Promise<boolean> => {
    const current =
      currentId === null || currentId === undefined ? undefined : await store.releases.findById(currentId);
    return current !== undefined && release.number < current.number;
  };

  const requireReleaseId = (deployment: DeploymentRecord): string => {
    if (deployment.releaseId === null) throw new SlipwayError('INTERNAL', 'deployment has no release to roll out');
    return deployment.releaseId;
  };

  return { run };
}

function describeSource(view: SourceView): string {
  switch (view.kind) {
    case 'git':
      return `git ${view.url} @ ${view.commit ?? view.ref ?? 'HEAD'}`;
    case 'archive':
      return `archive ${view.fileName} (${view.sizeBytes} bytes)`;
    case 'path':
      return `directory ${view.path}`;
    case 'release':
      return `release ${view.releaseNumber}`;
    case 'image':
      return `image ${view.image}`;
  }
}

function isLeaseLost(error: unknown): boolean {
  return isSlipwayError(error) && error.code === 'JOB_LEASE_LOST';
}

export function toFailure(error: unknown, phase: DeploymentPhase): DeploymentFailure {
  if (isSlipwayError(error)) return { phase, code: error.code, reason: error.message };
  return { phase, code: 'INTERNAL', reason: 'internal error (see the slipwayd log)' };
}

export type { DeploymentJournal };
