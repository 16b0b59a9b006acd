/** Writes a deployment's phase journal and event stream (phase, log, state events), and wakes its listeners. */
import type { DeploymentPhase } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { DeploymentRecord, EventType, PhaseRecord } from '../domain/records.js';

/** Build output can be long: each line is capped so one runaway line cannot bloat the store. */
const maxLineLength = 4_000;

export interface DeploymentJournal {
  log(line: string): void;
  /** Resolves once every log line written so far is stored. */
  flush(): Promise<void>;
  phaseStarted(phase: DeploymentPhase, detail?: string): Promise<void>;
  phaseFinished(phase: DeploymentPhase, state: 'succeeded' | 'failed' | 'skipped', detail?: string): Promise<void>;
  stateChanged(deployment: DeploymentRecord): Promise<void>;
}

export function createDeploymentJournal(
  deps: Pick<CoreDeps, 'store' | 'clock' | 'events' | 'logger'>,
  deploymentId: string,
): DeploymentJournal {
  let pending: Promise<unknown> = Promise.resolve();

  const append = (type: EventType, payload: Record<string, unknown>): Promise<void> => {
    pending = pending
      .then(() => deps.store.events.append({ deploymentId, type, payload, atMs: deps.clock.nowMs() }))
      .then(() => deps.events.notify(deploymentId))
      .catch((error: unknown) => deps.logger.warn({ deploymentId, err: error }, 'deployment event not stored'));
    return pending.then(() => undefined);
  };

  const currentPhase = async (phase: DeploymentPhase): Promise<PhaseRecord | undefined> => {
    const phases = await deps.store.phases.list(deploymentId);
    return phases.filter((p) => p.phase === phase).at(-1);
  };

  return {
    log(line) {
      void append('log', { line: line.length > maxLineLength ? `${line.slice(0, maxLineLength)}…` : line });
    },
    flush: () => pending.then(() => undefined),
    async phaseStarted(phase, detail) {
      await pending;
      const phases = await deps.store.phases.list(deploymentId);
      // A run interrupted in this phase left its record running: the resumed run carries on in that record.
      const interrupted = phases.filter((p) => p.phase === phase).at(-1);
      if (interrupted?.state === 'running') {
        await append('phase', { phase, state: 'running', detail: detail ?? null });
        return;
      }
      await deps.store.phases.append({
        deploymentId,
        seq: (phases.at(-1)?.seq ?? 0) + 1,
        phase,
        state: 'running',
        startedAtMs: deps.clock.nowMs(),
        finishedAtMs: null,
        detail: detail ?? null,
      });
      await append('phase', { phase, state: 'running', detail: detail ?? null });
    },
    async phaseFinished(phase, state, detail) {
      await pending;
      const now = deps.clock.nowMs();
      const record = await currentPhase(phase);
      if (record && record.state === 'running') {
        await deps.store.phases.update({ ...record, state, finishedAtMs: now, detail: detail ?? record.detail });
      } else {
        const phases = await deps.store.phases.list(deploymentId);
        await deps.store.phases.append({
          deploymentId,
          seq: (phases.at(-1)?.seq ?? 0) + 1,
          phase,
          state,
          startedAtMs: now,
          finishedAtMs: now,
          detail: detail ?? null,
        });
      }
      await append('phase', { phase, state, detail: detail ?? null });
    },
    async stateChanged(deployment) {
      await append('state', { state: deployment.state, failure: deployment.failure });
    },
  };
}
