/**
 * Runs every interval check of the catalog (HTTP, TCP, gRPC, script) on its interval and feeds each result to
 * `catalog.updateCheck`. Level-triggered: it follows the catalog's `checks` topic, so a check registered, changed or
 * deregistered by anyone (the agent API, a restore, a restart) is picked up, and its loop started, restarted or
 * stopped. Each check runs once at a time; the next run comes one interval after the previous one ended, the first
 * after a random part of the interval (Consul staggers them so that checks registered together do not run together).
 */
import type { CatalogCheckRunner, RunnableCheckDefinition } from '../ports/catalog-check-runner.js';
import { isRunnableCheck } from '../ports/catalog-check-runner.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Catalog } from './catalog.js';
import type { CheckRecord } from './catalog-records.js';

/** Consul's shortest check interval: a shorter one is run this often. */
export const minCheckIntervalMs = 1_000;
/**
 * The longest interval or timeout a check is run with: what a timer can hold (about 24.8 days). Node runs a longer
 * timer after 1 ms, which made a check registered with `Interval: "100000h"` probe its target a thousand times a
 * second and one with such a `Timeout` fail at once.
 */
export const maxCheckTimerMs = 2 ** 31 - 1;

/** What a script check says while script checks are off (it was registered before, or came with a restore). */
export const scriptChecksDisabledOutput =
  'script checks are disabled on this node (slipwayd runs them only with --enable-script-checks)';

export interface CheckSchedulerDeps {
  catalog: Catalog;
  runner: CatalogCheckRunner;
  clock: Clock;
  logger: Logger;
  /** `--enable-script-checks`: without it a script check is never run, and held critical. */
  isScriptChecksEnabled: boolean;
  /** Where a check's first run falls within its first interval, from 0 to 1 (default: random). */
  stagger?: () => number;
}

export interface CheckScheduler {
  /** Checks whose loop is running now (script checks while disabled not counted). */
  scheduledCount(): number;
  /** Stops every loop, cancels the runs in flight and resolves once all have ended. Idempotent. */
  close(): Promise<void>;
}

interface CheckLoop {
  /** The definition it runs, as JSON: a change restarts the loop. */
  key: string;
  /** The definition object last seen: a status update keeps it, so most passes compare no JSON. */
  definition: RunnableCheckDefinition;
  controller: AbortController;
}

function intervalOf(definition: RunnableCheckDefinition): number {
  return Math.min(maxCheckTimerMs, Math.max(minCheckIntervalMs, definition.intervalMs));
}

/** The definition as run: its timeout no longer than a timer can hold. */
function runnableOf(definition: RunnableCheckDefinition): RunnableCheckDefinition {
  return definition.timeoutMs > maxCheckTimerMs ? { ...definition, timeoutMs: maxCheckTimerMs } : definition;
}

export function createCheckScheduler(deps: CheckSchedulerDeps): CheckScheduler {
  const { catalog, runner, clock, logger } = deps;
  const stagger = deps.stagger ?? Math.random;
  const loops = new Map<string, CheckLoop>();
  /** Every loop and write still running, stopped ones included, so that `close` awaits them all. */
  const running = new Set<Promise<void>>();
  const own = (work: Promise<void>, checkId: string): void => {
    const owned: Promise<void> = work
      .catch((error: unknown) => logger.error({ checkId, err: error }, 'check loop failed'))
      .finally(() => running.delete(owned));
    running.add(owned);
  };
  const closing = new AbortController();
  let isClosed = false;

  const sleep = async (ms: number, signal: AbortSignal): Promise<boolean> => {
    try {
      await clock.sleep(ms, signal);
      return !signal.aborted;
    } catch {
      return false;
    }
  };

  const runLoop = async (checkId: string, definition: RunnableCheckDefinition, signal: AbortSignal) => {
    const intervalMs = intervalOf(definition);
    const run = runnableOf(definition);
    if (!(await sleep(Math.floor(Math.min(1, Math.max(0, stagger())) * intervalMs), signal))) return;
    while (!signal.aborted) {
      const result = await runner.run(run, signal);
      if (signal.aborted) return;
      try {
        // Undefined when the check went away meanwhile: the catalog's `checks` topic ends this loop soon after.
        await catalog.updateCheck(checkId, result.status, result.output);
      } catch (error) {
        logger.warn({ checkId, err: error }, 'check result not recorded');
      }
      if (!(await sleep(intervalMs, signal))) return;
    }
  };

  const holdDisabledScript = async (check: CheckRecord) => {
    if (check.status === 'critical' && check.output === scriptChecksDisabledOutput) return;
    try {
      await catalog.updateCheck(check.checkId, 'critical', scriptChecksDisabledOutput);
    } catch (error) {
      logger.warn({ checkId: check.checkId, err: error }, 'check result not recorded');
    }
  };

  const stopLoop = (checkId: string) => {
    const loop = loops.get(checkId);
    if (!loop) return;
    loop.controller.abort();
    loops.delete(checkId);
  };

  /** Starts, restarts and stops loops so that exactly the catalog's runnable checks have one. */
  const sync = (checks: readonly CheckRecord[]) => {
    const wanted = new Set<string>();
    for (const check of checks) {
      const { definition } = check;
      if (!isRunnableCheck(definition)) continue;
      if (definition.type === 'script' && !deps.isScriptChecksEnabled) {
        own(holdDisabledScript(check), check.checkId);
        continue;
      }
      wanted.add(check.checkId);
      const existing = loops.get(check.checkId);
      if (existing?.definition === definition) continue;
      const key = JSON.stringify(definition);
      if (existing?.key === key) {
        existing.definition = definition;
        continue;
      }
      if (existing) stopLoop(check.checkId);
      const controller = new AbortController();
      own(runLoop(check.checkId, definition, controller.signal), check.checkId);
      loops.set(check.checkId, { key, definition, controller });
    }
    for (const checkId of [...loops.keys()]) if (!wanted.has(checkId)) stopLoop(checkId);
  };

  const follow = async () => {
    while (!closing.signal.aborted) {
      const { value, index } = catalog.checks();
      sync(value);
      // A signal per wait: the engine leaves its listener on the signal it is given, so a long-lived one would
      // collect a listener per wake.
      const wait = new AbortController();
      const stop = () => wait.abort();
      closing.signal.addEventListener('abort', stop, { once: true });
      try {
        await catalog.waitFor({ kind: 'checks' }, index, wait.signal);
      } finally {
        closing.signal.removeEventListener('abort', stop);
      }
      // A closed engine answers every wait at once: look again only after a pause rather than spin.
      if (!closing.signal.aborted && catalog.checks().index === index) await sleep(minCheckIntervalMs, closing.signal);
    }
  };
  const following = follow().catch((error: unknown) =>
    logger.error({ err: error }, 'check scheduler stopped following the catalog'),
  );

  return {
    scheduledCount: () => loops.size,
    async close() {
      if (isClosed) return;
      isClosed = true;
      closing.abort();
      for (const loop of loops.values()) loop.controller.abort();
      loops.clear();
      await following;
      await Promise.all([...running]);
    },
  };
}
