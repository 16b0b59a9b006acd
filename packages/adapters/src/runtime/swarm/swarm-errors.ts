/** The Swarm driver's failures in Slipway's error model: an engine that is no swarm manager, and refused starts. */
import { SlipwayError } from '@slipway/contract';
import { engineError, engineMessageOf, engineStatusOf } from '../../docker/docker-engine.js';

/** Why a start failed, in `details.reason`. */
export type StartFailureReason =
  'already-running' | 'image-not-found' | 'no-suitable-node' | 'task-failed' | 'service-refused' | 'timeout';

/**
 * A failed engine call: `RUNTIME_UNAVAILABLE` when the engine does not answer or is not a swarm manager (every Swarm
 * call needs one), else what `engineError` makes of it.
 */
export function swarmError(error: unknown, what: string): SlipwayError {
  if (isNotSwarmManager(error)) {
    return new SlipwayError(
      'RUNTIME_UNAVAILABLE',
      `${what}: this engine is not a swarm manager: docker swarm init (or run slipwayd against a manager)`,
      { cause: error, details: { engineMessage: engineMessageOf(error) } },
    );
  }
  return engineError(error, what);
}

export function isNotSwarmManager(error: unknown): boolean {
  if (engineStatusOf(error) !== 503) return false;
  return /not a swarm manager|not part of a swarm/i.test(engineMessageOf(error));
}

export function isEngineStatus(error: unknown, ...statuses: number[]): boolean {
  const status = engineStatusOf(error);
  return status !== undefined && statuses.includes(status);
}

export function startFailed(
  instanceId: string,
  reason: StartFailureReason,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): SlipwayError {
  return new SlipwayError('START_FAILED', message, { details: { instanceId, reason, ...details }, cause });
}

export function instanceNotFound(instanceId: string): SlipwayError {
  return new SlipwayError('INSTANCE_NOT_FOUND', `no instance ${instanceId}`, { details: { instanceId } });
}
