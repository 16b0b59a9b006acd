/**
 * An app that listens on a port of its own choosing instead of `$PORT`: told apart early from one that is still
 * starting, so the rollout fails in seconds, naming both ports, instead of after the health check's start period.
 */
import { SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { ResolvedProcess } from '../domain/process-plan.js';
import type { InstanceRecord } from '../domain/records.js';

/** A probe detail that says nothing listens on the instance's port (`connect ECONNREFUSED …`). */
export function isRefused(detail: string | undefined): boolean {
  return detail !== undefined && /ECONNREFUSED|refused/i.test(detail);
}

/** How the port and `$PORT` are explained wherever an app does not answer on its port. */
export function portHint(port: number): string {
  return `Slipway assigned it port ${port} in $PORT: the app must listen on $PORT (e.g. process.env.PORT, os.environ["PORT"])`;
}

/**
 * Watches starting instances whose probes are refused. Seen twice in a row listening on other ports but not on its
 * own — an app may open another port a moment before its own — an instance fails the rollout with `PORT_MISMATCH`.
 */
export function createPortMismatchWatch(deps: Pick<CoreDeps, 'runtimes'>) {
  const sightings = new Map<string, number>();
  return {
    async check(instance: InstanceRecord, process: ResolvedProcess, lastDetail: string | undefined): Promise<void> {
      if (instance.port === null || instance.state === 'healthy' || !isRefused(lastDetail)) {
        sightings.delete(instance.id);
        return;
      }
      const driver = deps.runtimes.get(instance.runtime);
      const ports = (await driver.listeningPorts?.(instance.id)) ?? [];
      if (ports.length === 0 || ports.includes(instance.port)) {
        sightings.delete(instance.id);
        return;
      }
      const seen = (sightings.get(instance.id) ?? 0) + 1;
      sightings.set(instance.id, seen);
      if (seen < 2) return;
      const where = ports.length === 1 ? `port ${ports[0]}` : `ports ${ports.join(', ')}`;
      throw new SlipwayError(
        'PORT_MISMATCH',
        `${process.name} instance ${instance.id} listens on ${where}, not on port ${instance.port}: ${portHint(instance.port)}`,
        { details: { instanceId: instance.id, assignedPort: instance.port, listeningPorts: ports } },
      );
    },
  };
}
