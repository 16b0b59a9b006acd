/**
 * The last lines of an app's instances, read one instance at a time and bounded as a whole: however many instances an
 * app has, an answer holds at most `logTailLimits.maxLines` lines and `maxBytes` of text, and says what it left out.
 */
import { SlipwayError, type LogLineView, type LogTailOmission } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import { mergeByTime } from '../domain/merge-async.js';
import type { InstanceRecord } from '../domain/records.js';
import type { LogLine } from '../ports/runtime-driver.js';
import { maskerForReleases } from '../secrets/secret-vault.js';
import { getAppScope } from './lookups.js';

export const logTailLimits = {
  /** Lines in one answer, all instances together (the most one instance's tail may ask for). */
  maxLines: 10_000,
  /** Text of the lines in one answer (UTF-8), all instances together. */
  maxBytes: 4 * 1024 * 1024,
} as const;

const utf8 = new TextEncoder();

export interface LogScopeInput {
  app: string;
  environment: string;
  process?: string;
}

/** One item of a tail: a line, or, last, what the bounds left out. */
export type LogTailItem = { kind: 'line'; line: LogLineView } | { kind: 'omitted'; omitted: LogTailOmission };

/** What a log line is read from: a live instance, or a retired one whose runtime keeps its logs. */
export type LogSource = Pick<InstanceRecord, 'id' | 'process' | 'runtime' | 'releaseId' | 'startedAtMs'>;

/**
 * The instances whose logs are asked for (with `includeRetired`, removed ones whose runtime still keeps their logs
 * first), and the masker of their releases' secret values.
 */
export async function logSources(
  deps: CoreDeps,
  input: LogScopeInput & { includeRetired?: boolean },
): Promise<{ instances: LogSource[]; mask: (text: string) => string }> {
  const scope = await getAppScope(deps.store, input.app, input.environment);
  const isWanted = (process: string | undefined): boolean => input.process === undefined || process === input.process;
  const live = (await deps.store.instances.list({ appId: scope.app.id, environmentId: scope.environment.id })).filter(
    (i) => isWanted(i.process),
  );
  const retired: LogSource[] = [];
  if (input.includeRetired === true) {
    const liveIds = new Set(live.map((i) => i.id));
    for (const runtime of deps.runtimes.names) {
      const kept = (await deps.runtimes.get(runtime).retiredInstances?.()) ?? [];
      for (const instance of kept) {
        const { labels } = instance;
        if (labels['slipway.app-id'] !== scope.app.id || labels['slipway.environment'] !== scope.environment.name)
          continue;
        if (liveIds.has(instance.instanceId) || !isWanted(labels['slipway.process'])) continue;
        retired.push({
          id: instance.instanceId,
          process: labels['slipway.process'] ?? '?',
          runtime,
          releaseId: labels['slipway.release-id'] ?? '',
          startedAtMs: instance.startedAtMs,
        });
      }
    }
  }
  const instances = [...retired, ...live];
  const mask = await maskerForReleases(
    deps,
    instances.map((i) => i.releaseId).filter((id) => id !== ''),
  );
  return { instances, mask };
}

/**
 * The last `tail` lines of each instance, merged in time order (ties, and lines of runtimes that know no times, come
 * instance after instance), pulled as the consumer takes them: one line per instance is held. With many instances
 * each gets an even share of `maxLines`; once `maxBytes` is reached the rest is left out. Either way the last item says
 * so. Errors: those of `getAppScope`.
 */
export async function* tailLogs(
  deps: CoreDeps,
  input: LogScopeInput & { tail: number },
  limits: { maxLines: number; maxBytes: number } = logTailLimits,
): AsyncGenerator<LogTailItem> {
  const { instances, mask } = await logSources(deps, { ...input, includeRetired: true });
  // At least a line each: past `maxLines` instances the line bound cuts the answer instead.
  const share = instances.length === 0 ? input.tail : Math.max(1, Math.floor(limits.maxLines / instances.length));
  const tailPerInstance = Math.max(0, Math.min(input.tail, share));
  const readAtMs = deps.clock.nowMs();
  const counts = instances.map(() => 0);
  const isDone = instances.map(() => false);
  const perInstance = instances.map((instance, index) =>
    (async function* (): AsyncGenerator<{ index: number; line: LogLineView; timeMs: number }> {
      try {
        for await (const raw of deps.runtimes
          .get(instance.runtime)
          .logs(instance.id, { tailLines: tailPerInstance, follow: false })) {
          const timeMs = raw.timeMs ?? readAtMs;
          yield { index, timeMs, line: logLineView(instance, raw, mask, timeMs) };
        }
      } catch (error) {
        if (!(error instanceof SlipwayError && error.code === 'INSTANCE_NOT_FOUND')) throw error;
      }
      isDone[index] = true;
    })(),
  );
  let bytes = 0;
  let lines = 0;
  for await (const { index, line } of mergeByTime(perInstance, (item) => item.timeMs)) {
    bytes += utf8.encode(line.line).byteLength;
    if (bytes > limits.maxBytes || lines >= limits.maxLines) {
      // Instances with lines still unread, this one included.
      yield omission(input.tail, tailPerInstance, isDone.filter((done, i) => !done || i === index).length, limits);
      return;
    }
    lines += 1;
    counts[index] = (counts[index] ?? 0) + 1;
    yield { kind: 'line', line };
  }
  // Marked only when an instance gave all its share: one with fewer lines lost nothing to the share.
  if (tailPerInstance < input.tail && counts.some((count) => count >= tailPerInstance)) {
    yield omission(input.tail, tailPerInstance, 0, limits);
  }
}

/** The view of one line of an instance, its secret values masked. */
export function logLineView(
  instance: Pick<LogSource, 'id' | 'process'>,
  raw: LogLine,
  mask: (text: string) => string,
  timeMs: number,
): LogLineView {
  return {
    instanceId: instance.id,
    process: instance.process,
    stream: raw.stream,
    line: mask(raw.line),
    time: new Date(timeMs).toISOString(),
  };
}

function omission(
  tail: number,
  tailPerInstance: number,
  instancesCut: number,
  limits: { maxLines: number; maxBytes: number },
): LogTailItem {
  const reasons = [
    ...(tailPerInstance < tail
      ? [`each instance's tail was cut to ${tailPerInstance} lines (at most ${limits.maxLines} lines in all)`]
      : []),
    ...(instancesCut > 0
      ? [
          `the answer reached its bound (${limits.maxLines} lines, ${limits.maxBytes} bytes): ` +
            `the rest of ${instancesCut} instance(s) was left out`,
        ]
      : []),
  ];
  return {
    kind: 'omitted',
    omitted: { tailPerInstance, instancesCut, message: `lines left out: ${reasons.join('; ')}` },
  };
}
