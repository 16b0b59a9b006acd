/**
 * Previews in slipwayd: the services core's previews use (the provider client, an environment's teardown through the
 * fleet, the URL users open) and the sweep loop that follows previews up. A pass never overlaps the next, a failed
 * pass is logged and the loop goes on, and `stop` waits for the pass in flight.
 */
import { createGitProviderClient, defaultProviderHttpOptions } from '@slipway/adapters';
import type { CoreSettings } from '@slipway/core';
import type { ResolvedConfig } from './config.js';
import {
  KeyedMutex,
  deleteEnvironment,
  sweepPreviews,
  type Clock,
  type CoreDeps,
  type Fleet,
  type Logger,
  type PreviewServices,
} from '@slipway/core';

type PreviewConfig = Pick<
  ResolvedConfig,
  'previewDomain' | 'previewSweepIntervalMs' | 'previewProviderCheckIntervalMs' | 'edge' | 'edgeTls'
>;

/** The core settings previews read: the preview domain, when one is configured. */
export function previewSettingsOf(config: PreviewConfig): Pick<CoreSettings, 'previewDomain'> {
  return config.previewDomain === undefined ? {} : { previewDomain: config.previewDomain };
}

/** The preview services of slipwayd; preview URLs use the edge's HTTPS listener when it has one. */
export function previewServicesOf(config: PreviewConfig, deps: () => CoreDeps, fleet: () => Fleet): PreviewServices {
  const edge =
    config.edgeTls === undefined
      ? { port: config.edge.port, isTls: false }
      : { port: config.edgeTls.listen.port, isTls: true };
  return createPreviewServices({ deps, fleet, edge });
}

/** The sweep loop with slipwayd's configured intervals. */
export function startPreviewLoopOf(config: PreviewConfig, deps: CoreDeps, logger: Logger): PreviewLoop {
  return startPreviewLoop({
    deps,
    intervalMs: config.previewSweepIntervalMs,
    providerCheckIntervalMs: config.previewProviderCheckIntervalMs,
    clock: deps.clock,
    logger,
  });
}

export interface PreviewLoop {
  stop(): Promise<void>;
}

/** `fleet` and `deps` are asked for when a preview goes, after slipwayd has made them. */
export function createPreviewServices(options: {
  deps: () => CoreDeps;
  fleet: () => Fleet;
  /** The edge's public listener: `http://<host>:<port>` unless it is 80 (443 with TLS). */
  edge: { port: number; isTls: boolean };
}): PreviewServices {
  const { port, isTls } = options.edge;
  const scheme = isTls ? 'https' : 'http';
  const suffix = port === (isTls ? 443 : 80) ? '' : `:${port}`;
  return {
    provider: createGitProviderClient(defaultProviderHttpOptions),
    deleteEnvironment: (input) => deleteEnvironment(options.deps(), options.fleet(), { ...input, force: true }),
    publicUrl: (host) => `${scheme}://${host}${suffix}`,
    lock: new KeyedMutex(),
  };
}

export function startPreviewLoop(options: {
  deps: CoreDeps;
  intervalMs: number;
  providerCheckIntervalMs: number;
  clock: Clock;
  logger: Logger;
}): PreviewLoop {
  const { deps, clock, logger, intervalMs } = options;
  const stopping = new AbortController();
  let lastProviderCheckMs = clock.nowMs();
  const loop = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      try {
        await clock.sleep(intervalMs, stopping.signal);
      } catch {
        return;
      }
      const askProvider = clock.nowMs() - lastProviderCheckMs >= options.providerCheckIntervalMs;
      if (askProvider) lastProviderCheckMs = clock.nowMs();
      try {
        const done = await sweepPreviews(deps, { askProvider });
        for (const line of done) logger.info({ change: line }, 'preview followed up');
      } catch (error) {
        logger.error({ err: error }, 'preview sweep failed');
      }
    }
  };
  const running = intervalMs > 0 ? loop() : Promise.resolve();
  return {
    async stop() {
      stopping.abort(new Error('slipwayd is stopping'));
      await running;
    },
  };
}
