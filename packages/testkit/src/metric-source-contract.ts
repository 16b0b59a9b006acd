/** The MetricSource contract suite: the HTTP and Prometheus providers and the fake run it to prove the port's promises. */
import { SlipwayError } from '@slipway/contract';
import type { ExternalMetricProvider, MetricQueryVars, MetricSource } from '@slipway/core';
import { describe, expect, it } from 'vitest';

/** Providers the suite measures, in the source's own terms (URLs of a local server, PromQL, the fake's URLs). */
export interface MetricSourceFixtures {
  /** Answers `value` (0.97 and 12 are asked for). */
  answering(value: number): ExternalMetricProvider;
  /** Answers the number `{{release}}` was filled in with (release 7 in the suite's vars). */
  answeringRelease(): ExternalMetricProvider;
  /** Answers without data (an empty vector, a JSON null…). */
  noData(): ExternalMetricProvider;
  /** Never answers; its `timeoutSeconds` is 1. */
  hanging(): ExternalMetricProvider;
  /** Answers an error (a non-2xx status, a refused query…). */
  failing(): ExternalMetricProvider;
}

export interface MetricSourceContractOptions {
  /** Called inside each test (after the caller's `beforeAll`): the source and fixtures to measure. */
  setup: () => { source: MetricSource; fixtures: MetricSourceFixtures };
}

const vars: MetricQueryVars = { app: 'hello', environment: 'production', release: 7, stableRelease: 6 };

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected the measurement to fail'),
    (error: unknown) => error,
  );
}

export function describeMetricSource(name: string, options: MetricSourceContractOptions): void {
  describe(`MetricSource contract: ${name}`, () => {
    const signal = new AbortController().signal;

    it('answers the provider’s number', async () => {
      const { source, fixtures } = options.setup();
      await expect(source.measure(fixtures.answering(0.97), vars, signal)).resolves.toBe(0.97);
      await expect(source.measure(fixtures.answering(12), vars, signal)).resolves.toBe(12);
    });

    it('fills in the placeholders', async () => {
      const { source, fixtures } = options.setup();
      await expect(source.measure(fixtures.answeringRelease(), vars, signal)).resolves.toBe(7);
    });

    it('answers null, not 0 and not an error, when the provider has no data', async () => {
      const { source, fixtures } = options.setup();
      await expect(source.measure(fixtures.noData(), vars, signal)).resolves.toBeNull();
    });

    it('fails with METRIC_PROVIDER_TIMEOUT past the provider’s deadline', async () => {
      const { source, fixtures } = options.setup();
      const error = await failureOf(source.measure(fixtures.hanging(), vars, signal));
      expect(error).toBeInstanceOf(SlipwayError);
      expect((error as SlipwayError).code).toBe('METRIC_PROVIDER_TIMEOUT');
    });

    it('fails with METRIC_PROVIDER_FAILED when the provider answers an error', async () => {
      const { source, fixtures } = options.setup();
      const error = await failureOf(source.measure(fixtures.failing(), vars, signal));
      expect(error).toBeInstanceOf(SlipwayError);
      expect((error as SlipwayError).code).toBe('METRIC_PROVIDER_FAILED');
    });

    it('stops with the signal’s reason when its caller aborts', async () => {
      const { source, fixtures } = options.setup();
      const controller = new AbortController();
      const reason = new Error('the controller stops');
      const pending = failureOf(source.measure(fixtures.hanging(), vars, controller.signal));
      controller.abort(reason);
      expect(await pending).toBe(reason);
    });
  });
}
