/**
 * Progressive delivery end to end, through a real slipwayd, its edge and a runtime (process, or docker): a canary whose
 * new release fails a fifth of its requests is aborted by the router's own analysis under bounded load and traffic
 * returns to stable; a healthy canary walks 10 → 50 → 100 with header routing reaching it on purpose; blue-green
 * previews, promotes and switches back at once to the release it kept warm; a slipwayd killed mid-canary resumes at the
 * same step with the same weights. Run by `progressive-delivery.test.ts` and `progressive-delivery-docker.test.ts`.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutView } from '@slipway/contract';
import { dockerTestEngine, skipUnless, waitFor } from '@slipway/testkit';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

type Runtime = 'process' | 'docker';

/** The release an answer came from (`x-release`, set by the canary-node fixture). */
const releaseOf = (answer: { headers: Record<string, string | string[] | undefined> }): string | undefined => {
  const header = answer.headers['x-release'];
  return typeof header === 'string' ? header : undefined;
};

export function describeProgressiveDelivery(runtime: Runtime): void {
  const availability =
    runtime === 'docker' ? dockerTestEngine() : { isAvailable: true, reason: 'the process runtime is always there' };

  describe(`progressive delivery on the ${runtime} runtime`, skipUnless(availability), () => {
    let slipwayd: SlipwaydHarness;
    let scratch: string;
    const app = `pd-${runtime}`;
    const host = `${app}.localhost`;

    /** canary-node as release `message`, with `strategy` (YAML lines) and `env` in its manifest. */
    const source = async (message: string, strategy: string[], env: Record<string, string> = {}): Promise<string> => {
      const dir = join(scratch, message);
      await cp(join(fixturesDir, 'canary-node'), dir, { recursive: true });
      if (runtime === 'docker')
        await writeFile(
          join(dir, 'Dockerfile'),
          'FROM local/node-runtime:latest\nCOPY server.js .\nCMD ["node", "server.js"]\n',
        );
      const envLines = Object.entries({ RELEASE_MESSAGE: message, ...env }).map(([k, v]) => `  ${k}: "${v}"`);
      await writeFile(
        join(dir, 'slipway.yaml'),
        [
          `runtime: ${runtime}`,
          'processes:',
          '  web:',
          '    replicas: 2',
          '    healthCheck: { type: http, path: /healthz }',
          ...strategy,
          'env:',
          ...envLines,
          '',
        ].join('\n'),
      );
      return dir;
    };

    const deploy = async (message: string, strategy: string[], env: Record<string, string> = {}): Promise<string> => {
      const { deployment } = await slipwayd.api.deployments.create(app, { path: await source(message, strategy, env) });
      return deployment.id;
    };

    const rolloutOf = (deploymentId: string, predicate: (view: RolloutView) => boolean, timeoutMs = 90_000) =>
      waitFor(
        async () => {
          const view = await slipwayd.api.rollout.get(app);
          if (view.deploymentId !== deploymentId || !predicate(view))
            throw new Error(`rollout: ${view.phase} at step ${view.currentStep} (${view.message ?? ''})`);
          return view;
        },
        { timeoutMs, intervalMs: 100 },
      );

    /** `count` requests through the edge, by the release that answered (and `failed` for non-2xx answers). */
    const sample = async (count: number, headers: Record<string, string> = {}): Promise<Record<string, number>> => {
      const served: Record<string, number> = {};
      for (let n = 0; n < count; n += 1) {
        const answer = await slipwayd.edge(host, '/', headers);
        const key = answer.status >= 200 && answer.status < 300 ? (releaseOf(answer) ?? 'unknown') : 'failed';
        served[key] = (served[key] ?? 0) + 1;
      }
      return served;
    };

    /** The release serving now (each case starts from what the one before left). */
    const serving = async (): Promise<string> => releaseOf(await slipwayd.edge(host)) ?? 'none';

    beforeAll(async () => {
      scratch = await mkdtemp(join(tmpdir(), `slipway-pd-${runtime}-`));
      slipwayd = await SlipwaydHarness.create({ containers: runtime === 'docker' ? 'docker' : 'off' });
      await slipwayd.start();
      await slipwayd.api.apps.create({ name: app });
      const first = await slipwayd.settle(await deploy('v1', []), 180_000);
      expect(first.state, JSON.stringify(first.failure)).toBe('succeeded');
    }, 240_000);

    afterAll(async () => {
      await slipwayd?.destroy();
      await rm(scratch, { recursive: true, force: true });
    });

    it('walks a healthy canary 10 → 50 → 100, with a header route reaching it on purpose', async () => {
      const id = await deploy('v2', [
        'strategy:',
        '  type: canary',
        '  stickyCookie: null',
        '  steps:',
        '    - setHeaderRoute: { header: x-canary, value: always }',
        '    - setWeight: 10',
        '    - pause: {}',
        '    - setWeight: 50',
        '    - pause: {}',
      ]);

      const atTen = await rolloutOf(id, (v) => v.phase === 'paused' && v.weights.some((w) => w.weight === 10));
      expect(atTen.pauseReason).toBe('step');
      expect(await sample(5, { 'x-canary': 'always' })).toEqual({ v2: 5 });
      const tenth = await sample(100);
      // Exact weights, not replica ratios: 10 of 100 cookie-less requests.
      expect(tenth).toEqual({ v1: 90, v2: 10 });

      await slipwayd.api.rollout.promote(app, {});
      await rolloutOf(id, (v) => v.phase === 'paused' && v.weights.some((w) => w.weight === 50));
      expect(await sample(100)).toEqual({ v1: 50, v2: 50 });

      await slipwayd.api.rollout.promote(app, {});
      const done = await slipwayd.settle(id, 120_000);
      expect(done.state).toBe('succeeded');
      expect((await slipwayd.api.rollout.get(app)).phase).toBe('healthy');
      await waitFor(async () => expect(await sample(20)).toEqual({ v2: 20 }), { timeoutMs: 30_000 });
    }, 240_000);

    it('aborts a canary failing a fifth of its requests by analysis, and traffic returns to stable', async () => {
      const stable = await serving();
      const id = await deploy(
        'v3',
        [
          'strategy:',
          '  type: canary',
          '  stickyCookie: null',
          '  steps:',
          '    - setWeight: 50',
          '    - analysis:',
          '        intervalSeconds: 1',
          '        count: 20',
          '        metrics:',
          '          - name: success-rate',
          '            provider: { type: router, measure: success-rate }',
          '            successCondition: { min: 0.95 }',
          '            failureLimit: 2',
          '            minRequests: 5',
        ],
        { FAIL_PERCENT: '20' },
      );

      // Bounded load from the start until the analysis has decided: the canary's answers are what it measures (a
      // canary with no traffic is never judged: its analysis pauses, inconclusive).
      let isDecided = false;
      const load = (async () => {
        let sent = 0;
        while (!isDecided && sent < 5_000) {
          await slipwayd.edge(host);
          sent += 1;
        }
      })();
      const aborted = await rolloutOf(id, (v) => v.phase === 'aborted', 120_000).finally(() => {
        isDecided = true;
      });
      await load;

      expect(aborted.message).toMatch(/success-rate/);
      const failedMeasurements = aborted.analysis?.measurements.filter((m) => m.outcome === 'failed') ?? [];
      expect(failedMeasurements).toHaveLength(2);
      const deployment = await slipwayd.settle(id);
      expect(deployment.state).toBe('failed');
      // Stable is the desired release again: all traffic on it, and it stays there.
      expect(await sample(40)).toEqual({ [stable]: 40 });
      expect((await slipwayd.api.releases.list(app)).releases.find((r) => r.isCurrent)?.number).toBe(
        aborted.stableReleaseNumber,
      );
    }, 240_000);

    it('previews a blue-green release, promotes it, and switches back at once to the release kept warm', async () => {
      const stable = await serving();
      const id = await deploy('v4', ['strategy:', '  type: blue-green', '  scaleDownDelaySeconds: 600']);
      const preview = await rolloutOf(id, (v) => v.phase === 'paused');
      expect(preview.pauseReason).toBe('blue-green-preview');
      await waitFor(async () => expect(releaseOf(await slipwayd.edge(`${app}--preview.localhost`))).toBe('v4'));
      expect(await sample(10)).toEqual({ [stable]: 10 });

      await slipwayd.api.rollout.promote(app, {});
      await waitFor(async () => expect(await sample(10)).toEqual({ v4: 10 }), { timeoutMs: 60_000 });
      const { instances: warm } = await slipwayd.api.instances.list(app);
      const stableIds = warm.filter((i) => i.releaseNumber === preview.stableReleaseNumber).map((i) => i.id);
      expect(stableIds).toHaveLength(2);

      await slipwayd.api.rollout.abort(app);
      // The switch back is one routing table: the next requests are stable's, on the instances kept warm.
      await waitFor(async () => expect(await sample(10)).toEqual({ [stable]: 10 }), { timeoutMs: 5_000 });
      const { instances } = await slipwayd.api.instances.list(app);
      expect(
        instances
          .filter((i) => i.releaseNumber === preview.stableReleaseNumber)
          .map((i) => i.id)
          .sort(),
      ).toEqual([...stableIds].sort());
      expect((await slipwayd.settle(id)).state).toBe('failed');
    }, 240_000);

    it('resumes a canary at the same step with the same weights after slipwayd is killed', async () => {
      const stable = await serving();
      const id = await deploy('v5', [
        'strategy:',
        '  type: canary',
        '  stickyCookie: null',
        '  steps:',
        '    - setWeight: 30',
        '    - pause: {}',
      ]);
      const before = await rolloutOf(id, (v) => v.phase === 'paused');

      await slipwayd.kill('SIGKILL');
      // The edge keeps routing while the control plane is down.
      expect(await sample(100)).toEqual({ [stable]: 70, v5: 30 });
      await slipwayd.start();

      const after = await rolloutOf(id, (v) => v.phase === 'paused');
      expect(after.currentStep).toBe(before.currentStep);
      expect(after.weights.map((w) => [w.releaseNumber, w.weight])).toEqual(
        before.weights.map((w) => [w.releaseNumber, w.weight]),
      );
      await slipwayd.api.rollout.promote(app, {});
      expect((await slipwayd.settle(id, 120_000)).state).toBe('succeeded');
    }, 240_000);
  });
}
