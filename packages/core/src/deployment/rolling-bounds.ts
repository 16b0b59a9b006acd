/** maxSurge / maxUnavailable as Kubernetes resolves them: surge rounds up, unavailable rounds down, never both zero. */

export interface RollingBounds {
  maxSurge: number;
  maxUnavailable: number;
}

function resolve(value: number | string, replicas: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const fraction = (Number(value.slice(0, -1)) / 100) * replicas;
  return roundUp ? Math.ceil(fraction) : Math.floor(fraction);
}

export function resolveRollingBounds(
  maxSurge: number | string,
  maxUnavailable: number | string,
  replicas: number,
): RollingBounds {
  const surge = resolve(maxSurge, replicas, true);
  let unavailable = resolve(maxUnavailable, replicas, false);
  // Kubernetes: when both resolve to zero, one instance may be unavailable so the rollout can progress.
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { maxSurge: surge, maxUnavailable: unavailable };
}

export interface RollingState {
  desired: number;
  /** Instances of the new release that exist (starting or healthy). */
  newTotal: number;
  newHealthy: number;
  oldTotal: number;
  oldHealthy: number;
}

export interface RollingStep {
  toStart: number;
  toRetire: number;
}

/**
 * One step of a rolling update, as Kubernetes takes it: start new instances while the total stays within
 * desired + maxSurge; retire unhealthy old ones freely (they serve nothing) and healthy old ones only while
 * healthy instances stay at or above desired − maxUnavailable.
 */
export function planRollingStep(state: RollingState, bounds: RollingBounds): RollingStep {
  const total = state.newTotal + state.oldTotal;
  const toStart = Math.max(0, Math.min(state.desired - state.newTotal, state.desired + bounds.maxSurge - total));
  const minHealthy = Math.max(0, state.desired - bounds.maxUnavailable);
  const unhealthyOld = state.oldTotal - state.oldHealthy;
  const healthyOldToRetire = Math.max(0, Math.min(state.oldHealthy, state.newHealthy + state.oldHealthy - minHealthy));
  return { toStart, toRetire: unhealthyOld + healthyOldToRetire };
}
