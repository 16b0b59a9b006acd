/**
 * Traces of deployments: each run of a deployment's job is a span in the trace of the request that asked for the
 * deployment (the API request, or the trigger that started it without one: a webhook delivery, a reconcile, a queued
 * push), and each phase a child of the run.
 * The composition root's adapter exports them (OpenTelemetry, docs/tracing.md); without one nothing is traced.
 */
import type { DeploymentPhase } from '@slipway/contract';

export interface DeploymentTracer {
  /**
   * Remembers, for a deployment being created, the trace under way (none: nothing is remembered), persisted so a run
   * resumed after a restart joins the same trace. Never throws, never waits.
   */
  recordOrigin(deploymentId: string): void;
  /**
   * Runs `run` (work that starts deployments without an API request: a webhook delivery handled, a rule fired by the
   * reconcile, a queued push fired) as the root span `name` of a new trace (sampled like an API request), so the
   * deployments it creates record it as their origin. Ends with `run`; its result or error passes through unchanged.
   */
  traceTrigger<T>(
    name: string,
    attributes: Readonly<Record<string, string | number>>,
    run: () => Promise<T>,
  ): Promise<T>;
  /**
   * Runs `run` (one attempt at the deployment, `attempt` from 1) in a span of the deployment's trace; without an origin
   * it runs untraced. The span ends when `run` settles; its result or error passes through unchanged.
   */
  traceRun<T>(deploymentId: string, attempt: number, run: () => Promise<T>): Promise<T>;
  /** Runs one phase in a span, child of the current run's; untraced outside a traced run. Passes the outcome through. */
  tracePhase<T>(phase: DeploymentPhase, run: () => Promise<T>): Promise<T>;
  /**
   * Runs `run` (work another loop does for a deployment: its instances' starts) inside the deployment's phase under
   * way in this process, so its calls are spans of that phase; untraced when none is. Passes the outcome through.
   */
  withinDeployment<T>(deploymentId: string | null, run: () => Promise<T>): Promise<T>;
  /** The deployment is over: its origin is forgotten (idempotent). */
  forget(deploymentId: string): void;
}
