/** The `http` metric provider: a URL answering a number, or JSON with the number at a path. */
import { SlipwayError, type HttpMetricProvider } from '@slipway/contract';
import type { MetricQueryVars } from '@slipway/core';
import { boundedGet, originOf } from './bounded-get.js';
import { fillPlaceholders } from './metric-placeholders.js';

/** A metric is one number: an answer over this is an error, never read further. */
export const maxHttpMetricBodyBytes = 64 * 1024;

const numberPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function unreadable(origin: string, why: string): SlipwayError {
  return new SlipwayError('METRIC_PROVIDER_FAILED', `the answer of ${origin} is not a metric: ${why}`);
}

/** `a.b[0].c`, `$.a.b`, `items[2]` as keys and indexes. */
export function parseJsonPath(path: string): Array<string | number> {
  const body = path.replace(/^\$\.?/, '');
  const segments: Array<string | number> = [];
  for (const match of body.matchAll(/([^.[\]]+)|\[(\d+)\]|\.|(.)/g)) {
    if (match[3] !== undefined) throw new SlipwayError('VALIDATION_FAILED', `jsonPath ${path} cannot be read`);
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
  }
  return segments;
}

/** A number, a numeric string or null (no data: JSON null, NaN, an index past an array's end); anything else throws. */
function toMetricValue(value: unknown, origin: string, where: string): number | null {
  if (value === null) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^nan$/i.test(text)) return null;
    if (/^[+-]?inf(inity)?$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
    if (numberPattern.test(text)) return Number(text);
  }
  throw unreadable(origin, `${where} is ${Array.isArray(value) ? 'an array' : typeof value}, not a number`);
}

/** The number at `jsonPath` in a JSON answer (see `toMetricValue` for no data). */
export function readJsonPath(json: unknown, jsonPath: string, origin: string): number | null {
  let current: unknown = json;
  for (const segment of parseJsonPath(jsonPath)) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) throw unreadable(origin, `no array at [${segment}] of ${jsonPath}`);
      if (segment >= current.length) return null;
      current = current[segment];
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, segment))
        throw unreadable(origin, `no value at ${jsonPath}`);
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return toMetricValue(current, origin, jsonPath);
}

/** The metric in an answer's body: a bare number (or JSON null), or the value at `jsonPath`. */
export function parseHttpMetricBody(body: string, jsonPath: string | undefined, origin: string): number | null {
  const text = body.trim();
  if (text === '') return null;
  if (jsonPath === undefined) {
    if (text === 'null') return null;
    return toMetricValue(text, origin, 'the body');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw unreadable(origin, 'not JSON');
  }
  return readJsonPath(json, jsonPath, origin);
}

/**
 * One measurement of an `http` metric: GET the URL (placeholders filled in, URL-encoded) within `timeoutSeconds`, a
 * body of at most 64 KiB. Errors as `MetricSource.measure`.
 */
export async function measureHttpMetric(
  provider: HttpMetricProvider,
  vars: MetricQueryVars,
  signal: AbortSignal,
): Promise<number | null> {
  const url = fillPlaceholders(provider.url, vars, encodeURIComponent);
  const body = await boundedGet(url, {
    timeoutMs: provider.timeoutSeconds * 1000,
    maxBodyBytes: maxHttpMetricBodyBytes,
    signal,
    accept: provider.jsonPath === undefined ? 'text/plain, application/json' : 'application/json',
  });
  return parseHttpMetricBody(body, provider.jsonPath, originOf(url));
}
