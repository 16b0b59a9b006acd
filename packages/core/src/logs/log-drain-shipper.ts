/**
 * Ships the persisted log to every drain in the background (docs/logs.md, "Log drains"). Per drain: the lines stored
 * after its cursor, in id order, a batch of at most `batchLines` at a time, each send under a deadline; the cursor
 * moves (in the store) only once a batch is acknowledged, so a restarted slipwayd resumes where the last one stopped
 * and a line is shipped at least once. A failed send is retried after `retryBaseMs`, doubled after each next failure
 * up to `retryMaxMs`. One batch per drain is held at a time, and a slow drain holds up no other.
 */
import { isSlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { DrainedLogLine, LogDrainSender } from '../ports/log-drain-sender.js';
import { createSecretMasker } from '../secrets/secret-masker.js';
import { secretPartsOfDrainUrl } from './log-drain-url.js';
import { appIdsOfDrain, openLogDrain } from './log-drains.js';
import type { LogDrainKind, LogDrainRecord, LogLineRecord } from './log-records.js';

export interface LogDrainShipperSettings {
  /** Lines sent at most per batch (one HTTP request, or one write of syslog frames). */
  readonly batchLines: number;
  /** Deadline of one send (connect, TLS, write, answer). */
  readonly timeoutMs: number;
  /** Wait after a first failure; doubled after each next one, up to `retryMaxMs`. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** How often the drains are looked at for new lines when nothing else wakes the shipper. */
  readonly pollIntervalMs: number;
}

export interface LogDrainShipperHooks {
  /** A batch was acknowledged. Must not throw. */
  readonly onShipped?: (kind: LogDrainKind, lines: number) => void;
  /** A send failed (it is retried later). Must not throw. */
  readonly onFailed?: (kind: LogDrainKind, lines: number) => void;
}

export interface LogDrainShipper {
  /** Starts the background loop. Idempotent. */
  start(): void;
  /**
   * Ships to every drain that is due (not waiting out a backoff) until it is caught up or a send fails; resolves with
   * the lines acknowledged. The loop calls it; tests call it with a manual clock.
   */
  shipDue(): Promise<number>;
  /** When the drain may be tried next after failures; undefined when it is not waiting. */
  retryAtMs(drainId: string): number | undefined;
  /** Stops the loop and waits for sends under way (abandoned: their batch is shipped again on the next start). */
  stop(): Promise<void>;
}

/** Exponential backoff: `baseMs` after the first failure, doubled after each next one, never past `maxMs`. */
export function drainRetryDelayMs(failures: number, baseMs: number, maxMs: number): number {
  const exponent = Math.min(Math.max(0, failures - 1), 30);
  return Math.min(maxMs, baseMs * 2 ** exponent);
}

/** Instances looked up for their release and deployment, remembered per drain pass (bounded). */
const maxRememberedInstances = 1_000;

export function createLogDrainShipper(
  deps: Pick<CoreDeps, 'store' | 'clock' | 'logger' | 'secretCipher'>,
  sender: LogDrainSender,
  settings: LogDrainShipperSettings,
  hooks: LogDrainShipperHooks = {},
): LogDrainShipper {
  const { store, clock, logger } = deps;
  const stopping = new AbortController();
  const backoff = new Map<string, { failures: number; retryAtMs: number }>();
  const busy = new Map<string, Promise<number>>();
  let loop: Promise<void> | undefined;

  /** Names and origins of the batch's lines, for the receiver. */
  const nameLines = async (drain: LogDrainRecord, lines: readonly LogLineRecord[]): Promise<DrainedLogLine[]> => {
    const project = (await store.projects.findById(drain.projectId))?.name ?? drain.projectId;
    const apps = new Map<string, string>();
    const instances = new Map<string, { releaseId: string; deploymentId: string | null } | null>();
    const out: DrainedLogLine[] = [];
    for (const line of lines) {
      if (!apps.has(line.appId)) apps.set(line.appId, (await store.apps.findById(line.appId))?.name ?? line.appId);
      let origin: { releaseId?: string; deploymentId?: string } = {};
      if (line.source === 'deploy') origin = { deploymentId: line.instanceId };
      else {
        if (!instances.has(line.instanceId) && instances.size < maxRememberedInstances) {
          const instance = await store.instances.findById(line.instanceId);
          instances.set(line.instanceId, instance ?? null);
        }
        const instance = instances.get(line.instanceId);
        if (instance) {
          origin = {
            releaseId: instance.releaseId,
            ...(instance.deploymentId === null ? {} : { deploymentId: instance.deploymentId }),
          };
        }
      }
      out.push({ ...line, project, app: apps.get(line.appId) ?? line.appId, ...origin });
    }
    return out;
  };

  /** One batch: resolves with the lines acknowledged, 0 when there were none, or -1 after a failed send. */
  const shipBatch = async (drain: LogDrainRecord): Promise<number> => {
    const appIds = await appIdsOfDrain(store, drain);
    const lines = await store.logLines.listAfter(drain.afterId, settings.batchLines, appIds);
    if (lines.length === 0) return 0;
    let mask = (text: string): string => text;
    const deadline = AbortSignal.any([stopping.signal, AbortSignal.timeout(settings.timeoutMs)]);
    try {
      const destination = openLogDrain(deps, drain);
      // Should a receiver or a library ever echo the URL or its token back, it is masked before it is stored or logged.
      mask = createSecretMasker(secretPartsOfDrainUrl(destination.url));
      await sender.send(destination, await nameLines(drain, lines), deadline);
    } catch (error) {
      if (stopping.signal.aborted) return -1;
      if (!isSlipwayError(error)) logger.error({ drainId: drain.id, err: error }, 'log drain send failed unexpectedly');
      const code = isSlipwayError(error) ? error.code : 'INTERNAL';
      const message = mask(isSlipwayError(error) ? error.message : 'an unexpected error (see the slipwayd log)');
      const failures = (backoff.get(drain.id)?.failures ?? 0) + 1;
      const delayMs = drainRetryDelayMs(failures, settings.retryBaseMs, settings.retryMaxMs);
      backoff.set(drain.id, { failures, retryAtMs: clock.nowMs() + delayMs });
      await store.logDrains.markFailed(drain.id, lines.length, { code, message }, clock.nowMs());
      hooks.onFailed?.(drain.kind, lines.length);
      logger.warn(
        { drainId: drain.id, destination: drain.destination, code, detail: message, failures, retryInMs: delayMs },
        'log drain send failed; retrying later',
      );
      return -1;
    }
    const lastId = lines.at(-1)?.id ?? drain.afterId;
    await store.logDrains.markDelivered(drain.id, lastId, lines.length, clock.nowMs());
    hooks.onShipped?.(drain.kind, lines.length);
    if (backoff.delete(drain.id))
      logger.info({ drainId: drain.id, destination: drain.destination }, 'log drain recovered');
    return lines.length;
  };

  /** Batches until the drain is caught up, a send fails or the shipper stops. Never rejects. */
  const runDrain = async (drainId: string): Promise<number> => {
    let shipped = 0;
    try {
      while (!stopping.signal.aborted) {
        // The cursor is read again from the store before each batch: it is the one truth a restart resumes from.
        const drain = await store.logDrains.find(drainId);
        if (!drain) return shipped;
        const count = await shipBatch(drain);
        if (count <= 0) return shipped;
        shipped += count;
        if (count < settings.batchLines) return shipped;
      }
    } catch (error) {
      logger.error({ drainId, err: error }, 'log drain pass failed; trying again later');
    }
    return shipped;
  };

  /** Starts a pass for every due drain not already in one; returns the passes started (each also held in `busy`). */
  const startDue = async (): Promise<{ passes: Promise<number>[] }> => {
    const drains = await store.logDrains.list();
    const known = new Set(drains.map((drain) => drain.id));
    for (const id of backoff.keys()) if (!known.has(id)) backoff.delete(id);
    const nowMs = clock.nowMs();
    const started: Promise<number>[] = [];
    for (const drain of drains) {
      if (busy.has(drain.id) || (backoff.get(drain.id)?.retryAtMs ?? 0) > nowMs) continue;
      const pass = runDrain(drain.id).finally(() => busy.delete(drain.id));
      busy.set(drain.id, pass);
      started.push(pass);
    }
    return { passes: started };
  };

  const run = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      try {
        await startDue();
      } catch (error) {
        logger.error({ err: error }, 'log drains could not be read; trying again later');
      }
      const nowMs = clock.nowMs();
      const nextRetryMs = Math.min(...[...backoff.values()].map((entry) => entry.retryAtMs - nowMs));
      const waitMs = Math.max(0, Math.min(settings.pollIntervalMs, nextRetryMs));
      await clock.sleep(waitMs, stopping.signal).catch(() => undefined);
    }
  };

  return {
    start() {
      loop ??= run();
    },
    async shipDue() {
      const { passes } = await startDue();
      return (await Promise.all(passes)).reduce((sum, count) => sum + count, 0);
    },
    retryAtMs: (drainId) => backoff.get(drainId)?.retryAtMs,
    async stop() {
      stopping.abort();
      await loop;
      await Promise.all(busy.values());
    },
  };
}
