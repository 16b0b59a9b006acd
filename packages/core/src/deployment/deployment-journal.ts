/**
 * Writes a deployment's phase journal and event stream (phase, log, state events), and wakes its listeners. Every
 * text it stores (log lines, phase details, failure reasons) goes through `mask` first, so secret values never land
 * in the store or reach a stream.
 */
import { countNoun, type DeploymentPhase } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { DeploymentRecord, EventType, PhaseRecord } from '../domain/records.js';
import { publishDeploymentOver } from '../notifications/delivery-event-publishing.js';
import { noMasking, type SecretMasker } from '../secrets/secret-masker.js';

/** Build output can be long: each line is capped so one runaway line cannot bloat the store. */
const maxLineLength = 4_000;
/**
 * Log lines waiting for the store, at most: a build printing faster than the store writes has its excess dropped and
 * counted (a line says how many), rather than queued without bound in memory.
 */
export const maxQueuedLogLines = 10_000;
/** Log lines stored per transaction: one commit for many lines, not one per line. */
const linesPerTransaction = 500;

export interface DeploymentJournal {
  log(line: string): void;
  /** Resolves once every log line written so far is stored. */
  flush(): Promise<void>;
  phaseStarted(phase: DeploymentPhase, detail?: string): Promise<void>;
  phaseFinished(phase: DeploymentPhase, state: 'succeeded' | 'failed' | 'skipped', detail?: string): Promise<void>;
  stateChanged(deployment: DeploymentRecord): Promise<void>;
}

export function createDeploymentJournal(
  deps: Pick<CoreDeps, 'store' | 'clock' | 'events' | 'logger' | 'ids' | 'deliveryEvents' | 'metrics' | 'logs'>,
  deploymentId: string,
  mask: SecretMasker = noMasking,
): DeploymentJournal {
  // Writes run one after another, in the order they were asked for. Log lines join the last write while it has not
  // started (one write per batch, not per line), so the chain holds a few steps, never one per line.
  let pending: Promise<unknown> = Promise.resolve();
  let openBatch: string[] | undefined;
  let queuedLines = 0;
  let droppedLines = 0;
  const maskDetail = (detail: string | undefined): string | null => (detail === undefined ? null : mask(detail));

  const enqueue = (step: () => Promise<void>): Promise<void> => {
    const next = pending
      .then(step)
      .catch((error: unknown) => deps.logger.warn({ deploymentId, err: error }, 'deployment event not stored'));
    pending = next;
    return next;
  };

  // The app's persisted log gets the deployment's lines too (source `deploy`), so they are searched and drained with it.
  let scope: Promise<{ appId: string; environment: string } | undefined> | undefined;
  const scopeOf = (): Promise<{ appId: string; environment: string } | undefined> =>
    (scope ??= (async () => {
      const deployment = await deps.store.deployments.findById(deploymentId);
      if (deployment === undefined) return undefined;
      const environment = await deps.store.environments.findById(deployment.environmentId);
      return environment === undefined ? undefined : { appId: deployment.appId, environment: environment.name };
    })());
  const persistLines = async (lines: readonly string[]): Promise<void> => {
    const writer = deps.logs?.writer;
    const where = writer === undefined ? undefined : await scopeOf();
    if (writer === undefined || where === undefined) return;
    const atMs = deps.clock.nowMs();
    for (const line of lines) {
      writer.write({
        ...where,
        source: 'deploy',
        process: 'deploy',
        instanceId: deploymentId,
        stream: 'stdout',
        line,
        atMs,
      });
    }
  };

  const storeLines = async (batch: readonly string[]): Promise<void> => {
    for (let start = 0; start < batch.length; start += linesPerTransaction) {
      const lines = batch.slice(start, start + linesPerTransaction);
      try {
        await deps.store.transaction(async (tx) => {
          for (const line of lines) {
            await tx.events.append({ deploymentId, type: 'log', payload: { line }, atMs: deps.clock.nowMs() });
          }
        });
      } finally {
        queuedLines -= lines.length;
      }
      deps.events.notify(deploymentId);
      await persistLines(lines);
    }
  };

  const takeLine = (line: string): void => {
    if (openBatch === undefined) {
      const batch: string[] = [];
      openBatch = batch;
      void enqueue(async () => {
        if (openBatch === batch) openBatch = undefined;
        await storeLines(batch);
      });
    }
    openBatch.push(line);
    queuedLines += 1;
  };

  /** Says, where they would have been, how many lines were dropped. */
  const noteDroppedLines = (): void => {
    if (droppedLines === 0) return;
    takeLine(`… ${countNoun(droppedLines, 'line')} of output dropped: they came faster than they could be stored`);
    droppedLines = 0;
  };

  const append = (type: EventType, payload: Record<string, unknown>): Promise<void> => {
    noteDroppedLines();
    // Lines logged after this event go in a new batch behind it.
    openBatch = undefined;
    return enqueue(async () => {
      await deps.store.events.append({ deploymentId, type, payload, atMs: deps.clock.nowMs() });
      deps.events.notify(deploymentId);
    });
  };

  const currentPhase = async (phase: DeploymentPhase): Promise<PhaseRecord | undefined> => {
    const phases = await deps.store.phases.list(deploymentId);
    return phases.filter((p) => p.phase === phase).at(-1);
  };

  return {
    log(line) {
      if (queuedLines >= maxQueuedLogLines) {
        droppedLines += 1;
        return;
      }
      noteDroppedLines();
      // Masked before the cut, so a value split by it is still masked whole.
      const masked = mask(line);
      takeLine(masked.length > maxLineLength ? `${masked.slice(0, maxLineLength)}…` : masked);
    },
    flush() {
      noteDroppedLines();
      return pending.then(() => undefined);
    },
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
      deps.metrics?.phaseFinished({
        phase,
        state,
        durationMs: record?.state === 'running' ? Math.max(0, now - record.startedAtMs) : 0,
      });
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
      const cancelledBy = deployment.state === 'cancelled' ? (deployment.cancellation?.by ?? null) : null;
      await append('state', { state: deployment.state, failure, ...(cancelledBy === null ? {} : { cancelledBy }) });
      if (deployment.finishedAtMs !== null) {
        deps.metrics?.deploymentFinished({
          kind: deployment.kind,
          state: deployment.state,
          durationMs: Math.max(0, deployment.finishedAtMs - deployment.createdAtMs),
        });
      }
      // Where every deployment ends: succeeded and failed ones are notified (never throws).
      await publishDeploymentOver(deps, { ...deployment, failure });
    },
  };
}
