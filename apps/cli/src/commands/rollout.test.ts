import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { RolloutView } from '@slipway/contract';
import { startCannedApiServer } from '../canned-api-server.js';
import { cannedDeployment } from '../canned-resources.js';
import type { CannedApiServer } from '../canned-api-server.js';
import { createCapturedIo } from '../captured-io.js';
import { createProgram } from '../program.js';

let server: CannedApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function run(args: string[]) {
  const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server?.url ?? 'http://127.0.0.1:9' } });
  const code = await createProgram(captured.io).run(args);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

const at = (minute: number, second = 0) => new Date(Date.UTC(2026, 0, 2, 3, minute, second)).toISOString();

function cannedRollout(overrides: Partial<RolloutView> = {}): RolloutView {
  return {
    id: 'ro_1',
    app: 'web',
    environment: 'production',
    deploymentId: 'dep_7',
    strategy: 'canary',
    releaseNumber: 5,
    stableReleaseNumber: 4,
    phase: 'paused',
    pauseReason: 'step',
    message: null,
    currentStep: 2,
    steps: [
      { index: 0, label: 'setHeaderRoute header x-canary = "always"' },
      { index: 1, label: 'setWeight 20' },
      { index: 2, label: 'pause until promoted' },
      { index: 3, label: 'analysis success' },
      { index: 4, label: 'setWeight 50' },
      { index: 5, label: 'promote: all traffic to the new release' },
    ],
    weights: [
      { releaseNumber: 4, weight: 80, instances: { web: 4, worker: 1 }, matches: [], isPreview: false },
      {
        releaseNumber: 5,
        weight: 20,
        instances: { web: 1, worker: 1 },
        matches: ['header x-canary = "always"'],
        isPreview: false,
      },
    ],
    analysis: null,
    approvalRequestId: null,
    pendingControl: null,
    startedAt: at(4),
    updatedAt: at(6),
    finishedAt: null,
    ...overrides,
  };
}

describe('slipway rollout status', () => {
  it('shows the phase and why it waits, the step, the split, the steps and what to do next', async () => {
    server = await startCannedApiServer({ 'GET /api/v1/apps/web/rollout': { json: cannedRollout() } });
    const { code, stdout } = await run(['rollout', 'status', 'web']);
    expect(code).toBe(0);
    expect(server.requests[0]?.query.get('environment')).toBeNull();
    expect(stdout).toBe(
      [
        'web (production): canary rollout of release 5, from release 4',
        'phase  paused — a pause step waits',
        'step   3 of 6: pause until promoted',
        'deployment  dep_7',
        'started     2026-01-02 03:04Z',
        '',
        'RELEASE  WEIGHT  INSTANCES       ROUTED ON PURPOSE',
        'v4       80%     web×4 worker×1  -',
        'v5       20%     web×1 worker×1  header x-canary = "always"',
        '',
        'steps',
        '  ✓  1  setHeaderRoute header x-canary = "always"',
        '  ✓  2  setWeight 20',
        '  ▸  3  pause until promoted',
        '     4  analysis success',
        '     5  setWeight 50',
        '     6  promote: all traffic to the new release',
        '',
        'next',
        '  slipway rollout promote web         go on to step 4 (analysis success)',
        '  slipway rollout promote web --full  skip every remaining step, pause and analysis',
        '  slipway rollout abort web           all traffic back on release 4, which is desired again',
        '',
      ].join('\n'),
    );
  });

  it("shows the analysis' last measurements of each metric, oldest first", async () => {
    const measurement = (metric: string, second: number, outcome: 'successful' | 'failed', value: number) => ({
      metric,
      outcome,
      value,
      detail: null,
      at: at(5, second),
    });
    const view = cannedRollout({
      phase: 'progressing',
      pauseReason: null,
      currentStep: 3,
      analysis: {
        name: 'success',
        phase: 'running',
        message: null,
        measurements: [
          measurement('success', 0, 'successful', 1),
          measurement('success', 30, 'successful', 0.9987654),
          measurement('p99', 30, 'successful', 120),
          measurement('success', 40, 'failed', 0.5),
          { metric: 'success', outcome: 'inconclusive', value: null, detail: '3 requests, fewer than 20', at: at(6) },
        ],
      },
    });
    server = await startCannedApiServer({ 'GET /api/v1/apps/web/rollout': { json: view } });
    const { code, stdout } = await run(['rollout', 'status', 'web']);
    expect(code).toBe(0);
    expect(stdout).toContain(
      [
        'analysis success: running',
        'METRIC   OUTCOME       VALUE   AT                 DETAIL',
        'success  successful    0.9988  2026-01-02 03:05Z  -',
        'p99      successful    120     2026-01-02 03:05Z  -',
        'success  failed        0.5     2026-01-02 03:05Z  -',
        'success  inconclusive  -       2026-01-02 03:06Z  3 requests, fewer than 20',
        '',
        'next',
        '  slipway rollout pause web  hold at this step',
      ].join('\n'),
    );
  });

  it('asks for the environment given and says how to approve a step that waits for approval there', async () => {
    const view = cannedRollout({ environment: 'staging', pauseReason: 'approval', approvalRequestId: 'apr_9' });
    server = await startCannedApiServer({ 'GET /api/v1/apps/web/rollout': { json: view } });
    const { code, stdout } = await run(['rollout', 'status', 'web', '-e', 'staging']);
    expect(code).toBe(0);
    expect(server.requests[0]?.query.get('environment')).toBe('staging');
    expect(stdout).toContain('phase  paused — waiting for approval\n');
    expect(stdout).toContain(
      [
        'next',
        "  slipway approvals approve apr_9       approve (someone other than the deployment's author)",
        '  slipway rollout abort web -e staging  all traffic back on release 4, which is desired again',
      ].join('\n'),
    );
  });

  it('shows a blue-green preview, an aborted rollout with its reason, and how to retry it', async () => {
    const view = cannedRollout({
      strategy: 'blue-green',
      phase: 'aborted',
      pauseReason: null,
      message: 'analysis post-promotion failed: success 0.91 under 0.99 three times',
      currentStep: 3,
      steps: [
        { index: 0, label: 'preview: the new release at full scale beside the stable one' },
        { index: 1, label: 'pause until promoted' },
        { index: 2, label: 'switch: all traffic to the new release' },
        { index: 3, label: 'analysis post-promotion' },
        { index: 4, label: 'scale down the old release' },
      ],
      weights: [
        { releaseNumber: 4, weight: 100, instances: { web: 3 }, matches: [], isPreview: false },
        { releaseNumber: 5, weight: 0, instances: { web: 3 }, matches: [], isPreview: true },
      ],
      finishedAt: at(9),
    });
    server = await startCannedApiServer({ 'GET /api/v1/apps/web/rollout': { json: view } });
    const { stdout } = await run(['rollout', 'status', 'web']);
    expect(stdout).toContain(
      'phase    aborted\nmessage  analysis post-promotion failed: success 0.91 under 0.99 three times\nstep     4 of 5: analysis post-promotion\n',
    );
    expect(stdout).toContain('v5 (preview)  0%      web×3');
    expect(stdout).toContain('finished    2026-01-02 03:09Z\n');
    expect(stdout).toContain(
      'next\n  slipway rollout retry web  roll out release 5 again from its first step\n  slipway deploy web         or deploy a fix\n',
    );
  });

  it('marks every step done once healthy, and says when a control is not acted on yet', async () => {
    server = await startCannedApiServer({
      'GET /api/v1/apps/web/rollout': { json: cannedRollout({ phase: 'healthy', pauseReason: null, currentStep: 5 }) },
    });
    const healthy = await run(['rollout', 'status', 'web']);
    expect(healthy.stdout).toContain('  ✓  6  promote: all traffic to the new release\n');
    expect(healthy.stdout).not.toContain('\nnext\n');
    await server.close();
    server = await startCannedApiServer({
      'GET /api/v1/apps/web/rollout': { json: cannedRollout({ pendingControl: 'promote-full' }) },
    });
    const pending = await run(['rollout', 'status', 'web']);
    expect(pending.stdout).toContain(
      'asked  promote --full, not acted on yet (the controller does on its next pass)\n',
    );
    expect(pending.stdout).not.toContain('\nnext\n');
  });

  it('prints the API answer with --json', async () => {
    server = await startCannedApiServer({ 'GET /api/v1/apps/web/rollout': { json: cannedRollout() } });
    const { code, stdout } = await run(['--json', 'rollout', 'status', 'web']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(cannedRollout());
  });

  it("prints the server's coded error and exits 1", async () => {
    server = await startCannedApiServer({
      'GET /api/v1/apps/nope/rollout': {
        status: 404,
        json: { error: { code: 'APP_NOT_FOUND', message: 'no app "nope"', requestId: 'r' } },
      },
    });
    const { code, stderr } = await run(['rollout', 'status', 'nope']);
    expect(code).toBe(1);
    expect(stderr).toBe('error: APP_NOT_FOUND: no app "nope"\nhint: list the apps with: slipway apps list\n');
  });
});

describe('slipway rollout controls', () => {
  it('promotes one step, or every remaining one with --full', async () => {
    server = await startCannedApiServer({
      'POST /api/v1/apps/web/rollout/promote': { json: cannedRollout({ pendingControl: 'promote' }) },
    });
    const step = await run(['rollout', 'promote', 'web']);
    expect(step.code).toBe(0);
    expect(step.stdout).toBe(
      [
        '✓ promote asked: the rollout of release 5 of web (production) leaves step 3 (pause until promoted)',
        'phase  paused — a pause step waits',
        'step   3 of 6: pause until promoted',
        'asked  promote, not acted on yet (the controller does on its next pass)',
        '',
      ].join('\n'),
    );
    const full = await run(['rollout', 'promote', 'web', '--full', '-e', 'staging']);
    expect(full.stdout).toContain(
      '✓ promote --full asked: release 5 of web (production) skips its remaining steps and takes all traffic\n',
    );
    expect(
      server.requests.map((r) => [
        r.method,
        r.path,
        r.query.get('environment'),
        JSON.parse(r.body.toString()) as unknown,
      ]),
    ).toEqual([
      ['POST', '/api/v1/apps/web/rollout/promote', null, { full: false }],
      ['POST', '/api/v1/apps/web/rollout/promote', 'staging', { full: true }],
    ]);
  });

  it('pauses, resumes, aborts and retries through their routes, saying what each does', async () => {
    server = await startCannedApiServer({
      'POST /api/v1/apps/web/rollout/pause': { json: cannedRollout({ pendingControl: 'pause', pauseReason: 'step' }) },
      'POST /api/v1/apps/web/rollout/resume': { json: cannedRollout({ phase: 'progressing', pauseReason: null }) },
      'POST /api/v1/apps/web/rollout/abort': { json: cannedRollout({ pendingControl: 'abort' }) },
      'POST /api/v1/apps/web/rollout/retry': {
        status: 202,
        json: {
          deployment: cannedDeployment({ id: 'dep_9', app: 'web', releaseNumber: 5, state: 'pending' }),
          eventsUrl: '/api/v1/deployments/dep_9/events',
        },
      },
    });
    const outputs = [];
    for (const verb of ['pause', 'resume', 'abort', 'retry']) {
      const { code, stdout } = await run(['rollout', verb, 'web', '-e', 'production']);
      expect(code).toBe(0);
      outputs.push(stdout.split('\n')[0]);
    }
    expect(outputs).toEqual([
      '✓ pause asked: the rollout of release 5 of web (production) holds at step 3 (pause until promoted); go on with `slipway rollout resume web`',
      '✓ resumed: the rollout of release 5 of web (production) goes on from step 3 (pause until promoted)',
      '✓ abort asked: all traffic of web (production) goes back to release 4, the desired release again',
      '✓ retry asked: deployment dep_9 rolls release 5 of web (production) out again from its first step',
    ]);
    expect(server.requests.map((r) => `${r.method} ${r.path}?environment=${r.query.get('environment')}`)).toEqual([
      'POST /api/v1/apps/web/rollout/pause?environment=production',
      'POST /api/v1/apps/web/rollout/resume?environment=production',
      'POST /api/v1/apps/web/rollout/abort?environment=production',
      'POST /api/v1/apps/web/rollout/retry?environment=production',
    ]);
  });

  it('refuses a command without an app as a usage error', async () => {
    expect((await run(['rollout', 'promote'])).code).toBe(2);
    expect((await run(['rollout', 'rewind', 'web'])).code).toBe(2);
  });

  it('completes its subcommands and flags in a real bash', async () => {
    const captured = createCapturedIo();
    await createProgram(captured.io).run(['completion', 'bash']);
    const complete = (typed: string[]) => {
      const words = ['slipway', ...typed].map((w) => `'${w}'`).join(' ');
      const probe = `${captured.stdout()}\nCOMP_WORDS=(${words}); COMP_CWORD=${typed.length}; _slipway_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return spawnSync('bash', ['--norc', '--noprofile', '-c', probe], { encoding: 'utf8' }).stdout.split('\n');
    };
    expect(complete(['rollout', ''])).toEqual(
      expect.arrayContaining(['status', 'promote', 'pause', 'resume', 'abort', 'retry']),
    );
    expect(complete(['rollout', 'promote', 'web', '--'])).toEqual(expect.arrayContaining(['--full', '--environment']));
  });
});
