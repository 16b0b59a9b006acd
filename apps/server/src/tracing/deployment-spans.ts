/**
 * The deployment tracer over OpenTelemetry: a run's span is a child of the span that was active when the deployment
 * was created (its `traceparent` kept in `TraceOrigins`), so one trace holds the API request (or the trigger that
 * started it without one: a webhook delivery, a reconcile pass), the job's runs and their phases. A run resumed after a
 * restart joins the same trace as another run span (docs/tracing.md).
 */
import {
  context,
  createContextKey,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Context,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import { formatTraceParent, isSlipwayError, parseTraceParent } from '@slipway/contract';
import type { DeploymentTracer } from '@slipway/core';
import type { TraceOrigins } from './trace-origins.js';

/** Runs `run` as the active span `span`, ending it with the outcome (an error's code only: messages may quote secrets). */
export async function inSpan<T>(span: Span, run: () => Promise<T>): Promise<T> {
  try {
    return await context.with(trace.setSpan(context.active(), span), run);
  } catch (error) {
    span.setAttribute('error.type', isSlipwayError(error) ? error.code : 'INTERNAL');
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}

/** The deployment a run's context belongs to. */
const deploymentKey = createContextKey('slipway.deployment');
/** The trigger under way in a context (`traceTrigger`). */
const triggerKey = createContextKey('slipway.trigger');

/**
 * A trigger's root span is started only when the trigger creates its first deployment (a reconcile pass or a
 * webhook delivery that deploys nothing leaves no trace), dated from the trigger's start, and ends with the trigger.
 */
interface Trigger {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string | number>>;
  readonly startTime: number;
  span?: Span;
}

export function createDeploymentSpans(tracer: Tracer, origins: TraceOrigins): DeploymentTracer {
  /** The span context of the trigger under way in `active`, its root span started on first use. */
  const triggerSpanOf = (active: Context): SpanContext | undefined => {
    const trigger = active.getValue(triggerKey) as Trigger | undefined;
    if (trigger === undefined) return undefined;
    trigger.span ??= tracer.startSpan(
      trigger.name,
      { kind: SpanKind.INTERNAL, attributes: trigger.attributes, startTime: trigger.startTime, root: true },
      ROOT_CONTEXT,
    );
    return trigger.span.spanContext();
  };
  /** The context of each deployment's phase under way in this process. */
  const phases = new Map<string, Context>();
  return {
    recordOrigin(deploymentId) {
      const active = trace.getSpan(context.active())?.spanContext() ?? triggerSpanOf(context.active());
      if (active === undefined || (active.traceFlags & TraceFlags.SAMPLED) === 0) return;
      origins.record(
        deploymentId,
        formatTraceParent({ traceId: active.traceId, spanId: active.spanId, isSampled: true }),
      );
    },
    async traceTrigger(name, attributes, run) {
      const trigger: Trigger = { name, attributes, startTime: Date.now() };
      try {
        // A new trace: whatever context the loop running the trigger had is not its parent.
        return await context.with(ROOT_CONTEXT.setValue(triggerKey, trigger), run);
      } catch (error) {
        trigger.span?.setAttribute('error.type', isSlipwayError(error) ? error.code : 'INTERNAL');
        trigger.span?.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        trigger.span?.end();
      }
    },
    async traceRun(deploymentId, attempt, run) {
      const origin = parseTraceParent(await origins.find(deploymentId));
      if (origin === undefined) return run();
      const parent = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: origin.traceId,
        spanId: origin.spanId,
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
      });
      const span = tracer.startSpan(
        'deployment.run',
        {
          kind: SpanKind.INTERNAL,
          attributes: { 'slipway.deployment.id': deploymentId, 'slipway.job.attempt': attempt },
        },
        parent,
      );
      // The run's context replaces whatever the job loop had: its spans belong to the deployment's trace.
      return context.with(parent.setValue(deploymentKey, deploymentId), () => inSpan(span, run));
    },
    tracePhase(phase, run) {
      if (trace.getSpan(context.active()) === undefined) return run();
      const span = tracer.startSpan(`deployment.${phase}`, { attributes: { 'slipway.deployment.phase': phase } });
      const deploymentId = context.active().getValue(deploymentKey);
      if (typeof deploymentId !== 'string') return inSpan(span, run);
      return inSpan(span, async () => {
        phases.set(deploymentId, context.active());
        try {
          return await run();
        } finally {
          phases.delete(deploymentId);
        }
      });
    },
    withinDeployment(deploymentId, run) {
      const phase = deploymentId === null ? undefined : phases.get(deploymentId);
      return phase === undefined ? run() : context.with(phase, run);
    },
    forget(deploymentId) {
      origins.forget(deploymentId);
    },
  };
}
