/**
 * The runtime drivers slipwayd runs instances on, by name (`process`, `docker`, `swarm`). The controller picks one by
 * the name a release's runtime plan gives and checks what it can do by its capabilities, never by its name.
 */
import { SlipwayError } from '@slipway/contract';
import { defaultCoreSettings } from '../core-deps.js';
import type { ReleaseRecord } from '../domain/records.js';
import type { LogLine, RuntimeDriver } from '../ports/runtime-driver.js';
import { abortableCall } from './runtime-call-deadline.js';

export interface RuntimeSet {
  /** Names of the configured runtimes, in the order given. */
  readonly names: readonly string[];
  /**
   * The driver of that name, or undefined when slipwayd runs without it. Every call through it has a deadline: the
   * caller's `signal` when given, and `callTimeoutMs` in any case (see `withCallDeadlines`).
   */
  find(name: string): RuntimeDriver | undefined;
  /** The driver of that name, as `find` gives it. Errors: `RUNTIME_UNAVAILABLE` when slipwayd runs without it. */
  get(name: string): RuntimeDriver;
}

export interface RuntimeSetOptions {
  /** Deadline of one call; default `defaultCoreSettings.runtimeCallTimeoutMs` (30 s). */
  callTimeoutMs?: number;
  /** Deadline of a start; default `defaultCoreSettings.runtimeStartTimeoutMs` (150 s). */
  startTimeoutMs?: number;
}

export function createRuntimeSet(
  drivers: Readonly<Record<string, RuntimeDriver>>,
  options: RuntimeSetOptions = {},
): RuntimeSet {
  const deadlines = {
    callTimeoutMs: options.callTimeoutMs ?? defaultCoreSettings.runtimeCallTimeoutMs,
    startTimeoutMs: options.startTimeoutMs ?? defaultCoreSettings.runtimeStartTimeoutMs,
  };
  const byName = new Map(
    Object.entries(drivers).map(([name, driver]) => [name, withCallDeadlines(name, driver, deadlines)] as const),
  );
  return {
    names: [...byName.keys()],
    find: (name) => byName.get(name),
    get(name) {
      const driver = byName.get(name);
      if (driver === undefined) {
        throw new SlipwayError(
          'RUNTIME_UNAVAILABLE',
          `runtime "${name}" is not available in this slipwayd (it runs: ${[...byName.keys()].join(', ')})`,
          { details: { runtime: name, available: [...byName.keys()] } },
        );
      }
      return driver;
    },
  };
}

/**
 * Refuses a release the runtime cannot run: an image on a runtime that runs no images, or an artifact directory on
 * one that runs only images. Errors: `RUNTIME_UNAVAILABLE`, `RUNTIME_INCOMPATIBLE`.
 */
export function assertRuntimeRuns(
  runtimes: RuntimeSet,
  name: string,
  release: Pick<ReleaseRecord, 'image' | 'number'>,
) {
  const { capabilities } = runtimes.get(name);
  if (release.image !== null && !capabilities.runsImages) {
    throw new SlipwayError(
      'RUNTIME_INCOMPATIBLE',
      `release ${release.number} is the image ${release.image.reference}, and runtime "${name}" runs no images: set runtime: docker (or swarm) in slipway.yaml`,
      { details: { runtime: name } },
    );
  }
  if (release.image === null && !capabilities.runsArtifacts) {
    throw new SlipwayError(
      'RUNTIME_INCOMPATIBLE',
      `release ${release.number} was built without an image, and runtime "${name}" runs only images: add a Dockerfile, set image:, or use runtime: process`,
      { details: { runtime: name } },
    );
  }
}

/** The longest stop grace a manifest may ask for (`stopGraceSeconds` ≤ 3600): a stop's deadline must outlast it. */
const maxStopGraceMs = 3_600_000;

/**
 * The driver with a deadline on every call: `startTimeoutMs` for a start, else `callTimeoutMs`, plus the grace for a stop or a remove (which stops
 * first) and the command's timeout for an exec, and the caller's own signal. Past it the call rejects with
 * `RUNTIME_TIMEOUT` (naming the runtime, the call and the deadline) and the driver is told, through the signal, to
 * abandon its request. A follow of the logs has no deadline (it ends with its own signal); a read of the last lines
 * has one.
 */
export function withCallDeadlines(
  name: string,
  driver: RuntimeDriver,
  { callTimeoutMs, startTimeoutMs }: Required<RuntimeSetOptions>,
): RuntimeDriver {
  const call = async <T>(
    method: string,
    timeoutMs: number,
    callerSignal: AbortSignal | undefined,
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> => {
    const deadline = new AbortController();
    const timer = setTimeout(
      () =>
        deadline.abort(
          new SlipwayError('RUNTIME_TIMEOUT', `runtime "${name}" did not answer ${method} within ${timeoutMs} ms`, {
            details: { runtime: name, call: method, timeoutMs },
          }),
        ),
      timeoutMs,
    );
    timer.unref?.();
    const signal = callerSignal === undefined ? deadline.signal : AbortSignal.any([callerSignal, deadline.signal]);
    try {
      return await abortableCall(signal, () => work(signal), `${method} on runtime "${name}"`);
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    capabilities: driver.capabilities,
    start: (spec, options) =>
      call('start', startTimeoutMs, options?.signal, (signal) => driver.start(spec, { signal })),
    stop: (instanceId, options) =>
      call('stop', callTimeoutMs + (options?.graceMs ?? maxStopGraceMs), options?.signal, (signal) =>
        driver.stop(instanceId, { ...options, signal }),
      ),
    inspect: (instanceId, options) =>
      call('inspect', callTimeoutMs, options?.signal, (signal) => driver.inspect(instanceId, { signal })),
    list: (options) => call('list', callTimeoutMs, options?.signal, (signal) => driver.list({ signal })),
    stats: (instanceId, options) =>
      call('stats', callTimeoutMs, options?.signal, (signal) => driver.stats(instanceId, { signal })),
    exec: (instanceId, command, options) =>
      call('exec', callTimeoutMs + options.timeoutMs, options.signal, (signal) =>
        driver.exec(instanceId, command, { ...options, signal }),
      ),
    remove: (instanceId, options) =>
      call('remove', callTimeoutMs + maxStopGraceMs, options?.signal, (signal) =>
        driver.remove(instanceId, { signal }),
      ),
    logs(instanceId, options) {
      if (options.follow || options.untilExit === true) return driver.logs(instanceId, options);
      return tailWithDeadline(driver, instanceId, options, callTimeoutMs);
    },
    ...(driver.listeningPorts === undefined
      ? {}
      : {
          listeningPorts: (instanceId, options) =>
            call('listeningPorts', callTimeoutMs, options?.signal, async (signal) =>
              driver.listeningPorts?.(instanceId, { signal }),
            ),
        }),
    ...(driver.retiredInstances === undefined
      ? {}
      : {
          retiredInstances: (options) =>
            call(
              'retiredInstances',
              callTimeoutMs,
              options?.signal,
              async (signal) => (await driver.retiredInstances?.({ signal })) ?? [],
            ),
        }),
  };
}

async function* tailWithDeadline(
  driver: RuntimeDriver,
  instanceId: string,
  options: Parameters<RuntimeDriver['logs']>[1],
  timeoutMs: number,
): AsyncIterable<LogLine> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]);
  yield* driver.logs(instanceId, { ...options, signal });
}
