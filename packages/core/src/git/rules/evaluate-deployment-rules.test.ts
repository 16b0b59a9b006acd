import { describe, expect, it } from 'vitest';
import type { DeploymentRuleRecord } from './deployment-rule-records.js';
import { evaluateDeploymentRules } from './evaluate-deployment-rules.js';

function rule(
  position: number,
  refPattern: string,
  overrides: Partial<DeploymentRuleRecord> = {},
): DeploymentRuleRecord {
  return {
    id: `rul_${position}`,
    target: { kind: 'app', id: 'app_1' },
    repositoryId: 'repo_1',
    position,
    refPattern,
    event: refPattern.startsWith('refs/tags/') ? 'tag' : 'push',
    environmentId: `env_${position}`,
    isEnabled: true,
    triggerCount: 0,
    lastDeployedCommit: null,
    lastDeployedRef: null,
    lastTriggeredAtMs: null,
    createdAtMs: 0,
    updatedAtMs: 0,
    ...overrides,
  };
}

describe('evaluateDeploymentRules', () => {
  it('fires the first enabled matching rule and says why each earlier one did not', () => {
    const rules = [
      rule(1, 'refs/heads/main'),
      rule(2, 'refs/heads/release/*', { isEnabled: false }),
      rule(3, 'refs/tags/v*'),
      rule(4, 'refs/heads/release/**'),
      rule(5, 'refs/heads/**'),
    ];
    const evaluation = evaluateDeploymentRules(rules, 'refs/heads/release/1.2');
    expect(evaluation.event).toBe('push');
    expect(evaluation.fired?.id).toBe('rul_4');
    expect(evaluation.steps.map((s) => [s.rule.position, s.verdict, s.reason])).toEqual([
      [1, 'skipped', 'refs/heads/release/1.2 does not match refs/heads/main'],
      [2, 'skipped', 'disabled'],
      [3, 'skipped', 'the rule is for tag events and refs/heads/release/1.2 is a branch'],
      [4, 'fires', 'refs/heads/release/1.2 matches refs/heads/release/** on a push event'],
      [5, 'not-reached', 'rule 4 fired first'],
    ]);
  });

  it('fires nothing for a ref no enabled rule matches, or that is neither a branch nor a tag', () => {
    expect(evaluateDeploymentRules([rule(1, 'refs/heads/main')], 'refs/heads/dev').fired).toBeUndefined();
    const pull = evaluateDeploymentRules([rule(1, 'refs/heads/**')], 'refs/pull/3/head');
    expect(pull.fired).toBeUndefined();
    expect(pull.event).toBeUndefined();
    expect(pull.steps[0]?.reason).toMatch(/neither a branch/);
  });
});
