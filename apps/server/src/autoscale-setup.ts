/** Starts the autoscaler's loop (docs/autoscaling.md) with slipwayd's settings; the caller stops it on shutdown. */
import { createAutoscaler, defaultAutoscalerSettings, type Autoscaler, type CoreDeps } from '@slipway/core';

export function startAutoscaler(deps: CoreDeps, options: { intervalMs: number }): Autoscaler {
  const autoscaler = createAutoscaler(
    { ...deps, logger: deps.logger.child({ component: 'autoscaler' }) },
    { ...defaultAutoscalerSettings, intervalMs: options.intervalMs },
  );
  autoscaler.start();
  return autoscaler;
}
