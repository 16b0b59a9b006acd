/**
 * slipwayd's options for OpenTelemetry traces (docs/tracing.md): off unless an OTLP/HTTP endpoint is given; the
 * share of API requests and of the edge's requests that are traced; the service name. The edge program gets its own
 * flags from these (`edgeTracingArgs`).
 */
import { z } from 'zod';
import { option, text } from './config-option.js';

/** An http(s) URL with no credentials, query or fragment: a secret never sits in a URL. */
const endpointSchema = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (
        (url.protocol === 'http:' || url.protocol === 'https:') &&
        url.username === '' &&
        url.password === '' &&
        url.search === '' &&
        url.hash === ''
      );
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without credentials, query or fragment');

const ratioSchema = z.number().min(0).max(1);

/** Digits and one dot only: anything else fails the schema with the option named. */
const ratioOf = (flag: string) => (given: Parameters<typeof text>[0]) => {
  const value = text(given, flag);
  if (value === undefined) return undefined;
  return /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
};

export const tracingOptions = {
  /** The collector's OTLP/HTTP base URL; spans go to `<url>/v1/traces`. Unset: no trace is made anywhere. */
  otlpEndpoint: option({
    schema: endpointSchema.optional(),
    inputs: [
      {
        flag: 'otlp-endpoint',
        env: 'SLIPWAY_OTLP_ENDPOINT',
        argument: 'URL',
        help: "send OpenTelemetry traces of slipwayd and the edge to this OTLP/HTTP collector, e.g. http://127.0.0.1:4318 (default: none, tracing off); the edge's part is applied on start by a graceful edge handover",
      },
      {
        flag: 'otel-exporter-otlp-endpoint',
        env: 'OTEL_EXPORTER_OTLP_ENDPOINT',
        argument: 'URL',
        help: "OpenTelemetry's own name for --otlp-endpoint (which wins when both are given)",
      },
    ],
    read: (given) => text(given, 'otlp-endpoint') ?? text(given, 'otel-exporter-otlp-endpoint'),
  }),
  /** Share of API requests that start a trace (a request with a sampled `traceparent` is traced whatever it is). */
  traceSampleRatio: option({
    schema: ratioSchema,
    default: 1,
    inputs: [
      {
        flag: 'trace-sample-ratio',
        env: 'SLIPWAY_TRACE_SAMPLE_RATIO',
        argument: '0..1',
        help: "share of slipwayd's API requests traced, with the deployments they queue (default 1)",
      },
    ],
    read: ratioOf('trace-sample-ratio'),
  }),
  /** Share of the edge's requests that start a trace (a request with a sampled `traceparent` is traced whatever it is). */
  edgeTraceSampleRatio: option({
    schema: ratioSchema,
    default: 0.01,
    inputs: [
      {
        flag: 'edge-trace-sample-ratio',
        env: 'SLIPWAY_EDGE_TRACE_SAMPLE_RATIO',
        argument: '0..1',
        help: "share of the edge's requests traced when the client sent no sampled traceparent (default 0.01); a change is applied on start by a graceful edge handover",
      },
    ],
    read: ratioOf('edge-trace-sample-ratio'),
  }),
  /** `service.name` of slipwayd's spans; the edge's are `<name>-edge`. */
  traceServiceName: option({
    schema: z.string().regex(/^[\w.-]{1,58}$/, "must be 1 to 58 letters, digits, '.', '_' or '-'"),
    default: 'slipwayd',
    inputs: [
      {
        flag: 'trace-service-name',
        env: 'SLIPWAY_TRACE_SERVICE_NAME',
        argument: 'NAME',
        help: "service.name of slipwayd's spans; the edge's are NAME-edge (default slipwayd)",
      },
    ],
  }),
};

/** The edge program's tracing flags for these options (none when tracing is off). */
export function edgeTracingArgs(config: {
  readonly otlpEndpoint?: string | undefined;
  readonly edgeTraceSampleRatio: number;
  readonly traceServiceName: string;
}): string[] {
  if (config.otlpEndpoint === undefined) return [];
  return [
    '--otlp-endpoint',
    config.otlpEndpoint,
    '--trace-sample-ratio',
    String(config.edgeTraceSampleRatio),
    '--trace-service-name',
    `${config.traceServiceName}-edge`,
  ];
}
