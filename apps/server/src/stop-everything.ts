/**
 * Stopping everything slipwayd runs, on purpose (`slipway system stop --all`): every running app instance of every
 * runtime, each given its stop grace, then the edge router. Runs after the worker and the reconciler have stopped, so
 * nothing starts an instance again; the desired state is kept, and the next slipwayd brings the apps back.
 */
import type { Logger } from 'pino';
import type { RuntimeSet } from '@slipway/core';

export interface StopEverythingDeps {
  runtimes: RuntimeSet;
  /** The edge router: stopped last, once no instance is left to route to. */
  edge: { stop(): Promise<void> };
  logger: Pick<Logger, 'info' | 'warn'>;
}

/** Resolves how many instances it stopped; a failed stop is logged and the others go on. */
export async function stopEverything(deps: StopEverythingDeps): Promise<number> {
  let stopped = 0;
  await Promise.all(
    deps.runtimes.names.map(async (name) => {
      const driver = deps.runtimes.get(name);
      const running = (await driver.list()).filter((instance) => instance.state === 'running');
      await Promise.all(
        running.map(async (instance) => {
          try {
            await driver.stop(instance.instanceId);
            stopped += 1;
          } catch (error) {
            deps.logger.warn({ runtime: name, instanceId: instance.instanceId, err: error }, 'instance did not stop');
          }
        }),
      );
    }),
  );
  deps.logger.info({ instances: stopped }, 'app instances stopped');
  await deps.edge.stop();
  deps.logger.info({}, 'edge router stopped');
  return stopped;
}
