import { describe, expect, it } from 'vitest';
import type { DeploymentRuleView } from '@slipway/contract';
import { formatRulesTest } from './rules.js';

const rule = (position: number, over: Partial<DeploymentRuleView>): DeploymentRuleView => ({
  id: `rul_${position}`,
  position,
  target: { kind: 'app', name: 'shop' },
  repository: 'shop-code',
  repositoryId: 'repo_1',
  refPattern: 'refs/heads/main',
  event: 'push',
  environment: 'production',
  isEnabled: true,
  triggerCount: 0,
  lastDeployedCommit: null,
  queued: null,
  lastDeployedRef: null,
  lastTriggeredAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

describe('formatRulesTest', () => {
  it('prints what happens, then each rule with its verdict and reason', () => {
    const fires = rule(2, { refPattern: 'refs/heads/release/*', environment: 'staging' });
    expect(
      formatRulesTest({
        ref: 'refs/heads/release/1.2',
        event: 'push',
        fired: fires,
        summary: 'rule 2 fires: a push of refs/heads/release/1.2 deploys its commit to staging',
        steps: [
          { rule: rule(1, { isEnabled: false }), verdict: 'skipped', reason: 'disabled' },
          {
            rule: fires,
            verdict: 'fires',
            reason: 'refs/heads/release/1.2 matches refs/heads/release/* on a push event',
          },
          {
            rule: rule(3, { event: 'tag', refPattern: 'refs/tags/v*' }),
            verdict: 'not-reached',
            reason: 'rule 2 fired first',
          },
        ],
      }),
    ).toEqual([
      'rule 2 fires: a push of refs/heads/release/1.2 deploys its commit to staging',
      '  ✗ 1. push refs/heads/main of shop-code → production (disabled): disabled',
      '  → 2. push refs/heads/release/* of shop-code → staging: refs/heads/release/1.2 matches refs/heads/release/* on a push event',
      '  · 3. tag refs/tags/v* of shop-code → production: rule 2 fired first',
    ]);
  });
});
