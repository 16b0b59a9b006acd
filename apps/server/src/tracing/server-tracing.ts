/**
 * slipwayd's tracing, wired once (docs/tracing.md): when an OTLP endpoint is configured, an OpenTelemetry tracer
 * provider exporting over OTLP/HTTP (JSON), the async context manager, the API request spans, the deployment tracer
 * and the spanned runtime drivers and builder, plus the edge's tracing flags. Off, every part is the identity.
 */
import { join } from 'node:path';
import { context, type Tracer } from '@opentelemetry/api';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { FastifyInstance } from 'fastify';
import type { CoreDeps, Logger, RuntimeDriver } from '@slipway/core';
import { edgeTracingArgs } from '../tracing-options.js';
import { installApiSpans } from './api-spans.js';
import { AsyncLocalContextManager } from './async-local-context.js';
import { createDeploymentSpans } from './deployment-spans.js';
import { createTraceOrigins, type TraceOrigins } from './trace-origins.js';
import { tracedCalls } from './traced-calls.js';

export interface TracingConfig {
  readonly dataDir: string;
  readonly otlpEndpoint?: string | undefined;
  readonly traceSampleRatio: number;
  readonly edgeTraceSampleRatio: number;
  readonly traceServiceName: string;
}

export interface ServerTracing {
  /** The edge program's tracing flags. */
  readonly edgeArgs: readonly string[];
  /** Spans the drivers' calls made inside a traced deployment. */
  traceDrivers(drivers: Record<string, RuntimeDriver>): Record<string, RuntimeDriver>;
  /** The core's dependencies with the deployment tracer and the spanned builder. */
  traceDeps(deps: CoreDeps): CoreDeps;
  /** Adds the API request spans (before any other hook). */
  installApi(app: FastifyInstance): void;
  /** Exports the spans still buffered (bounded by the export deadline) and stops. Idempotent. */
  shutdown(): Promise<void>;
}

/** Each export's deadline, and the span buffer's bound: past it spans are dropped, never queued without end. */
const exportTimeoutMs = 10_000;
const maxQueuedSpans = 2_048;
/** A deployment's trace origin is kept this long at most (one that ended without being forgotten). */
const originMaxAgeMs = 7 * 24 * 3_600_000;

const runtimeMethods = ['start', 'stop', 'inspect', 'exec', 'remove', 'listeningPorts'];

const tracingOff: ServerTracing = {
  edgeArgs: [],
  traceDrivers: (drivers) => drivers,
  traceDeps: (deps) => deps,
  installApi: () => undefined,
  shutdown: () => Promise.resolve(),
};

/** Off: the identity, and OpenTelemetry's SDK and exporter are never loaded. */
export async function startTracing(config: TracingConfig, version: string, logger: Logger): Promise<ServerTracing> {
  const endpoint = config.otlpEndpoint;
  if (endpoint === undefined) return tracingOff;
  const [
    { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler },
    { OTLPTraceExporter },
    { resourceFromAttributes },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.traceServiceName, [ATTR_SERVICE_VERSION]: version }),
    // A request with a sampled traceparent is traced; any other (none, or unsampled) is at the configured ratio.
    sampler: new ParentBasedSampler({
      root: new TraceIdRatioBasedSampler(config.traceSampleRatio),
      remoteParentNotSampled: new TraceIdRatioBasedSampler(config.traceSampleRatio),
    }),
    spanProcessors: [
      new BatchSpanProcessor(
        new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces`, timeoutMillis: exportTimeoutMs }),
        { maxQueueSize: maxQueuedSpans, exportTimeoutMillis: exportTimeoutMs },
      ),
    ],
  });
  const contextManager = new AsyncLocalContextManager();
  context.setGlobalContextManager(contextManager);
  const tracer: Tracer = provider.getTracer('slipwayd', version);
  const origins: TraceOrigins = createTraceOrigins({
    dir: join(config.dataDir, 'traces'),
    logger,
    maxAgeMs: originMaxAgeMs,
  });
  void origins.prune(Date.now()).catch((error: unknown) => logger.warn({ err: error }, 'old trace origins not pruned'));
  let stopping: Promise<void> | undefined;
  logger.info({ endpoint, sampleRatio: config.traceSampleRatio }, 'tracing on');
  return {
    edgeArgs: edgeTracingArgs(config),
    traceDrivers: (drivers) =>
      Object.fromEntries(
        Object.entries(drivers).map(([name, driver]) => [
          name,
          tracedCalls(tracer, driver, 'runtime', runtimeMethods, { 'slipway.runtime': name }),
        ]),
      ),
    traceDeps: (deps) => ({
      ...deps,
      builder: tracedCalls(tracer, deps.builder, 'builder', ['build']),
      tracer: createDeploymentSpans(tracer, origins),
    }),
    installApi: (app) => installApiSpans(app, tracer),
    shutdown() {
      stopping ??= (async () => {
        await origins.idle();
        await provider.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'last spans not exported'));
        context.disable();
      })();
      return stopping;
    },
  };
}
