/** The labels by which the container runtime drivers (Docker and Swarm) find and re-adopt the instances they made. */
import { namespaceLabel } from './docker-engine.js';

/**
 * Labels a container driver puts on each instance's objects (a container, or a service and its containers) beside the
 * spec's own; they are how it finds instances again after the control plane restarts.
 */
export const containerInstanceLabels = {
  namespace: namespaceLabel,
  /**
   * The driver that made the object (`docker`, `swarm`), so objects other Slipway parts make in the same namespace are
   * not instances.
   */
  runtime: 'slipway.runtime',
  instanceId: 'slipway.instance-id',
  hostPort: 'slipway.host-port',
  containerPort: 'slipway.container-port',
  startedAtMs: 'slipway.started-at-ms',
  networkScope: 'slipway.network-scope',
} as const;

/** The keys of `containerInstanceLabels`, dropped when a spec's own labels are read back from an instance. */
export const containerInstanceLabelKeys: ReadonlySet<string> = new Set(Object.values(containerInstanceLabels));
