/** How a cancel request reaches the run it stops: an in-process wake-up keyed by deployment, backed by the store. */
import type { DeploymentCancellation } from '../domain/records.js';

/** The `EventBus` key the job worker listens on to abort a deployment's run at once when a cancel is requested. */
export function cancellationKey(deploymentId: string): string {
  return `cancel:${deploymentId}`;
}

/** The reason a cancelled deployment's journal and phase record give: who asked. */
export function describeCancellation(cancellation: DeploymentCancellation): string {
  return `cancelled by ${cancellation.by}`;
}
