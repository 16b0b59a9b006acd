/**
 * Collects the output of every instance the fleet runs into the persisted log: one follower per instance (looked for
 * every `discoveryIntervalMs`, so new releases, restarts and scale-ups are picked up), its lines masked of the release's
 * secret values and handed to the `LogWriter`. A follower opened again (after a restart of slipwayd, or a follower that
 * failed) resumes where the store stops: its backlog is read back and the lines already stored are skipped.
 */
import { isSlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { InstanceRecord } from '../domain/records.js';
import type { LogLine } from '../ports/runtime-driver.js';
import { maskerForReleases } from '../secrets/secret-vault.js';
import { storedPrefixLength } from './backlog-dedupe.js';
import type { LogSettings } from './log-settings.js';
import type { LogWriter } from './log-writer.js';

/** Stored lines of a stream compared with the backlog to find where to resume. */
const resumeSuffixLines = 20;
/** A follower whose backlog has come in full: no line for this long (or a line of another time). */
const backlogSettleMs = 300;

export type LogCollectorDeps = Pick<CoreDeps, 'store' | 'runtimes' | 'clock' | 'logger' | 'secretCipher' | 'ids'> & {
  writer: LogWriter;
  settings: LogSettings;
};

export interface LogCollector {
  /** Instances followed now. */
  followedInstances(): number;
  /** Stops every follower and waits for them. */
  close(): Promise<void>;
}

export function startLogCollector(deps: LogCollectorDeps): LogCollector {
  const stop = new AbortController();
  const followed = new Map<string, Promise<void>>();

  const discover = async (): Promise<void> => {
    const instances = await deps.store.instances.list();
    for (const instance of instances) {
      if (followed.has(instance.id) || instance.startedAtMs === null) continue;
      if (deps.runtimes.find(instance.runtime) === undefined) continue;
      const task = follow(deps, instance, stop.signal)
        .catch((error: unknown) => {
          if (!stop.signal.aborted) deps.logger.warn({ err: error, instanceId: instance.id }, 'log collection failed');
        })
        .finally(() => followed.delete(instance.id));
      followed.set(instance.id, task);
    }
  };

  const loop = (async () => {
    while (!stop.signal.aborted) {
      try {
        await discover();
      } catch (error) {
        deps.logger.warn({ err: error }, 'log collection: instances not listed');
      }
      try {
        await deps.clock.sleep(deps.settings.discoveryIntervalMs, stop.signal);
      } catch {
        return;
      }
    }
  })();

  return {
    followedInstances: () => followed.size,
    async close() {
      stop.abort();
      await loop;
      await Promise.allSettled([...followed.values()]);
      await deps.writer.flush();
    },
  };
}

interface StreamResume {
  /** Lines written before this are stored already. */
  lastAtMs: number;
  suffix: string[];
  /** Backlog lines held until it is known which of them were stored. */
  held: LogLine[];
  isDecided: boolean;
}

async function follow(deps: LogCollectorDeps, instance: InstanceRecord, signal: AbortSignal): Promise<void> {
  const environment = await deps.store.environments.findById(instance.environmentId);
  if (environment === undefined) return;
  const mask = await maskerForReleases(deps, [instance.releaseId]);
  const resume: Record<LogLine['stream'], StreamResume> = {
    stdout: await resumeOf('stdout'),
    stderr: await resumeOf('stderr'),
  };

  async function resumeOf(stream: LogLine['stream']): Promise<StreamResume> {
    const last = await deps.store.logLines.lastOfInstance(instance.id, stream, resumeSuffixLines);
    return {
      lastAtMs: last.at(-1)?.atMs ?? Number.NEGATIVE_INFINITY,
      suffix: last.map((line) => line.line),
      held: [],
      isDecided: last.length === 0,
    };
  }

  const emit = (raw: LogLine): void => {
    deps.writer.write({
      appId: instance.appId,
      environment: environment.name,
      source: 'app',
      process: instance.process,
      instanceId: instance.id,
      stream: raw.stream,
      line: mask(raw.line),
      atMs: raw.timeMs ?? deps.clock.nowMs(),
    });
  };
  const decide = (state: StreamResume): void => {
    if (state.isDecided) return;
    state.isDecided = true;
    const skip = storedPrefixLength(
      state.held.map((line) => mask(line.line)),
      state.suffix,
    );
    for (const line of state.held.slice(skip)) emit(line);
    state.held = [];
  };
  const decideAll = (): void => {
    decide(resume.stdout);
    decide(resume.stderr);
  };

  const driver = deps.runtimes.get(instance.runtime);
  const output = driver.logs(instance.id, { tailLines: deps.settings.backlogLines, follow: true, signal });
  const lines = output[Symbol.asyncIterator]();
  try {
    let next = lines.next();
    for (;;) {
      const isHolding = !resume.stdout.isDecided || !resume.stderr.isDecided;
      const result = isHolding ? await settled(next, deps, signal) : await next;
      if (result === 'settled') {
        decideAll();
        continue;
      }
      if (result.done === true) break;
      next = lines.next();
      const raw = result.value;
      const state = resume[raw.stream];
      if (raw.timeMs !== undefined && raw.timeMs < state.lastAtMs) continue;
      if (state.isDecided) {
        emit(raw);
        continue;
      }
      // A backlog a runtime dates by its file's last write shares one time: a line of another time is past it.
      const first = state.held[0];
      if (first !== undefined && raw.timeMs !== first.timeMs) {
        decide(state);
        emit(raw);
        continue;
      }
      state.held.push(raw);
      if (state.held.length >= deps.settings.backlogLines) decide(state);
    }
    decideAll();
  } catch (error) {
    decideAll();
    if (signal.aborted || (isSlipwayError(error) && error.code === 'INSTANCE_NOT_FOUND')) return;
    throw error;
  } finally {
    await lines.return?.(undefined);
  }
}

/** The next line, or `settled` when none came for `backlogSettleMs`. */
async function settled<T>(
  next: Promise<T>,
  deps: Pick<LogCollectorDeps, 'clock'>,
  signal: AbortSignal,
): Promise<T | 'settled'> {
  const timer = new AbortController();
  const onAbort = (): void => timer.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([
      next,
      deps.clock.sleep(backlogSettleMs, timer.signal).then(
        () => 'settled' as const,
        () => new Promise<never>(() => undefined),
      ),
    ]);
  } finally {
    timer.abort();
    signal.removeEventListener('abort', onAbort);
  }
}
