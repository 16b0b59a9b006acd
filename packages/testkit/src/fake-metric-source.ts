/**
 * A MetricSource for unit tests of the core: it answers from the provider's URL path (or Prometheus query) instead
 * of the network, and keeps the port's promises (it runs the contract suite).
 */
import { SlipwayError } from '@slipway/contract';
import type { ExternalMetricProvider, MetricQueryVars, MetricSource } from '@slipway/core';

export type FakeMetricSource = MetricSource & {
  /** What was asked, in order: the URL or query with its placeholders filled in. */
  readonly asked: string[];
};

function fill(text: string, vars: MetricQueryVars): string {
  return text
    .replaceAll('{{app}}', vars.app)
    .replaceAll('{{environment}}', vars.environment)
    .replaceAll('{{release}}', String(vars.release))
    .replaceAll('{{stableRelease}}', vars.stableRelease === null ? '' : String(vars.stableRelease));
}

/**
 * Answers by the last path segments of an `http` URL, or by a `prometheus` query read the same way:
 * `…/value/<number>` that number, `…/no-data` null, `…/fail` `METRIC_PROVIDER_FAILED`, `…/hang` nothing until
 * `timeoutSeconds` passes (`METRIC_PROVIDER_TIMEOUT`) or the signal aborts (its reason). Anything else fails.
 */
export function createFakeMetricSource(): FakeMetricSource {
  const asked: string[] = [];
  return {
    asked,
    async measure(provider: ExternalMetricProvider, vars: MetricQueryVars, signal: AbortSignal) {
      signal.throwIfAborted();
      const target = fill(provider.type === 'http' ? provider.url : provider.query, vars);
      asked.push(target);
      const path = provider.type === 'http' ? new URL(target).pathname : target;
      const value = /\/value\/([^/]+)$/.exec(path)?.[1];
      if (value !== undefined && value !== '' && !Number.isNaN(Number(value))) return Number(value);
      if (path.endsWith('/no-data')) return null;
      if (path.endsWith('/hang')) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, provider.timeoutSeconds * 1000);
          signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              reject(signal.reason as Error);
            },
            { once: true },
          );
        });
        throw new SlipwayError(
          'METRIC_PROVIDER_TIMEOUT',
          `the provider did not answer within ${provider.timeoutSeconds} s`,
        );
      }
      throw new SlipwayError('METRIC_PROVIDER_FAILED', 'the provider answered HTTP 500');
    },
  };
}
