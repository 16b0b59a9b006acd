/**
 * The last lines of an app's instances, read one instance at a time and bounded as a whole: however many instances an
 * app has, an answer holds at most `logTailLimits.maxLines` lines and `maxBytes` of text, and says what it left out.
 */
import { SlipwayError, type LogLineView, type LogTailOmission } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { InstanceRecord } from '../domain/records.js';
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

/** The instances whose logs are asked for, and the masker of their releases' secret values. */
export async function logSources(
  deps: CoreDeps,
  input: LogScopeInput,
): Promise<{ instances: InstanceRecord[]; mask: (text: string) => string }> {
  const scope = await getAppScope(deps.store, input.app, input.environment);
  const instances = (
    await deps.store.instances.list({ appId: scope.app.id, environmentId: scope.environment.id })
  ).filter((i) => input.process === undefined || i.process === input.process);
  const mask = await maskerForReleases(
    deps,
    instances.map((i) => i.releaseId),
  );
  return { instances, mask };
}

/**
 * The last `tail` lines of each instance, instance after instance, pulled as the consumer takes them. With many
 * instances each gets an even share of `maxLines`; once `maxBytes` is reached the rest is left out. Either way the last
 * item says so. Errors: those of `getAppScope`.
 */
export async function* tailLogs(
  deps: CoreDeps,
  input: LogScopeInput & { tail: number },
  limits: { maxLines: number; maxBytes: number } = logTailLimits,
): AsyncGenerator<LogTailItem> {
  const { instances, mask } = await logSources(deps, input);
  // At least a line each: past `maxLines` instances the line bound cuts the answer instead.
  const share = instances.length === 0 ? input.tail : Math.max(1, Math.floor(limits.maxLines / instances.length));
  const tailPerInstance = Math.max(0, Math.min(input.tail, share));
  let bytes = 0;
  let lines = 0;
  // Marked only when an instance gave all its share: one with fewer lines lost nothing to the share.
  let isShareCut = false;
  for (const [index, instance] of instances.entries()) {
    let instanceLines = 0;
    try {
      for await (const raw of deps.runtimes
        .get(instance.runtime)
        .logs(instance.id, { tailLines: tailPerInstance, follow: false })) {
        const line = { instanceId: instance.id, process: instance.process, stream: raw.stream, line: mask(raw.line) };
        bytes += utf8.encode(line.line).byteLength;
        if (bytes > limits.maxBytes || lines >= limits.maxLines) {
          yield omission(input.tail, tailPerInstance, instances.length - index, limits);
          return;
        }
        lines += 1;
        instanceLines += 1;
        yield { kind: 'line', line };
      }
    } catch (error) {
      if (!(error instanceof SlipwayError && error.code === 'INSTANCE_NOT_FOUND')) throw error;
    }
    if (tailPerInstance < input.tail && instanceLines >= tailPerInstance) isShareCut = true;
  }
  if (isShareCut) yield omission(input.tail, tailPerInstance, 0, limits);
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
