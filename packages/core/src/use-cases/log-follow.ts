/**
 * Following an app's logs: the backlog of its instances in time order, then their new lines as they come, following
 * instances as they come and go (new releases, restarts, scaling) until the consumer stops.
 */
import type { LogLineView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import { mergeArriving } from '../domain/merge-async.js';
import { maskerForReleases } from '../secrets/secret-vault.js';
import { logLineView, logSources, tailLogs, type LogScopeInput, type LogSource } from './log-tail.js';
import { getAppScope } from './lookups.js';

/** How often the app's instances are looked up for ones to follow. */
export const followDiscoveryMs = 1_000;
/** What is shown of an instance that appears while following: its output from its start, up to these lines. */
export const arrivingInstanceLines = 1_000;

/**
 * The last `tail` lines of the app's instances merged in time order (`tailLogs`, bounded as a whole), then new lines
 * of every instance as they are read, each instance pulled only as fast as the consumer takes lines. Followers are
 * opened before the backlog is read, so a line written in between is shown twice rather than lost. Ends when `signal`
 * aborts, or when the app is gone. Errors: those of `getAppScope`, before the first line.
 */
export async function* followLogs(
  deps: CoreDeps,
  input: LogScopeInput & { tail: number; signal?: AbortSignal },
): AsyncGenerator<LogLineView> {
  await getAppScope(deps.store, input.app, input.environment);
  const followed = new Set<string>();

  const follower = (
    instance: LogSource,
    tailLines: number,
    mask: (text: string) => string,
  ): AsyncIterable<LogLineView> => {
    followed.add(instance.id);
    return (async function* (): AsyncGenerator<LogLineView> {
      try {
        const options = { tailLines, follow: true, ...(input.signal === undefined ? {} : { signal: input.signal }) };
        for await (const raw of deps.runtimes.get(instance.runtime).logs(instance.id, options)) {
          yield logLineView(instance, raw, mask, raw.timeMs ?? deps.clock.nowMs());
        }
      } finally {
        // Ended (removed, or its container stopped): followed again if it comes back under the same id.
        followed.delete(instance.id);
      }
    })();
  };

  async function* arrivals(): AsyncGenerator<AsyncIterable<LogLineView>> {
    const first = await logSources(deps, input);
    for (const instance of first.instances) yield follower(instance, 0, first.mask);
    for (;;) {
      try {
        await deps.clock.sleep(followDiscoveryMs, input.signal);
        await getAppScope(deps.store, input.app, input.environment);
      } catch {
        return; // Aborted, or the app is gone.
      }
      const { instances: now } = await logSources(deps, input);
      const arriving = now.filter((instance) => !followed.has(instance.id) && instance.startedAtMs !== null);
      if (arriving.length === 0) continue;
      const mask = await maskerForReleases(
        deps,
        arriving.map((i) => i.releaseId),
      );
      for (const instance of arriving) yield follower(instance, arrivingInstanceLines, mask);
    }
  }

  const live = mergeArriving(arrivals())[Symbol.asyncIterator]();
  try {
    // Started now, so the followers take their place at the end of each file before the backlog is read.
    const first = live.next();
    for await (const item of tailLogs(deps, input)) if (item.kind === 'line') yield item.line;
    for (let next = await first; next.done !== true; next = await live.next()) {
      if (input.signal?.aborted === true) return;
      yield next.value;
    }
  } finally {
    await live.return?.(undefined);
  }
}
