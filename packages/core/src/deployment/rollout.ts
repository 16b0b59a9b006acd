/**
 * Rollout strategies. `rolling` surges new instances and retires old ones within maxSurge/maxUnavailable, gated
 * on health; `recreate` stops everything old first. Both are level-based (they count what exists on every step),
 * so a rollout interrupted by a control-plane restart resumes by running again.
 */
import { countNoun, SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { Fleet, InstanceScope } from '../controller/fleet.js';
import { createPortMismatchWatch, isRefused, portHint } from './port-mismatch.js';
import { resolveProcesses, resolveStrategy, type ResolvedProcess } from '../domain/process-plan.js';
import type { InstanceRecord, ReleaseRecord } from '../domain/records.js';
import { errorExcerpt, formatErrorExcerpt } from '../domain/error-excerpt.js';
import { planRollingStep, resolveRollingBounds } from './rolling-bounds.js';

const stepIntervalMs = 200;
/** Output lines read for a crash report: its first error line is looked for in these. */
const crashExcerptLines = 200;

export interface RolloutRequest {
  scope: InstanceScope;
  release: ReleaseRecord;
  deploymentId: string;
  scale: Readonly<Record<string, number>>;
  /** A restart: instances of the release this deployment did not start are replaced too. */
  replacesRunning?: boolean;
  log: (line: string) => void;
  signal: AbortSignal;
}

const isLive = (i: InstanceRecord): boolean =>
  i.state !== 'draining' && i.state !== 'stopping' && i.state !== 'stopped';

/** Whether an instance is one this rollout brings: of its release and, in a restart, started by it. */
const isFresh = (request: RolloutRequest, instance: InstanceRecord): boolean =>
  instance.releaseId === request.release.id &&
  (request.replacesRunning !== true || instance.deploymentId === request.deploymentId);

export async function runRollout(deps: CoreDeps, fleet: Fleet, request: RolloutRequest): Promise<void> {
  const { release, scope } = request;
  const strategy = resolveStrategy(release.manifest);
  const processes = resolveProcesses(release.processes, release.manifest, request.scale);
  const deadlineMs = deps.clock.nowMs() + strategy.progressDeadlineSeconds * 1000;
  request.log(
    `rolling out release ${release.number} (${strategy.type}): ${processes.map((p) => `${p.name}×${p.replicas}`).join(', ')}`,
  );

  const instancesOf = async (process?: string): Promise<InstanceRecord[]> =>
    (await deps.store.instances.list({ appId: scope.app.id, environmentId: scope.environment.id })).filter(
      (i) => isLive(i) && (process === undefined || i.process === process),
    );

  // A control plane that died between recording a new instance and launching it left a record never started, which
  // no one would ever probe or restart. This deployment's launches all happen inside this function, so at its start
  // none is in flight: such records of this deployment are leftovers. Retire them; the steps start what is needed.
  const unlaunched = (await instancesOf()).filter(
    (i) => i.deploymentId === request.deploymentId && i.state === 'starting' && i.startedAtMs === null,
  );
  if (unlaunched.length > 0)
    request.log(`removing ${countNoun(unlaunched.length, 'instance')} an interrupted run never launched`);
  await Promise.all(unlaunched.map((i) => fleet.retireInstance(i.id)));

  if (strategy.type === 'recreate') {
    const old = (await instancesOf()).filter((i) => !isFresh(request, i));
    if (old.length > 0)
      request.log(
        `stopping ${countNoun(old.length, 'old instance')} (recreate: the app is unavailable until the new ones are healthy)`,
      );
    await Promise.all(old.map((i) => fleet.retireInstance(i.id)));
  }

  for (const process of processes) {
    const bounds =
      strategy.type === 'rolling'
        ? resolveRollingBounds(strategy.maxSurge, strategy.maxUnavailable, process.replicas)
        : { maxSurge: process.replicas, maxUnavailable: process.replicas };
    await rollProcess(deps, fleet, request, process, bounds, deadlineMs, () => instancesOf(process.name));
  }

  const names = new Set(processes.map((p) => p.name));
  const leftovers = (await instancesOf()).filter((i) => !names.has(i.process) || !isFresh(request, i));
  await Promise.all(leftovers.map((i) => fleet.retireInstance(i.id)));
}

async function rollProcess(
  deps: CoreDeps,
  fleet: Fleet,
  request: RolloutRequest,
  process: ResolvedProcess,
  bounds: { maxSurge: number; maxUnavailable: number },
  deadlineMs: number,
  instancesOf: () => Promise<InstanceRecord[]>,
): Promise<void> {
  const { release } = request;
  const seenHealthy = new Set<string>();
  const portWatch = createPortMismatchWatch(deps);
  for (;;) {
    request.signal.throwIfAborted();
    const instances = await instancesOf();
    const fresh = instances.filter((i) => isFresh(request, i));
    // A `stopping` instance is out of the router and drained: it no longer counts, even while its runtime has yet to
    // stop it (an engine that does not answer); the controller finishes that stop.
    const old = instances.filter((i) => !isFresh(request, i) && i.state !== 'stopping');
    await failOnBrokenInstances(deps, fleet, fresh, process, request.scope.app.name);
    for (const i of fresh) await portWatch.check(i, process, fleet.health.lastDetail(i.id));
    for (const i of fresh)
      if (i.state === 'healthy' && !seenHealthy.has(i.id)) {
        seenHealthy.add(i.id);
        request.log(
          i.port === null
            ? `${process.name} instance ${i.id} is running`
            : `${process.name} instance ${i.id} is healthy (port ${i.port})`,
        );
      }

    const state = {
      desired: process.replicas,
      newTotal: fresh.length,
      newHealthy: fresh.filter((i) => i.state === 'healthy').length,
      oldTotal: old.length,
      oldHealthy: old.filter((i) => i.state === 'healthy').length,
    };
    if (state.newHealthy >= state.desired && state.oldTotal === 0) {
      // Surplus new instances (after a scale-down during a resumed rollout) go too.
      const surplus = fresh
        .filter((i) => i.state !== 'healthy')
        .concat(fresh.filter((i) => i.state === 'healthy').slice(state.desired));
      await Promise.all(surplus.map((i) => fleet.retireInstance(i.id)));
      return;
    }
    if (deps.clock.nowMs() > deadlineMs) {
      throw new SlipwayError(
        'PROGRESS_DEADLINE_EXCEEDED',
        `${process.name}: ${state.newHealthy} of ${countNoun(state.desired, 'new instance')} healthy when the progress deadline passed`,
        { details: { process: process.name, ...state } },
      );
    }
    const step = planRollingStep(state, bounds);
    const toRetire = [...old]
      .sort((a, b) => (a.state === 'healthy' ? 1 : 0) - (b.state === 'healthy' ? 1 : 0))
      .slice(0, step.toRetire);
    for (const instance of toRetire) request.log(`retiring ${process.name} instance ${instance.id}`);
    for (let n = 0; n < step.toStart; n += 1) {
      const started = await fleet.startInstance(request.scope, release, process.name, request.deploymentId);
      request.log(
        started.port === null
          ? `started ${process.name} instance ${started.id}`
          : `started ${process.name} instance ${started.id} on port ${started.port}`,
      );
    }
    await Promise.all(toRetire.map((i) => fleet.retireInstance(i.id)));
    if (step.toStart > 0 || toRetire.length > 0)
      await deps.failpoint?.('rollout:step', { deploymentId: request.deploymentId, signal: request.signal });
    await deps.clock.sleep(stepIntervalMs, request.signal);
  }
}

/** A new instance that never became healthy and keeps exiting, or fails its check past the start period, fails the rollout. */
async function failOnBrokenInstances(
  deps: CoreDeps,
  fleet: Fleet,
  fresh: readonly InstanceRecord[],
  process: ResolvedProcess,
  appName: string,
): Promise<void> {
  for (const instance of fresh) {
    if (instance.healthyAtMs !== null) continue;
    if (instance.state === 'crashed' && instance.restarts + 1 >= deps.settings.crashLoopRestarts) {
      // Enough lines to reach above a stack trace, where the thrown message is.
      const tail = await fleet.logTail(instance.id, crashExcerptLines);
      const excerpt = errorExcerpt(tail, 3);
      const quoted = formatErrorExcerpt(excerpt);
      const code = instance.lastExitCode === null ? 'an unknown code' : `code ${instance.lastExitCode}`;
      const exit = instance.lastExitReason === 'oom-killed' ? `${code}, killed for going over its memory limit` : code;
      throw new SlipwayError(
        'CRASH_LOOP',
        `${process.name} instance exited ${instance.restarts + 1} times with ${exit} before becoming healthy (command: ${process.command})` +
          (quoted.length > 0 ? `; ${quoted}` : '') +
          `; its output: slipway logs ${appName} --process ${process.name}`,
        {
          details: {
            instanceId: instance.id,
            exitCode: instance.lastExitCode,
            firstError: excerpt.firstError,
            logTail: tail.slice(-10),
          },
        },
      );
    }
    if (instance.state === 'unhealthy') {
      const check = process.healthCheck;
      const what = check.type === 'http' ? `http check on ${check.path}` : `${check.type} check`;
      const detail = fleet.health.lastDetail(instance.id);
      const hint =
        isRefused(detail) && instance.port !== null ? ` (nothing listens there; ${portHint(instance.port)})` : '';
      throw new SlipwayError(
        'HEALTH_CHECK_FAILED',
        `${process.name} instance ${instance.id} did not pass its ${what}: ${detail ?? 'no answer'}${hint}`,
        { details: { instanceId: instance.id, detail: fleet.health.lastDetail(instance.id) ?? null } },
      );
    }
  }
}
