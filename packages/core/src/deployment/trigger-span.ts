/**
 * Background work that may start deployments without an API request (a webhook delivery, a reconcile pass, a queued
 * push, a preview sweep) runs as a trigger of the deployment tracer, so those deployments are traced like an API
 * request's (docs/tracing.md); without a tracer it simply runs.
 */
import type { CoreDeps } from '../core-deps.js';

export function asTrigger<T>(
  deps: Pick<CoreDeps, 'tracer'>,
  name: string,
  attributes: Readonly<Record<string, string | number>>,
  run: () => Promise<T>,
): Promise<T> {
  return deps.tracer === undefined ? run() : deps.tracer.traceTrigger(name, attributes, run);
}
