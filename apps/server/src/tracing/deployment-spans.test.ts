import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { context, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import type { DeploymentTracer } from '@slipway/core';
import { silentLogger } from '@slipway/testkit';
import { AsyncLocalContextManager } from './async-local-context.js';
import { createDeploymentSpans } from './deployment-spans.js';
import { createTraceOrigins } from './trace-origins.js';

describe('deployment spans of a trigger (a webhook delivery, a reconcile pass, a queued push)', () => {
  let dir: string;
  let exporter: InMemorySpanExporter;
  let provider: BasicTracerProvider;
  let spans: DeploymentTracer;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-spans-'));
    exporter = new InMemorySpanExporter();
    provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    context.setGlobalContextManager(new AsyncLocalContextManager());
    const origins = createTraceOrigins({ dir, logger: silentLogger, maxAgeMs: 60_000 });
    spans = createDeploymentSpans(provider.getTracer('test'), origins);
  });

  afterEach(async () => {
    context.disable();
    await provider.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  const named = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name);
  const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

  it('leaves no span for a trigger that started no deployment', async () => {
    expect(await spans.traceTrigger('git.reconcile', {}, () => Promise.resolve(3))).toBe(3);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it("makes the trigger the root of its deployments' traces, the run and its phases under it", async () => {
    await spans.traceTrigger('git.webhook', { 'slipway.git.provider': 'github' }, async () => {
      spans.recordOrigin('dep_one');
      spans.recordOrigin('dep_two');
      await Promise.resolve();
    });
    await spans.traceRun('dep_one', 1, () => spans.tracePhase('build', () => Promise.resolve()));
    await spans.traceRun('dep_two', 1, () => Promise.resolve());

    const [root] = named('git.webhook');
    expect(named('git.webhook')).toHaveLength(1);
    expect(root?.parentSpanContext).toBeUndefined();
    expect(root?.attributes).toMatchObject({ 'slipway.git.provider': 'github' });
    const runs = named('deployment.run');
    expect(runs.map((run) => run.attributes['slipway.deployment.id']).sort()).toEqual(['dep_one', 'dep_two']);
    for (const run of runs) {
      expect(run.spanContext().traceId).toBe(root?.spanContext().traceId);
      expect(parentOf(run)).toBe(root?.spanContext().spanId);
    }
    const build = named('deployment.build')[0];
    expect(parentOf(build as ReadableSpan)).toBe(
      runs.find((r) => r.attributes['slipway.deployment.id'] === 'dep_one')?.spanContext().spanId,
    );
  });

  it('starts a new trace even when the loop running the trigger had a span active', async () => {
    const outer = provider.getTracer('test').startSpan('outer');
    await context.with(trace.setSpan(context.active(), outer), () =>
      spans.traceTrigger('git.queued-push', {}, () => {
        spans.recordOrigin('dep_three');
        return Promise.resolve();
      }),
    );
    outer.end();
    const [root] = named('git.queued-push');
    expect(root?.parentSpanContext).toBeUndefined();
    expect(root?.spanContext().traceId).not.toBe(outer.spanContext().traceId);
  });

  it('marks the trigger span failed with the error code when the trigger throws', async () => {
    const failing = spans.traceTrigger('git.reconcile', {}, () => {
      spans.recordOrigin('dep_four');
      return Promise.reject(new Error('boom'));
    });
    await expect(failing).rejects.toThrow('boom');
    expect(named('git.reconcile')[0]?.attributes['error.type']).toBe('INTERNAL');
  });
});
