/**
 * The Delivery section in a real browser against a real slipwayd: a deployment gated by an approval policy is
 * approved from the inbox and proceeds; a canary paused at a step is promoted from the rollouts page and completes; a
 * viewer sees both but is offered neither approve nor promote; no serious or critical accessibility violation, and no
 * sideways scroll at 375 px.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { RolloutView } from '@slipway/contract';
import { skipUnless, waitFor } from '@slipway/testkit';
import type { SlipwaydHarness } from '../e2e/slipwayd-harness.js';
import { fixturesDir } from '../e2e/slipwayd-harness.js';
import { createUser, password as userPassword } from '../e2e/identity-fixtures.js';
import {
  chromiumAvailability,
  hasHorizontalScroll,
  launchChromium,
  screenshot,
  seriousViolations,
  signIn,
  startDashboardSlipwayd,
} from './browser-harness.js';

const project = 'ship';
const gatedApp = 'ship-gated';
const canaryApp = 'ship-canary';
const viewer = 'ship-viewer';

describe('dashboard delivery: rollouts and approvals', skipUnless(chromiumAvailability()), () => {
  let slipwayd: SlipwaydHarness;
  let browser: Browser;
  let scratch: string;
  let gatedDeploymentId: string;
  let canaryDeploymentId: string;

  /** canary-node as release `message`, with `strategy` (YAML lines) in its manifest. */
  const canarySource = async (message: string, strategy: string[]): Promise<string> => {
    const dir = join(scratch, message);
    await cp(join(fixturesDir, 'canary-node'), dir, { recursive: true });
    const manifest = [
      'runtime: process',
      'processes:',
      '  web:',
      '    replicas: 1',
      '    healthCheck: { type: http, path: /healthz }',
      ...strategy,
      'env:',
      `  RELEASE_MESSAGE: "${message}"`,
      '',
    ];
    await writeFile(join(dir, 'slipway.yaml'), manifest.join('\n'));
    return dir;
  };

  const rolloutOf = (predicate: (view: RolloutView) => boolean) =>
    waitFor(
      async () => {
        const view = await slipwayd.api.rollout.get(canaryApp);
        if (view.deploymentId !== canaryDeploymentId || !predicate(view))
          throw new Error(`rollout: ${view.phase} at step ${view.currentStep}`);
        return view;
      },
      { timeoutMs: 90_000, intervalMs: 100 },
    );

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'slipway-web-delivery-'));
    slipwayd = await startDashboardSlipwayd({ project });
    const owner = slipwayd.api;
    await createUser(slipwayd, viewer, [{ role: 'viewer', project }]);

    await owner.apps.create({ name: canaryApp, project });
    const first = await owner.deployments.create(canaryApp, { path: await canarySource('v1', []) });
    expect((await slipwayd.settle(first.deployment.id, 120_000)).state).toBe('succeeded');
    const second = await owner.deployments.create(canaryApp, {
      path: await canarySource('v2', [
        'strategy:',
        '  type: canary',
        '  stickyCookie: null',
        '  steps:',
        '    - setWeight: 50',
        '    - pause: {}',
      ]),
    });
    canaryDeploymentId = second.deployment.id;
    await rolloutOf((v) => v.phase === 'paused' && v.weights.some((w) => w.weight === 50));

    // The owner both deploys and approves here: self-approval is allowed by this policy.
    await owner.apps.create({ name: gatedApp, project });
    await owner.environments.setApprovalPolicy(gatedApp, 'production', { preventSelfApproval: false });
    const gated = await owner.deployments.create(gatedApp, { path: `${fixturesDir}/hello-static` });
    gatedDeploymentId = gated.deployment.id;
    await waitFor(
      async () => {
        const [pending] = (await owner.approvals.list({ app: gatedApp })).approvals;
        if (pending?.deploymentId !== gatedDeploymentId) throw new Error('no approval request yet');
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await slipwayd?.destroy();
    await rm(scratch, { recursive: true, force: true });
  });

  it('shows a viewer the pending approval and the paused canary, offering neither approve nor promote', async () => {
    const { context, page } = await signIn(browser, slipwayd, viewer, userPassword);
    await page.goto(`${slipwayd.url}/delivery/approvals`);
    const card = page.locator('[data-approval]');
    await card.getByRole('link', { name: gatedApp }).waitFor();
    expect(await card.count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Reject' }).count()).toBe(0);

    await page.goto(`${slipwayd.url}/delivery?project=${project}&app=${canaryApp}`);
    await page.getByTestId('rollout-phase').getByText('paused').waitFor();
    expect(await page.getByRole('group', { name: 'Rollout controls' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Promote' }).count()).toBe(0);
    await context.close();
  });

  it('promotes the paused canary from the rollouts page, and it completes', async () => {
    const { context, page } = await signIn(browser, slipwayd);
    await page.goto(`${slipwayd.url}/delivery?project=${project}&app=${canaryApp}`);
    await page.getByTestId('rollout-phase').getByText('paused').waitFor();
    expect(await page.locator('tr[data-weight="50"]').count()).toBe(2);
    await page.getByText('setWeight', { exact: false }).first().waitFor();
    await screenshot(page, 'delivery-rollouts');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Promote', exact: true }).click();
    await page.getByTestId('rollout-phase').getByText('healthy').waitFor({ timeout: 90_000 });
    expect((await slipwayd.settle(canaryDeploymentId, 90_000)).state).toBe('succeeded');
    expect((await slipwayd.api.rollout.get(canaryApp)).phase).toBe('healthy');
    await context.close();
  }, 150_000);

  it('approves the gated deployment from the inbox with a comment, and the deployment proceeds', async () => {
    const { context, page } = await signIn(browser, slipwayd);
    await page.goto(`${slipwayd.url}/delivery/approvals`);
    const card = page.locator('[data-approval]');
    await card.getByRole('button', { name: 'Approve' }).waitFor();
    await screenshot(page, 'delivery-approvals');
    expect(await seriousViolations(page)).toEqual([]);

    await card.getByLabel('Comment (optional)').fill('checked the diff');
    await card.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('No approval request is waiting.').waitFor();
    expect(await page.locator('[data-approval]').count()).toBe(0);
    expect((await slipwayd.settle(gatedDeploymentId, 90_000)).state).toBe('succeeded');
    const [decided] = (await slipwayd.api.approvals.list({ app: gatedApp, all: true })).approvals;
    expect(decided).toMatchObject({
      state: 'approved',
      decisions: [{ decision: 'approve', comment: 'checked the diff' }],
    });
    await context.close();
  }, 120_000);

  it('has no sideways scroll at 375 px on the rollouts, approvals and notifications pages', async () => {
    const { context, page } = await signIn(browser, slipwayd, 'admin', undefined, { width: 375, height: 760 });
    await page.goto(`${slipwayd.url}/delivery?project=${project}&app=${canaryApp}`);
    await page.getByTestId('rollout-phase').waitFor();
    expect(await hasHorizontalScroll(page)).toBe(false);
    await page.goto(`${slipwayd.url}/delivery/approvals`);
    await page.getByTestId('approvals-count').waitFor();
    expect(await hasHorizontalScroll(page)).toBe(false);
    await page.goto(`${slipwayd.url}/delivery/notifications`);
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
    expect(await hasHorizontalScroll(page)).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });
});
