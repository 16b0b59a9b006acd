/**
 * Writes a deployment's phase journal and event stream (phase, log, state events), and wakes its listeners. Every
 * text it stores (log lines, phase details, failure reasons) goes through `mask` first, so secret values never land
 * in the store or reach a stream.
 */
import type { DeploymentPhase } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { DeploymentRecord, EventType, PhaseRecord } from '../domain/records.js';
import { noMasking, type SecretMasker } from '../secrets/secret-masker.js';

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
  mask: SecretMasker = noMasking,
): DeploymentJournal {
  let pending: Promise<unknown> = Promise.resolve();
  const maskDetail = (detail: string | undefined): string | null => (detail === undefined ? null : mask(detail));

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
      // Masked before the cut, so a value split by it is still masked whole.
      const masked = mask(line);
      void append('log', { line: masked.length > maxLineLength ? `${masked.slice(0, maxLineLength)}…` : masked });
    },
    flush: () => pending.then(() => undefined),
    async phaseStarted(phase, detail) {
      await pending;
      const phases = await deps.store.phases.list(deploymentId);
      // A run interrupted in this phase left its record running: the resumed run carries on in that record.
      const interrupted = phases.filter((p) => p.phase === phase).at(-1);
      if (interrupted?.state === 'running') {
        await append('phase', { phase, state: 'running', detail: maskDetail(detail) });
        return;
      }
      await deps.store.phases.append({
        deploymentId,
        seq: (phases.at(-1)?.seq ?? 0) + 1,
        phase,
        state: 'running',
        startedAtMs: deps.clock.nowMs(),
        finishedAtMs: null,
        detail: maskDetail(detail),
      });
      await append('phase', { phase, state: 'running', detail: maskDetail(detail) });
    },
    async phaseFinished(phase, state, detail) {
      await pending;
      const now = deps.clock.nowMs();
      const record = await currentPhase(phase);
      if (record && record.state === 'running') {
        await deps.store.phases.update({
          ...record,
          state,
          finishedAtMs: now,
          detail: maskDetail(detail) ?? record.detail,
        });
      } else {
        const phases = await deps.store.phases.list(deploymentId);
        await deps.store.phases.append({
          deploymentId,
          seq: (phases.at(-1)?.seq ?? 0) + 1,
          phase,
          state,
          startedAtMs: now,
          finishedAtMs: now,
          detail: maskDetail(detail),
        });
      }
      await append('phase', { phase, state, detail: maskDetail(detail) });
    },
    async stateChanged(deployment) {
      const failure = deployment.failure && { ...deployment.failure, reason: mask(deployment.failure.reason) };
      await append('state', { state: deployment.state, failure });
    },
  };
}
