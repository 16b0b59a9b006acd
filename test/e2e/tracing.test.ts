/**
 * OpenTelemetry traces end to end, against a real slipwayd (and its edge) exporting to a real OTLP/HTTP receiver:
 * a deployment's trace holds the API request that asked for it, the job's run and each phase, with the builder's and
 * the runtime's calls inside them; a request through the edge reaches the app with a `traceparent` naming the edge's
 * span; a secret set on the app is found in nothing the receiver got. With tracing off, nothing is sent and the edge
 * adds no `traceparent`. Narrated step by step because each step depends on the one before.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

const secret = `trace-sentinel-${randomBytes(12).toString('hex')}`;
const serverKind = 2;

function deploy(slipwayd: SlipwaydHarness, app: string) {
  return slipwayd.cli(['deploy', app, '--path', join(fixturesDir, 'hello-node'), '--no-follow', '--json']);
}

describe('tracing on', () => {
  let receiver: OtlpReceiver;
  let slipwayd: SlipwaydHarness;
  let deploymentId = '';

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start({ args: ['--otlp-endpoint', receiver.url, '--edge-trace-sample-ratio', '1'] });
  }, 60_000);

  afterAll(async () => {
    await slipwayd.destroy();
    await receiver.close();
  });

  it("puts a deployment's run and phases in the trace of the API request that asked for it", async () => {
    expect((await slipwayd.cli(['apps', 'create', 'traced'])).code).toBe(0);
    const set = await slipwayd.cli(['secrets', 'set', 'traced', '--from-stdin', 'API_TOKEN'], { input: secret });
    expect(set.code, set.stderr).toBe(0);
    const answer = await deploy(slipwayd, 'traced');
    expect(answer.code, answer.stderr).toBe(0);
    deploymentId = (JSON.parse(answer.stdout) as { deployment: { id: string } }).deployment.id;
    expect((await slipwayd.settle(deploymentId)).state).toBe('succeeded');

    // The batch processor exports every few seconds.
    await waitFor(() => expect(receiver.named('deployment.finalize')).toHaveLength(1), { timeoutMs: 20_000 });
    const runs = receiver.named('deployment.run').filter((s) => s.attributes['slipway.deployment.id'] === deploymentId);
    expect(runs).toHaveLength(1);
    const run = runs[0] as ReceivedSpan;
    const request = receiver.spans.find((s) => s.spanId === run.parentSpanId) as ReceivedSpan;
    expect(request).toMatchObject({ serviceName: 'slipwayd', kind: serverKind, traceId: run.traceId });
    expect(request.attributes['http.request.method']).toBe('POST');
    expect(String(request.attributes['http.route'])).toContain('deployments');
    expect(request.attributes['http.response.status_code']).toBe(202);
    const phases = receiver.spans.filter((s) => s.parentSpanId === run.spanId).map((s) => s.name);
    expect(phases).toEqual(
      expect.arrayContaining([
        'deployment.fetch',
        'deployment.build',
        'deployment.release',
        'deployment.rollout',
        'deployment.finalize',
      ]),
    );
    for (const phase of receiver.spans.filter((s) => s.parentSpanId === run.spanId))
      expect(phase.traceId).toBe(run.traceId);
    // The builder's call is a child of the build phase, the runtime's start one of the rollout phase.
    const build = receiver.named('deployment.build')[0] as ReceivedSpan;
    expect(receiver.named('builder.build').filter((s) => s.parentSpanId === build.spanId)).toHaveLength(1);
    const rollout = receiver.named('deployment.rollout')[0] as ReceivedSpan;
    const starts = receiver.spans.filter((s) => s.traceId === run.traceId && s.name === 'runtime.start');
    expect(starts.length).toBeGreaterThanOrEqual(1);
    for (const start of starts) {
      expect(start.attributes['slipway.runtime']).toBe('process');
      // A child of the rollout, or of a span under it.
      const ancestors: string[] = [];
      let current: ReceivedSpan | undefined = start;
      while (current !== undefined) {
        ancestors.push(current.spanId);
        const parentId: string = current.parentSpanId;
        current = receiver.spans.find((s) => s.spanId === parentId);
      }
      expect(ancestors).toContain(rollout.spanId);
    }
  });

  it("sends the app a traceparent whose trace id is the edge span's", async () => {
    await waitFor(async () => expect((await slipwayd.edge('traced.localhost')).status).toBe(200));
    const answer = await slipwayd.edge('traced.localhost', '/headers?token=query-secret');
    expect(answer.status).toBe(200);
    const seen = (JSON.parse(answer.body) as Record<string, string>).traceparent ?? '';
    const [, traceId, parentId, flags] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(seen) ?? [];
    expect(flags).toBe('01');
    await waitFor(() => expect(receiver.spans.some((s) => s.spanId === parentId)).toBe(true), { timeoutMs: 20_000 });
    const span = receiver.spans.find((s) => s.spanId === parentId) as ReceivedSpan;
    expect(span).toMatchObject({ serviceName: 'slipwayd-edge', kind: serverKind, traceId, name: 'GET' });
    expect(span.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'url.path': '/headers',
      'server.address': 'traced.localhost',
      'http.response.status_code': 200,
      'slipway.app': 'traced',
    });
  });

  it("continues a client's sampled trace, and replaces the client's traceparent with its own span", async () => {
    const clientTraceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const answer = await slipwayd.edge('traced.localhost', '/headers', {
      traceparent: `00-${clientTraceId}-${clientSpanId}-01`,
    });
    const seen = (JSON.parse(answer.body) as Record<string, string>).traceparent ?? '';
    expect(seen.slice(3, 35)).toBe(clientTraceId);
    const edgeSpanId = seen.slice(36, 52);
    expect(edgeSpanId).not.toBe(clientSpanId);
    await waitFor(() => expect(receiver.spans.some((s) => s.spanId === edgeSpanId)).toBe(true), { timeoutMs: 20_000 });
    expect(receiver.spans.find((s) => s.spanId === edgeSpanId)).toMatchObject({
      traceId: clientTraceId,
      parentSpanId: clientSpanId,
    });
  });

  it('joins a run resumed after slipwayd was killed to the trace of the request that asked for it', async () => {
    const tracingArgs = ['--otlp-endpoint', receiver.url, '--edge-trace-sample-ratio', '1'];
    await slipwayd.kill('SIGTERM');
    await slipwayd.start({ env: { SLIPWAY_FAILPOINTS: 'start:rollout=pause' }, args: tracingArgs });
    const mark = slipwayd.output.length;
    const deployRequests = () =>
      receiver.spans.filter(
        (s) => s.kind === serverKind && String(s.attributes['http.route']).endsWith('/deployments'),
      );
    const requestsBefore = deployRequests().length;
    const answer = await deploy(slipwayd, 'traced');
    expect(answer.code, answer.stderr).toBe(0);
    const resumedId = (JSON.parse(answer.stdout) as { deployment: { id: string } }).deployment.id;
    await waitFor(() => expect(slipwayd.output.slice(mark)).toContain('"failpoint":"start:rollout"'), {
      timeoutMs: 30_000,
    });
    // The request's span is exported (batches leave every 5 s) before the kill, which would lose it.
    await waitFor(() => expect(deployRequests().length).toBe(requestsBefore + 1), { timeoutMs: 20_000 });
    await slipwayd.kill('SIGKILL');
    await slipwayd.start({ args: tracingArgs });
    expect((await slipwayd.settle(resumedId)).state).toBe('succeeded');

    const runsOf = () =>
      receiver.named('deployment.run').filter((s) => s.attributes['slipway.deployment.id'] === resumedId);
    // The killed run's span never ended, so it was never sent: the resumed run's is the one that arrives.
    await waitFor(() => expect(runsOf().length).toBeGreaterThanOrEqual(1), { timeoutMs: 20_000 });
    const resumed = runsOf().find((s) => Number(s.attributes['slipway.job.attempt']) >= 2) as ReceivedSpan;
    expect(resumed).toBeDefined();
    const request = receiver.spans.find((s) => s.spanId === resumed.parentSpanId) as ReceivedSpan;
    expect(request).toMatchObject({ serviceName: 'slipwayd', kind: serverKind, traceId: resumed.traceId });
    expect(request.attributes['http.request.method']).toBe('POST');
    const phases = receiver.spans.filter((s) => s.parentSpanId === resumed.spanId).map((s) => s.name);
    expect(phases).toEqual(expect.arrayContaining(['deployment.rollout', 'deployment.finalize']));
  }, 120_000);

  it('sends nothing that holds a secret or a query', async () => {
    expect(receiver.refused).toEqual([]);
    expect(receiver.bodies.length).toBeGreaterThan(0);
    for (const body of receiver.bodies) {
      expect(body).not.toContain(secret);
      expect(body).not.toContain('query-secret');
    }
  });
});

describe('tracing off', () => {
  let receiver: OtlpReceiver;
  let slipwayd: SlipwaydHarness;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
  }, 60_000);

  afterAll(async () => {
    await slipwayd.destroy();
    await receiver.close();
  });

  it('adds no traceparent at the edge and sends no span', async () => {
    expect((await slipwayd.cli(['apps', 'create', 'quiet'])).code).toBe(0);
    const answer = await deploy(slipwayd, 'quiet');
    expect(answer.code, answer.stderr).toBe(0);
    const { deployment } = JSON.parse(answer.stdout) as { deployment: { id: string } };
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
    await waitFor(async () => expect((await slipwayd.edge('quiet.localhost')).status).toBe(200));
    const headers = JSON.parse((await slipwayd.edge('quiet.localhost', '/headers')).body) as Record<string, string>;
    expect(headers.traceparent).toBeUndefined();
    // A client's own traceparent passes through untouched.
    const own = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
    const passed = JSON.parse((await slipwayd.edge('quiet.localhost', '/headers', { traceparent: own })).body) as {
      traceparent?: string;
    };
    expect(passed.traceparent).toBe(own);
    expect(receiver.bodies).toEqual([]);
  });
});
