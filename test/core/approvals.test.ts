/**
 * Approval gates over real adapters: a deployment to an environment with a policy waits between its release and its
 * rollout, and ends as its request does (approved, rejected, expired, superseded, cancelled). Time is a manual clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cancelDeployment,
  createApprovalGateRunner,
  createDeploymentRunner,
  decideApproval,
  listApprovals,
  requestDeployment,
  setApprovalPolicy,
  type ApprovalActor,
  type ApprovalRequestRecord,
  type Clock,
  type CoreDeps,
  type DeploymentRunner,
  type GateContext,
  type RolloutRecord,
} from '@slipway/core';
import { isSlipwayError, type ApprovalPolicyBody, type ErrorCode } from '@slipway/contract';
import { waitFor } from '@slipway/testkit';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

/** Real time plus what the test adds; sleeps are short real waits, so polling loops go on while the test moves time. */
function manualClock(): Clock & { advance(ms: number): void } {
  let offsetMs = 0;
  return {
    nowMs: () => Date.now() + offsetMs,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, Math.min(ms, 20));
        signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
          },
          { once: true },
        );
      }),
    advance(ms) {
      offsetMs += ms;
    },
  };
}

async function codeOf(promise: Promise<unknown>): Promise<ErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (isSlipwayError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a coded error');
}

describe('approval gates', () => {
  let harness: CoreHarness;
  let clock: ReturnType<typeof manualClock>;
  let deps: CoreDeps;
  let runner: DeploymentRunner;
  let projectId: string;
  const actor = (userName: string, role: 'viewer' | 'deployer' | 'admin' = 'deployer'): ApprovalActor => ({
    userId: `usr_${userName}`,
    userName,
    grants: [{ role, projectId }],
  });

  beforeEach(async () => {
    harness = await createCoreHarness();
    clock = manualClock();
    deps = { ...harness.deps, clock };
    runner = createDeploymentRunner(deps, harness.fleet);
    await harness.createApp('gated');
    projectId = (await harness.store.projects.findByName('default'))?.id ?? '';
  });

  afterEach(async () => {
    await harness.close();
  });

  const withPolicy = (policy: ApprovalPolicyBody = {}) =>
    setApprovalPolicy(deps, { app: 'gated', environment: 'production', policy });

  /** Requests a deploy by `alice` and starts running it; resolves with its id, the run, and its pending request. */
  async function startDeploy(): Promise<{ id: string; run: Promise<unknown>; request: ApprovalRequestRecord }> {
    const view = await requestDeployment(deps, {
      app: 'gated',
      environment: 'production',
      source: { kind: 'path', path: await harness.webSource() },
      requestedBy: 'alice',
    });
    const controller = new AbortController();
    const run = runner.run(view.id, controller.signal);
    const request = await waitFor(async () => {
      const [found] = await harness.store.approvalRequests.list({ deploymentId: view.id }, 1);
      expect(found?.state).toBe('pending');
      return found as ApprovalRequestRecord;
    });
    return { id: view.id, run, request };
  }

  const deploymentOf = async (id: string) => (await harness.store.deployments.findById(id))!;

  it('waits after the release with no instance started, shows what it waits for, and rolls out once approved', async () => {
    await withPolicy();
    const { id, run, request } = await startDeploy();
    const waiting = await deploymentOf(id);
    expect(waiting.phase).toBe('rollout');
    expect(waiting.releaseId).not.toBeNull();
    expect(request.releaseNumber).toBe(1);
    expect(await harness.instancesOf('gated')).toHaveLength(0);
    const phases = await harness.store.phases.list(id);
    expect(phases.at(-1)).toMatchObject({
      phase: 'rollout',
      state: 'running',
      detail: `waiting for approval ${request.id}`,
    });
    expect((await listApprovals(deps, { isAll: false, canRead: () => true })).map((a) => a.id)).toEqual([request.id]);
    expect(await listApprovals(deps, { isAll: false, canRead: (p) => p !== projectId })).toEqual([]);

    const approved = await decideApproval(deps, {
      id: request.id,
      decision: 'approve',
      comment: 'ship it',
      actor: actor('bob'),
    });
    expect(approved).toMatchObject({ state: 'approved', approvals: 1, reason: 'approved by bob' });
    expect(approved.decisions).toMatchObject([{ actor: 'bob', decision: 'approve', comment: 'ship it' }]);
    await run;
    expect((await deploymentOf(id)).state).toBe('succeeded');
    expect((await harness.instancesOf('gated')).length).toBeGreaterThan(0);
  });

  it('needs the required number of distinct eligible approvals, and refuses the author and ineligible users', async () => {
    await withPolicy({
      requiredApprovals: 2,
      approvers: [
        { kind: 'role', id: 'deployer' },
        { kind: 'user', id: 'victor' },
      ],
    });
    const { id, run, request } = await startDeploy();
    expect(await codeOf(decideApproval(deps, { id: request.id, decision: 'approve', actor: actor('alice') }))).toBe(
      'APPROVAL_SELF_REVIEW',
    );
    expect(
      await codeOf(decideApproval(deps, { id: request.id, decision: 'approve', actor: actor('walt', 'viewer') })),
    ).toBe('APPROVAL_NOT_ELIGIBLE');
    // A role held on another project does not count here.
    const elsewhere = {
      userId: 'usr_olga',
      userName: 'olga',
      grants: [{ role: 'admin' as const, projectId: 'prj_other' }],
    };
    expect(await codeOf(decideApproval(deps, { id: request.id, decision: 'approve', actor: elsewhere }))).toBe(
      'APPROVAL_NOT_ELIGIBLE',
    );
    expect(await harness.store.approvalDecisions.listByRequest(request.id)).toEqual([]);

    expect((await decideApproval(deps, { id: request.id, decision: 'approve', actor: actor('bob') })).state).toBe(
      'pending',
    );
    expect(await codeOf(decideApproval(deps, { id: request.id, decision: 'approve', actor: actor('bob') }))).toBe(
      'VALIDATION_FAILED',
    );
    expect((await harness.store.approvalRequests.findById(request.id))?.state).toBe('pending');
    const done = await decideApproval(deps, { id: request.id, decision: 'approve', actor: actor('victor', 'viewer') });
    expect(done).toMatchObject({ state: 'approved', approvals: 2 });
    await run;
    expect((await deploymentOf(id)).state).toBe('succeeded');
    expect(await codeOf(decideApproval(deps, { id: request.id, decision: 'reject', actor: actor('carol') }))).toBe(
      'APPROVAL_NOT_PENDING',
    );
  });

  it('lets the author approve when the policy allows self-approval', async () => {
    await withPolicy({ preventSelfApproval: false });
    const { id, run, request } = await startDeploy();
    await decideApproval(deps, { id: request.id, decision: 'approve', actor: actor('alice') });
    await run;
    expect((await deploymentOf(id)).state).toBe('succeeded');
  });

  it('fails the deployment on one reject, whatever the approvals before it, with nothing rolled out', async () => {
    await withPolicy({ requiredApprovals: 2 });
    const { id, run, request } = await startDeploy();
    await decideApproval(deps, { id: request.id, decision: 'approve', actor: actor('bob') });
    const rejected = await decideApproval(deps, {
      id: request.id,
      decision: 'reject',
      comment: 'not on a Friday',
      actor: actor('carol'),
    });
    expect(rejected).toMatchObject({ state: 'rejected', reason: 'rejected by carol: not on a Friday' });
    await run;
    const failed = await deploymentOf(id);
    expect(failed.state).toBe('failed');
    expect(failed.failure).toMatchObject({ phase: 'rollout', code: 'APPROVAL_REJECTED' });
    expect(await harness.instancesOf('gated')).toHaveLength(0);
  });

  it('rejects a request nobody decides on within its timeout, failing the deployment with APPROVAL_EXPIRED', async () => {
    await withPolicy({ timeoutSeconds: 3_600 });
    const { id, run, request } = await startDeploy();
    clock.advance(3_599_000);
    expect((await harness.store.approvalRequests.findById(request.id))?.state).toBe('pending');
    clock.advance(1_000);
    await run;
    expect((await deploymentOf(id)).failure).toMatchObject({ code: 'APPROVAL_EXPIRED' });
    expect(await harness.store.approvalRequests.findById(request.id)).toMatchObject({
      state: 'expired',
      reason: 'no decision within 1 h',
    });
    expect(await codeOf(decideApproval(deps, { id: request.id, decision: 'approve', actor: actor('bob') }))).toBe(
      'APPROVAL_NOT_PENDING',
    );
  });

  it('counts approvals only after the wait timer, while a reject counts at once', async () => {
    await withPolicy({ waitTimerSeconds: 300 });
    const { id, run, request } = await startDeploy();
    expect(await codeOf(decideApproval(deps, { id: request.id, decision: 'approve', actor: actor('bob') }))).toBe(
      'APPROVAL_WAIT_TIMER',
    );
    expect(await harness.store.approvalDecisions.listByRequest(request.id)).toEqual([]);
    clock.advance(300_000);
    expect((await decideApproval(deps, { id: request.id, decision: 'approve', actor: actor('bob') })).state).toBe(
      'approved',
    );
    await run;
    expect((await deploymentOf(id)).state).toBe('succeeded');

    const second = await startDeploy();
    expect((await decideApproval(deps, { id: second.request.id, decision: 'reject', actor: actor('bob') })).state).toBe(
      'rejected',
    );
    await second.run;
    expect((await deploymentOf(second.id)).failure?.code).toBe('APPROVAL_REJECTED');
  });

  it('lets a newer deployment supersede one waiting for approval, which ends cancelled saying so', async () => {
    await withPolicy();
    const first = await startDeploy();
    const second = await startDeploy();
    await first.run;
    const superseded = await deploymentOf(first.id);
    expect(superseded.state).toBe('cancelled');
    expect(superseded.cancellation?.by).toBe(`deployment ${second.id}, which supersedes it`);
    expect(await harness.store.approvalRequests.findById(first.request.id)).toMatchObject({
      state: 'superseded',
      reason: `superseded by deployment ${second.id}`,
    });
    await decideApproval(deps, { id: second.request.id, decision: 'approve', actor: actor('bob') });
    await second.run;
    expect((await deploymentOf(second.id)).state).toBe('succeeded');
  });

  it('still refuses a second deployment while the first one builds, before it waits for anything', async () => {
    await withPolicy();
    await requestDeployment(deps, {
      app: 'gated',
      environment: 'production',
      source: { kind: 'path', path: await harness.webSource() },
    });
    const code = await codeOf(
      requestDeployment(deps, {
        app: 'gated',
        environment: 'production',
        source: { kind: 'path', path: await harness.webSource() },
      }),
    );
    expect(code).toBe('DEPLOYMENT_IN_PROGRESS');
  });

  it('cancels the pending request with the deployment', async () => {
    await withPolicy();
    const { id, run, request } = await startDeploy();
    await cancelDeployment(deps, { id, by: 'alice' });
    await run;
    expect((await deploymentOf(id)).state).toBe('cancelled');
    expect(await harness.store.approvalRequests.findById(request.id)).toMatchObject({
      state: 'cancelled',
      reason: 'deployment cancelled by alice',
    });
  });

  it('refuses a source whose ref the policy does not allow, before anything rolls out', async () => {
    await withPolicy({ refPatterns: ['refs/heads/release/*'] });
    const view = await requestDeployment(deps, {
      app: 'gated',
      environment: 'production',
      source: { kind: 'path', path: await harness.webSource() },
    });
    await runner.run(view.id, new AbortController().signal);
    expect((await deploymentOf(view.id)).failure).toMatchObject({ phase: 'rollout', code: 'APPROVAL_REF_NOT_ALLOWED' });
    const [request] = await harness.store.approvalRequests.list({ deploymentId: view.id }, 1);
    expect(request).toMatchObject({ state: 'rejected' });
  });

  it('resumes the same wait after a restart, and rolls out once approved', async () => {
    await withPolicy();
    const view = await requestDeployment(deps, {
      app: 'gated',
      environment: 'production',
      source: { kind: 'path', path: await harness.webSource() },
      requestedBy: 'alice',
    });
    const shutdown = new AbortController();
    const interrupted = runner.run(view.id, shutdown.signal);
    const request = await waitFor(async () => {
      const [found] = await harness.store.approvalRequests.list({ deploymentId: view.id }, 1);
      expect(found?.state).toBe('pending');
      return found as ApprovalRequestRecord;
    });
    shutdown.abort(new Error('shutting down'));
    expect(await interrupted).toBe('interrupted');
    expect((await harness.store.approvalRequests.findById(request.id))?.state).toBe('pending');

    const plane = harness.restartControlPlane();
    const resumed = createDeploymentRunner({ ...plane.deps, clock }, plane.fleet).run(
      view.id,
      new AbortController().signal,
    );
    await waitFor(async () =>
      expect((await harness.store.phases.list(view.id)).some((p) => p.state === 'running')).toBe(true),
    );
    await decideApproval(deps, { id: request.id, decision: 'approve', actor: actor('bob') });
    expect(await resumed).toBe('finished');
    expect((await deploymentOf(view.id)).state).toBe('succeeded');
    expect(await harness.store.approvalRequests.list({ deploymentId: view.id }, 10)).toHaveLength(1);
  });

  it('serves a canary approval step with the same request: pending, passed once approved, cancelled on release', async () => {
    const deployed = await harness.deploy('gated', await harness.webSource());
    expect(deployed.state).toBe('succeeded');
    const gate = createApprovalGateRunner(deps);
    const app = (await harness.store.apps.findByName('gated'))!;
    const environment = (await harness.store.environments.find(projectId, 'production'))!;
    const rollout = (stepIndex: number) =>
      ({
        id: 'rol_1',
        deploymentId: deployed.id,
        releaseId: deployed.releaseId,
        stepIndex,
      }) as unknown as RolloutRecord;
    const context = (stepIndex: number): GateContext => ({
      rollout: rollout(stepIndex),
      app: { id: app.id, name: app.name },
      environment: { id: environment.id, name: environment.name },
      targetReleaseNumber: 1,
      stableReleaseNumber: null,
      nowMs: clock.nowMs(),
      signal: new AbortController().signal,
      observation: {
        nowMs: 0,
        target: { releaseId: 'rel', releaseNumber: 7, processes: {} },
        stable: null,
        scale: {},
        current: [],
        outside: 0,
      },
      targets: [],
    });
    const first = await gate.evaluate({ kind: 'approval', timeoutMs: 60_000 }, undefined, context(2));
    expect(first.status).toBe('pending');
    const { requestId } = first.state as { requestId: string };
    expect(await harness.store.approvalRequests.findById(requestId)).toMatchObject({
      purpose: 'rollout-step',
      gateKey: 'rollout:rol_1:2',
      rules: { requiredApprovals: 1, timeoutMs: 60_000 },
    });
    // Evaluated again (a restart that lost the gate state too): the same request, never a second one.
    expect((await gate.evaluate({ kind: 'approval', timeoutMs: 60_000 }, undefined, context(2))).state).toEqual({
      requestId,
    });
    expect(await harness.store.approvalRequests.list({ deploymentId: deployed.id }, 10)).toHaveLength(1);
    await decideApproval(deps, { id: requestId, decision: 'approve', actor: actor('bob') });
    expect((await gate.evaluate({ kind: 'approval', timeoutMs: 60_000 }, first.state, context(2))).status).toBe(
      'passed',
    );

    const next = await gate.evaluate({ kind: 'approval', timeoutMs: null }, undefined, context(4));
    expect(next.status).toBe('pending');
    await gate.release?.({ kind: 'approval', timeoutMs: null }, next.state, context(4));
    await gate.release?.({ kind: 'approval', timeoutMs: null }, next.state, context(4));
    const after = await gate.evaluate({ kind: 'approval', timeoutMs: null }, next.state, context(4));
    expect(after.status).toBe('failed');

    const timed = await gate.evaluate({ kind: 'approval', timeoutMs: 1_000 }, undefined, context(6));
    clock.advance(1_000);
    const expired = await gate.evaluate({ kind: 'approval', timeoutMs: 1_000 }, timed.state, context(6));
    expect(expired).toMatchObject({ status: 'failed' });
    expect(expired.message).toContain('expired');
  });
});
