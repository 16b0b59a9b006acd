/**
 * Environments and approval gates through the real CLI against a real slipwayd: an environment is created, deployed
 * to with its own config and deleted; a production deploy behind an approval policy waits, refuses its author's
 * approval, is approved by a second user and proceeds; one nobody approves is rejected when its timeout passes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalRequestView, DeploymentView } from '@slipway/contract';
import { waitFor } from '@slipway/testkit';
import { createUser, tokenOf } from './identity-fixtures.js';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

describe('environments and approvals, end to end', () => {
  let slipwayd: SlipwaydHarness;
  let bobToken: string;
  let outsiderToken: string;
  const source = `${fixturesDir}/hello-static`;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    await slipwayd.api.projects.create({ name: 'acme' });
    await slipwayd.api.projects.create({ name: 'other' });
    await slipwayd.api.apps.create({ name: 'gated', project: 'acme' });
    await createUser(slipwayd, 'bob', [{ role: 'deployer', project: 'acme' }]);
    await createUser(slipwayd, 'olga', [{ role: 'admin', project: 'other' }]);
    bobToken = await tokenOf(slipwayd, 'bob');
    outsiderToken = await tokenOf(slipwayd, 'olga');
  }, 120_000);

  afterAll(async () => {
    await slipwayd.destroy();
  });

  /** Deploys without following and returns the deployment id the CLI printed as JSON. */
  async function deploy(environment: string): Promise<string> {
    const result = await slipwayd.cli([
      'deploy',
      'gated',
      '--path',
      source,
      '-e',
      environment,
      '--no-follow',
      '--json',
    ]);
    expect(result.stderr).toBe('');
    const answer = JSON.parse(result.stdout) as { deployment?: { id: string }; id?: string };
    return answer.deployment?.id ?? answer.id ?? '';
  }

  async function pendingApproval(deploymentId: string): Promise<ApprovalRequestView> {
    return waitFor(
      async () => {
        const listed = await slipwayd.cli(['approvals', 'list', '--app', 'gated', '--json']);
        const { approvals } = JSON.parse(listed.stdout) as { approvals: ApprovalRequestView[] };
        const found = approvals.find((a) => a.deploymentId === deploymentId);
        if (found === undefined) throw new Error('no pending approval yet');
        return found;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  }

  it('creates, lists, uses and deletes an environment through the CLI', async () => {
    const before = await slipwayd.cli(['config', 'list', 'gated', '-e', 'staging']);
    expect(before.stderr).toContain('ENVIRONMENT_NOT_FOUND');

    const created = await slipwayd.cli(['env', 'create', 'gated', 'staging']);
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain('created environment staging of gated (default host gated-staging.localhost)');
    const again = await slipwayd.cli(['env', 'create', 'gated', 'staging']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('ENVIRONMENT_ALREADY_EXISTS');

    expect((await slipwayd.cli(['config', 'set', 'gated', 'GREETING=hi', '-e', 'staging', '--no-deploy'])).code).toBe(
      0,
    );
    const config = await slipwayd.cli(['config', 'list', 'gated', '-e', 'staging', '--json']);
    expect(JSON.parse(config.stdout)).toMatchObject({ config: { GREETING: 'hi' } });
    const deploymentId = await deploy('staging');
    expect((await slipwayd.settle(deploymentId)).state).toBe('succeeded');
    expect((await slipwayd.edge('gated-staging.localhost')).status).toBe(200);
    const status = JSON.parse((await slipwayd.cli(['status', '--json'])).stdout) as {
      apps: { name: string; environment: string; currentRelease: number | null }[];
    };
    expect(status.apps.filter((a) => a.name === 'gated').map((a) => [a.environment, a.currentRelease])).toEqual([
      ['production', null],
      ['staging', 1],
    ]);
    expect((await slipwayd.cli(['ps', 'gated', '-e', 'staging'])).code).toBe(0);
    expect((await slipwayd.cli(['logs', 'gated', '-e', 'staging'])).code).toBe(0);
    expect((await slipwayd.cli(['scale', 'gated', 'web=2', '-e', 'staging'])).code).toBe(0);

    const listed = await slipwayd.cli(['env', 'list', 'gated', '--json']);
    const { environments } = JSON.parse(listed.stdout) as {
      environments: { name: string; currentRelease: number | null }[];
    };
    expect(environments.map((e) => [e.name, e.currentRelease])).toEqual([
      ['production', null],
      ['staging', 1],
    ]);

    const refused = await slipwayd.cli(['env', 'delete', 'gated', 'staging']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('ENVIRONMENT_IN_USE');
    const deleted = await slipwayd.cli(['env', 'delete', 'gated', 'staging', '--force']);
    expect(deleted.stderr).toBe('');
    const after = JSON.parse((await slipwayd.cli(['env', 'list', 'gated', '--json'])).stdout) as {
      environments: { name: string }[];
    };
    expect(after.environments.map((e) => e.name)).toEqual(['production']);
    await waitFor(async () => expect((await slipwayd.edge('gated-staging.localhost')).status).not.toBe(200));
  }, 180_000);

  it('holds a gated production deploy until a second user approves it, refusing its author and other projects', async () => {
    const set = await slipwayd.cli([
      'env',
      'approval',
      'set',
      'gated',
      'production',
      '--required',
      '1',
      '--approver',
      'role:deployer',
      '--timeout',
      '72h',
    ]);
    expect(set.stderr).toBe('');
    expect(set.stdout).toContain('required approvals: 1');

    const deploymentId = await deploy('production');
    const request = await pendingApproval(deploymentId);
    expect(request).toMatchObject({
      state: 'pending',
      requestedBy: 'admin',
      releaseNumber: 1,
      environment: 'production',
    });
    const waiting: DeploymentView = await slipwayd.api.deployments.get(deploymentId);
    expect(waiting.state).toBe('running');
    expect(waiting.phases.at(-1)).toMatchObject({ phase: 'rollout', detail: `waiting for approval ${request.id}` });
    expect((await slipwayd.edge('gated.localhost')).status).not.toBe(200);

    const self = await slipwayd.cli(['approvals', 'approve', request.id]);
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('APPROVAL_SELF_REVIEW');
    const outsider = await slipwayd.cli(['approvals', 'approve', request.id], {
      env: { SLIPWAY_TOKEN: outsiderToken },
    });
    expect(outsider.code).toBe(1);
    expect(outsider.stderr).toContain('FORBIDDEN');
    const outsiderList = await slipwayd.cli(['approvals', 'list', '--json'], { env: { SLIPWAY_TOKEN: outsiderToken } });
    expect(JSON.parse(outsiderList.stdout)).toEqual({ approvals: [] });
    expect((await slipwayd.api.deployments.get(deploymentId)).state).toBe('running');

    const approved = await slipwayd.cli(['approvals', 'approve', request.id, '--comment', 'looks good'], {
      env: { SLIPWAY_TOKEN: bobToken },
    });
    expect(approved.stderr).toBe('');
    expect(approved.stdout).toContain(
      `approval ${request.id} of gated (production) release v1: approved (approved by bob)`,
    );
    expect((await slipwayd.settle(deploymentId)).state).toBe('succeeded');
    expect((await slipwayd.edge('gated.localhost')).status).toBe(200);

    const { records } = await slipwayd.api.audit.list({ action: 'approvals.approved', order: 'newest' });
    expect(records[0]).toMatchObject({
      actor: { name: 'bob' },
      target: { kind: 'approval', id: request.id },
      details: { comment: 'looks good', deploymentId },
    });
  }, 180_000);

  it('rejects a gated deploy nobody approves within its timeout, and the deployment fails APPROVAL_EXPIRED', async () => {
    expect((await slipwayd.cli(['env', 'approval', 'set', 'gated', 'production', '--timeout', '2s'])).code).toBe(0);
    const deploymentId = await deploy('production');
    const request = await pendingApproval(deploymentId);
    const failed = await slipwayd.settle(deploymentId);
    expect(failed.state).toBe('failed');
    expect(failed.failure).toMatchObject({ phase: 'rollout', code: 'APPROVAL_EXPIRED' });
    const late = await slipwayd.cli(['approvals', 'approve', request.id], { env: { SLIPWAY_TOKEN: bobToken } });
    expect(late.stderr).toContain('APPROVAL_NOT_PENDING');
    const all = await slipwayd.cli(['approvals', 'list', '--all', '--json']);
    const states = (JSON.parse(all.stdout) as { approvals: ApprovalRequestView[] }).approvals.map((a) => a.state);
    expect(states).toEqual(['expired', 'approved']);
    // The release that was live stays live.
    expect((await slipwayd.edge('gated.localhost')).status).toBe(200);
  }, 180_000);
});
