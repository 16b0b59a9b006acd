/** The `prometheus` metric provider: an instant PromQL query whose first sample is the value. */
import { SlipwayError, type PrometheusMetricProvider } from '@slipway/contract';
import type { MetricQueryVars } from '@slipway/core';
import { boundedGet, originOf } from './bounded-get.js';
import { fillPlaceholders, promqlStringValue } from './metric-placeholders.js';

/** An instant vector of many series is still small; past this the query is too broad to be a metric. */
export const maxPrometheusAnswerBytes = 1024 * 1024;

function unreadable(origin: string, why: string): SlipwayError {
  return new SlipwayError('METRIC_PROVIDER_FAILED', `the answer of Prometheus at ${origin} cannot be read: ${why}`);
}

/** `GET <address>/api/v1/query?query=…&timeout=…`: the address may carry a path prefix (`/prometheus`). */
export function prometheusQueryUrl(address: string, query: string, timeoutSeconds: number): string {
  const url = new URL(address);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v1/query`;
  url.search = '';
  url.searchParams.set('query', query);
  url.searchParams.set('timeout', `${timeoutSeconds}s`);
  return url.toString();
}

/** A sample's value as Prometheus writes it (`"0.97"`, `"NaN"`, `"+Inf"`): NaN is no data. */
function sampleValue(sample: unknown, origin: string): number | null {
  const text = Array.isArray(sample) ? (sample as unknown[])[1] : undefined;
  if (typeof text !== 'string') throw unreadable(origin, 'a sample without a value');
  if (text === 'NaN') return null;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value)) throw unreadable(origin, 'a sample value that is not a number');
  return value;
}

/**
 * The value of an instant query's answer: the first sample of a vector (an empty vector is no data), or a scalar.
 * A range (matrix) answer or an error status is an error.
 */
export function parsePrometheusAnswer(body: string, origin: string): number | null {
  let answer: { status?: unknown; error?: unknown; data?: { resultType?: unknown; result?: unknown } } | null;
  try {
    answer = JSON.parse(body) as typeof answer;
  } catch {
    throw unreadable(origin, 'not JSON');
  }
  if (typeof answer !== 'object' || answer === null) throw unreadable(origin, 'not a query answer');
  if (answer.status !== 'success') {
    const why = typeof answer.error === 'string' ? answer.error.slice(0, 200) : 'status is not success';
    throw new SlipwayError('METRIC_PROVIDER_FAILED', `Prometheus at ${origin} refused the query: ${why}`);
  }
  const { resultType, result } = answer.data ?? {};
  switch (resultType) {
    case 'vector': {
      if (!Array.isArray(result)) throw unreadable(origin, 'a vector without results');
      const first = result[0] as { value?: unknown } | undefined;
      return first === undefined ? null : sampleValue(first.value, origin);
    }
    case 'scalar':
      return sampleValue(result, origin);
    default:
      throw unreadable(origin, `a ${String(resultType)} answer; the query must give an instant vector or a scalar`);
  }
}

/**
 * One measurement of a `prometheus` metric: the query with its placeholders filled in (escaped for PromQL strings),
 * run as an instant query within `timeoutSeconds` (also handed to Prometheus as the query's own timeout). Errors as
 * `MetricSource.measure`; Prometheus' own error answers (a bad query) are `METRIC_PROVIDER_FAILED` with its reason.
 */
export async function measurePrometheusMetric(
  provider: PrometheusMetricProvider,
  vars: MetricQueryVars,
  signal: AbortSignal,
): Promise<number | null> {
  const query = fillPlaceholders(provider.query, vars, promqlStringValue);
  const url = prometheusQueryUrl(provider.address, query, provider.timeoutSeconds);
  const origin = originOf(url);
  const body = await boundedGet(url, {
    timeoutMs: provider.timeoutSeconds * 1000,
    maxBodyBytes: maxPrometheusAnswerBytes,
    signal,
    accept: 'application/json',
    // Prometheus answers a bad query (400) or one it could not run (422, 503) with a JSON error naming the problem.
    readableErrorStatuses: [400, 422, 503],
  });
  return parsePrometheusAnswer(body, origin);
}
