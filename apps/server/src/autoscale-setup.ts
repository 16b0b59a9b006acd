/**
 * Starts the autoscaler's loop and the scale-to-zero waker (docs/autoscaling.md) with slipwayd's settings; the caller
 * stops both on shutdown.
 */
import {
  createAutoscaler,
  createColdStartWaker,
  defaultAutoscalerSettings,
  defaultColdStartWakerSettings,
  type CoreDeps,
} from '@slipway/core';

export function startAutoscaler(deps: CoreDeps, options: { intervalMs: number }): { stop(): Promise<void> } {
  const logger = deps.logger.child({ component: 'autoscaler' });
  const autoscaler = createAutoscaler(
    { ...deps, logger },
    { ...defaultAutoscalerSettings, intervalMs: options.intervalMs },
  );
  const waker = createColdStartWaker({ ...deps, logger }, defaultColdStartWakerSettings);
  autoscaler.start();
  waker.start();
  return {
    async stop() {
      await Promise.all([autoscaler.stop(), waker.stop()]);
    },
  };
}
