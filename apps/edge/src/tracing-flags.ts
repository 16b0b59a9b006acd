/** The edge program's tracing flags (docs/tracing.md): off unless `--otlp-endpoint` is given. */
import type { EdgeTracingSettings } from './edge-tracer.js';

export const tracingFlagOptions = {
  'otlp-endpoint': { type: 'string' },
  'trace-sample-ratio': { type: 'string' },
  'trace-service-name': { type: 'string' },
} as const;

export const tracingFlagsUsage =
  '[--otlp-endpoint URL [--trace-sample-ratio 0..1] [--trace-service-name NAME]] (tracing off; 0.01; slipway-edge)';

export const defaultEdgeSampleRatio = 0.01;
export const defaultEdgeServiceName = 'slipway-edge';

/** Settings from the flags, or undefined (tracing off); throws on a bad value (a usage error). */
export function parseTracingFlags(values: {
  readonly 'otlp-endpoint'?: string | undefined;
  readonly 'trace-sample-ratio'?: string | undefined;
  readonly 'trace-service-name'?: string | undefined;
}): EdgeTracingSettings | undefined {
  const endpoint = values['otlp-endpoint'];
  if (endpoint === undefined) {
    if (values['trace-sample-ratio'] !== undefined || values['trace-service-name'] !== undefined)
      throw new Error('--trace-sample-ratio and --trace-service-name need --otlp-endpoint');
    return undefined;
  }
  const ratioText = values['trace-sample-ratio'];
  const sampleRatio = ratioText === undefined ? defaultEdgeSampleRatio : Number(ratioText);
  if (ratioText !== undefined && (ratioText.trim() === '' || !(sampleRatio >= 0 && sampleRatio <= 1))) {
    throw new Error(`--trace-sample-ratio takes a number from 0 to 1; got ${ratioText}`);
  }
  const serviceName = values['trace-service-name'] ?? defaultEdgeServiceName;
  if (!/^[\w.-]{1,64}$/.test(serviceName)) {
    throw new Error(`--trace-service-name takes 1 to 64 letters, digits, '.', '_' or '-'; got ${serviceName}`);
  }
  return { endpoint: checkedEndpoint(endpoint), sampleRatio, serviceName };
}

/** An http(s) URL without credentials (a secret never sits in a URL) or query. */
function checkedEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`--otlp-endpoint takes an http(s) URL; got ${endpoint}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`--otlp-endpoint takes an http(s) URL; got ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new Error('--otlp-endpoint takes a URL without credentials, query or fragment');
  }
  return endpoint;
}
