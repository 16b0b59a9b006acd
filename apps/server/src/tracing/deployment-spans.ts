/**
 * The deployment tracer over OpenTelemetry: a run's span is a child of the span that was active when the deployment
 * was created (its `traceparent` kept in `TraceOrigins`), so one trace holds the API request, the job's runs and their
 * phases. A run resumed after a restart joins the same trace as another run span (docs/tracing.md).
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

export function createDeploymentSpans(tracer: Tracer, origins: TraceOrigins): DeploymentTracer {
  /** The context of each deployment's phase under way in this process. */
  const phases = new Map<string, Context>();
  return {
    recordOrigin(deploymentId) {
      const active = trace.getSpan(context.active())?.spanContext();
      if (active === undefined || (active.traceFlags & TraceFlags.SAMPLED) === 0) return;
      origins.record(
        deploymentId,
        formatTraceParent({ traceId: active.traceId, spanId: active.spanId, isSampled: true }),
      );
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
