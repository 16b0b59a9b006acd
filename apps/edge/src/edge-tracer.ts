/**
 * The router's OpenTelemetry traces: one SERVER span per sampled request, exported over OTLP/HTTP, its context sent
 * to the app in `traceparent`. A request is sampled when its own `traceparent` says so (its trace is continued), else
 * at `sampleRatio`. An unsampled request costs a flag test and a random number: no span, no closure, no string.
 * The SDK and the exporter are loaded only when tracing is on (they stay out of the bundle: a router with tracing off
 * starts and idles as small as before).
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Span, type Tracer } from '@opentelemetry/api';
import { isSampledTraceParent, parseTraceParent } from '@slipway/contract/traceparent';
import type { HttpHead } from './http-head.js';

export interface EdgeTracingSettings {
  /** The collector's OTLP/HTTP base URL (`http://localhost:4318`); spans go to `<endpoint>/v1/traces`. */
  readonly endpoint: string;
  /** Share of requests without a sampled `traceparent` that are traced, from 0 to 1. */
  readonly sampleRatio: number;
  /** `service.name` of the spans. */
  readonly serviceName: string;
}

/** What the span tells of the client's connection. */
export interface SpanClient {
  readonly proto: 'http' | 'https';
  readonly clientAddress: string;
  readonly localPort: string;
}

export interface EdgeTracer {
  /**
   * The request's span when it is sampled, else undefined (nothing allocated); `host` is normalised (lowercase, no
   * port) and `path` has no query.
   */
  startSpan(head: HttpHead, host: string, path: string, client: SpanClient): Span | undefined;
  /** The `traceparent` value the app gets for `span`. */
  traceParentOf(span: Span): string;
  /** Ends `span` with the status the client got (0: none), naming the app that answered when one did. */
  endSpan(span: Span, statusCode: number, app: string | undefined): void;
  /** Exports what is buffered and stops (bounded by the exporter's timeout). */
  shutdown(): Promise<void>;
}

/** The export's deadline and the span buffer's bound (spans past it are dropped, never queued without end). */
const exportTimeoutMs = 10_000;
const maxQueuedSpans = 2_048;

/** RFC 9110 methods and PATCH keep their name; any other becomes `_OTHER`, as the HTTP conventions say. */
const knownMethods = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE']);

export async function loadEdgeTracer(settings: EdgeTracingSettings): Promise<EdgeTracer> {
  const [
    { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor },
    { OTLPTraceExporter },
    { resourceFromAttributes },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    // The router decides which requests are sampled before it starts a span: a span started is a span sampled.
    sampler: new AlwaysOnSampler(),
    spanProcessors: [
      new BatchSpanProcessor(
        new OTLPTraceExporter({ url: tracesUrlOf(settings.endpoint), timeoutMillis: exportTimeoutMs }),
        { maxQueueSize: maxQueuedSpans, exportTimeoutMillis: exportTimeoutMs },
      ),
    ],
  });
  const tracer: Tracer = provider.getTracer('slipway-edge');
  const { sampleRatio } = settings;
  return {
    startSpan(head, host, path, client) {
      const incoming = head.traceparent;
      if (!isSampledTraceParent(incoming) && !(Math.random() < sampleRatio)) return undefined;
      const parent = parseTraceParent(incoming);
      const parentContext =
        parent === undefined
          ? ROOT_CONTEXT
          : trace.setSpanContext(ROOT_CONTEXT, {
              traceId: parent.traceId,
              spanId: parent.spanId,
              traceFlags: TraceFlags.SAMPLED,
              isRemote: true,
            });
      const { method } = head;
      const isKnown = knownMethods.has(method);
      const span = tracer.startSpan(
        isKnown ? method : 'HTTP',
        {
          kind: SpanKind.SERVER,
          attributes: {
            'http.request.method': isKnown ? method : '_OTHER',
            'url.scheme': client.proto,
            // The path alone: a query may carry secrets.
            'url.path': path,
            'server.address': host,
            'server.port': Number(client.localPort),
            'client.address': client.clientAddress,
            'network.protocol.version': head.isHttp10 ? '1.0' : '1.1',
          },
        },
        parentContext,
      );
      if (!isKnown) span.setAttribute('http.request.method_original', method);
      return span;
    },
    traceParentOf(span) {
      const { traceId, spanId } = span.spanContext();
      return `00-${traceId}-${spanId}-01`;
    },
    endSpan(span, statusCode, app) {
      if (statusCode > 0) span.setAttribute('http.response.status_code', statusCode);
      if (app !== undefined) span.setAttribute('slipway.app', app);
      // Server spans: a 5xx is an error, a 4xx is the client's (HTTP span status rules).
      if (statusCode >= 500 || statusCode === 0) {
        span.setAttribute('error.type', statusCode === 0 ? '_OTHER' : String(statusCode));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
    async shutdown() {
      await provider.shutdown();
    },
  };
}

/** The signal's path on an OTLP/HTTP base URL (as `OTEL_EXPORTER_OTLP_ENDPOINT` is read). */
export function tracesUrlOf(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}
