/**
 * Alerts in the core over real SQLite, on a manual clock: rules (built-in and added) evaluated by the alert loop
 * against the router's counters, each transition stored with its notification deliveries. What reaches a real
 * receiver is the end-to-end test's business; here the deliveries in the store are counted.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AddAlertRuleBody, EdgeMetrics } from '@slipway/contract';
import {
  addAlertRule,
  addNotificationTarget,
  createAlertEvaluator,
  createCrashLoopConditionSource,
  createDeploymentFailedConditionSource,
  createEdgeConditionSource,
  listAlertRules,
  listAlerts,
  removeAlertRule,
  type AlertConditionSources,
  type Clock,
  type CoreDeps,
} from '@slipway/core';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

function manualClock(startMs: number): Clock & { advance(ms: number): void } {
  let nowMs = startMs;
  return {
    nowMs: () => nowMs,
    sleep: () => Promise.resolve(),
    advance(ms) {
      nowMs += ms;
    },
  };
}

const evaluationMs = 15_000;

describe('alerts', () => {
  let harness: CoreHarness;
  let clock: ReturnType<typeof manualClock>;
  let sources: AlertConditionSources;
  const counters = { requests: 0, errors: 0 };

  const deps = (): CoreDeps => ({ ...harness.deps, clock, alertSources: sources });
  const newEvaluator = () => {
    sources = {
      'error-rate': createEdgeConditionSource('error-rate'),
      'crash-loop': createCrashLoopConditionSource(),
      'deployment-failed': createDeploymentFailedConditionSource(),
    };
    return createAlertEvaluator(deps(), sources, { intervalMs: evaluationMs, historyMs: 86_400_000 });
  };
  /** Traffic through the router to hello's release 1, as the edge's cumulative counters show it. */
  const serve = (requests: number, errors: number): void => {
    counters.requests += requests;
    counters.errors += errors;
    const metrics: EdgeMetrics = {
      latencyBucketsUs: [1_000, 10_000],
      routes: [],
      releases: [
        {
          app: 'hello',
          environment: 'production',
          releaseNumber: 1,
          counters: {
            requests: counters.requests,
            status: { '2xx': counters.requests - counters.errors, '3xx': 0, '4xx': 0, '5xx': counters.errors },
            connectErrors: 0,
            latency: [counters.requests, 0, 0],
          },
        },
      ],
    };
    harness.router.edgeMetrics = metrics;
  };
  const deliveriesOf = async (kind: 'alert.firing' | 'alert.resolved') =>
    (await harness.store.notifications.listDeliveries({ limit: 500 })).filter((d) => d.event.kind === kind);
  const addRule = (over: Partial<AddAlertRuleBody> = {}) =>
    addAlertRule(deps(), {
      project: 'default',
      kind: 'error-rate',
      threshold: 0.1,
      forSeconds: 60,
      minRequests: 10,
      ...over,
    });
  /** One evaluation after `requests` (of which `errors` failed) since the last one. */
  const evaluateAfter = async (evaluator: ReturnType<typeof newEvaluator>, requests: number, errors: number) => {
    clock.advance(evaluationMs);
    serve(requests, errors);
    return evaluator.evaluate();
  };

  beforeEach(async () => {
    harness = await createCoreHarness({ isReconcilerRunning: false });
    await harness.createApp('hello');
    clock = manualClock(Date.UTC(2026, 11, 7, 12));
    counters.requests = 0;
    counters.errors = 0;
    serve(0, 0);
    const evaluator = newEvaluator();
    await addNotificationTarget(deps(), {
      project: 'default',
      events: ['alert.firing', 'alert.resolved'],
      target: { kind: 'webhook', url: 'https://hooks.example.com/alerts', secret: 'whsec-alerts-0123456789' },
    });
    // The built-in error-rate rule would fire too: turned off, so each test counts its own rule's alerts only.
    const builtIn = (await listAlertRules(deps(), 'default')).find((r) => r.isDefault && r.kind === 'error-rate');
    await removeAlertRule(deps(), builtIn?.id ?? '');
    await evaluator.evaluate();
  });

  afterEach(async () => {
    await harness.close();
  });

  it('lists the built-in rules of the kinds slipwayd observes, and keeps one turned off off', async () => {
    const rules = await listAlertRules(deps(), 'default');
    expect(rules.filter((r) => r.isDefault).map((r) => [r.kind, r.isEnabled, r.threshold, r.forSeconds])).toEqual([
      ['crash-loop', true, null, 0],
      ['error-rate', false, 0.05, 300],
    ]);
    await newEvaluator().evaluate();
    expect((await listAlertRules(deps(), 'default')).filter((r) => r.isDefault)).toHaveLength(2);
  });

  it('refuses a threshold out of bounds, a kind with no source, and an app on a project-wide kind', async () => {
    await expect(addRule({ threshold: 1.5 })).rejects.toMatchObject({ code: 'ALERT_RULE_INVALID' });
    await expect(addRule({ kind: 'disk-usage', threshold: 0.5 })).rejects.toMatchObject({ code: 'ALERT_RULE_INVALID' });
    await expect(addRule({ kind: 'crash-loop', threshold: 1 })).rejects.toMatchObject({ code: 'ALERT_RULE_INVALID' });
    await expect(addRule({ app: 'nope' })).rejects.toMatchObject({ code: 'APP_NOT_FOUND' });
    expect((await listAlertRules(deps(), 'default')).filter((r) => !r.isDefault)).toHaveLength(0);
  });

  it('fires once after the duration, stays firing without repeats, and resolves once', async () => {
    const rule = await addRule();
    const evaluator = newEvaluator();
    await evaluator.evaluate(); // the rule's first read of the counters: no interval yet
    const fired: number[] = [];
    for (let i = 0; i < 12; i += 1) fired.push((await evaluateAfter(evaluator, 100, 50)).fired);
    // Pending at the first bad evaluation, firing at the first one 60 s later (the fifth), and never again.
    expect(fired).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(await deliveriesOf('alert.firing')).toHaveLength(1);
    const [firing] = await listAlerts(deps(), { limit: 10 });
    expect(firing).toMatchObject({ ruleId: rule.id, state: 'firing', subject: 'hello in production', value: 0.5 });

    const resolved: number[] = [];
    for (let i = 0; i < 5; i += 1) resolved.push((await evaluateAfter(evaluator, 100, 0)).resolved);
    expect(resolved).toEqual([1, 0, 0, 0, 0]);
    expect(await deliveriesOf('alert.resolved')).toHaveLength(1);
    expect(await deliveriesOf('alert.firing')).toHaveLength(1);
    const [delivery] = await deliveriesOf('alert.resolved');
    expect(delivery?.event.message).toBe(
      `Alert error-rate resolved for hello in production: 0% of 100 requests answered 5xx. It had fired at ${new Date(firing?.firedAt ?? '').toISOString()}.`,
    );
    expect(delivery?.event.alert).toMatchObject({ id: firing?.id, state: 'resolved', value: 0 });
    expect(await listAlerts(deps(), { limit: 10 })).toMatchObject([{ id: firing?.id, state: 'resolved' }]);
  });

  it('never fires while the error rate flaps above the threshold for less than the duration', async () => {
    await addRule({ forSeconds: 45 });
    const evaluator = newEvaluator();
    await evaluator.evaluate();
    for (let i = 0; i < 30; i += 1) {
      const isBad = i % 3 !== 2; // 30 s bad, 15 s good: never 45 s in a row
      expect((await evaluateAfter(evaluator, 100, isBad ? 60 : 0)).fired).toBe(0);
    }
    expect(await deliveriesOf('alert.firing')).toHaveLength(0);
    expect(await listAlerts(deps(), { limit: 10 })).toEqual([]);
  });

  it('neither sends a firing alert again nor forgets it across a restart, and resolves it once after', async () => {
    await addRule({ forSeconds: 30 });
    const before = newEvaluator();
    await before.evaluate();
    for (let i = 0; i < 4; i += 1) await evaluateAfter(before, 100, 50);
    expect(await deliveriesOf('alert.firing')).toHaveLength(1);

    // A new evaluator over the same store is a restarted slipwayd: it keeps nothing in memory.
    const after = newEvaluator();
    for (let i = 0; i < 6; i += 1) expect((await evaluateAfter(after, 100, 50)).fired).toBe(0);
    expect(await deliveriesOf('alert.firing')).toHaveLength(1);
    expect(await listAlerts(deps(), { state: 'firing', limit: 10 })).toHaveLength(1);

    expect((await evaluateAfter(after, 100, 0)).resolved).toBe(1);
    expect((await evaluateAfter(after, 100, 0)).resolved).toBe(0);
    expect(await deliveriesOf('alert.resolved')).toHaveLength(1);
  });

  it('holds on evaluations with too few requests, and resolves a firing alert whose rule is removed', async () => {
    const rule = await addRule({ forSeconds: 0 });
    const evaluator = newEvaluator();
    await evaluator.evaluate();
    expect((await evaluateAfter(evaluator, 100, 50)).fired).toBe(1);
    for (let i = 0; i < 3; i += 1) expect(await evaluateAfter(evaluator, 5, 0)).toEqual({ fired: 0, resolved: 0 });
    await removeAlertRule(deps(), rule.id);
    expect((await evaluateAfter(evaluator, 100, 50)).resolved).toBe(1);
    const [delivery] = await deliveriesOf('alert.resolved');
    expect(delivery?.event.message).toContain('the rule was removed or turned off');
  });

  it('fires deployment-failed once when the last finished deployment failed, and resolves it when one succeeds', async () => {
    await addRule({ kind: 'deployment-failed', threshold: undefined, minRequests: undefined, forSeconds: 0 });
    const evaluator = newEvaluator();
    expect(await evaluator.evaluate()).toEqual({ fired: 0, resolved: 0 });
    const failed = await harness.deploy('hello', await harness.writeSource({ 'README.md': 'nothing to build\n' }));
    expect(failed.state).toBe('failed');
    expect((await evaluateAfter(evaluator, 0, 0)).fired).toBe(1);
    expect((await evaluateAfter(evaluator, 0, 0)).fired).toBe(0);
    const [firing] = await deliveriesOf('alert.firing');
    expect(firing?.event.message).toMatch(
      new RegExp(`^Alert deployment-failed firing for hello in production: deployment ${failed.id} failed in build: `),
    );
    harness.reconciler.start(); // a successful rollout needs the controller to start and probe its instance
    expect((await harness.deploy('hello', await harness.webSource())).state).toBe('succeeded');
    expect((await evaluateAfter(evaluator, 0, 0)).resolved).toBe(1);
    expect(await deliveriesOf('alert.firing')).toHaveLength(1);
    expect(await deliveriesOf('alert.resolved')).toHaveLength(1);
  });
});
