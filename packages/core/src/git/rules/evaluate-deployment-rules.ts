/**
 * Which of a target's ordered rules fires for a ref, and why each earlier one did not: the decision a push acts on
 * and the dry run (`slipway rules test`) prints, made by one function so the two never disagree.
 */
import type { DeploymentRuleEvent, DeploymentRuleRecord } from './deployment-rule-records.js';
import { eventKindOfRef } from './full-ref.js';
import { matchesRefGlob } from './ref-glob.js';

export interface RuleStep {
  readonly rule: DeploymentRuleRecord;
  /** `fires` for the rule that deploys; `skipped` before it; `not-reached` after it. */
  readonly verdict: 'fires' | 'skipped' | 'not-reached';
  readonly reason: string;
}

export interface RuleEvaluation {
  readonly ref: string;
  /** The event a push of this ref is; undefined for a ref that is neither a branch nor a tag. */
  readonly event: DeploymentRuleEvent | undefined;
  readonly fired: DeploymentRuleRecord | undefined;
  readonly steps: readonly RuleStep[];
}

/** `rules` in position order; the first enabled rule whose event and pattern match `ref` fires. */
export function evaluateDeploymentRules(rules: readonly DeploymentRuleRecord[], ref: string): RuleEvaluation {
  const event = eventKindOfRef(ref);
  let fired: DeploymentRuleRecord | undefined;
  const steps: RuleStep[] = [];
  for (const rule of rules) {
    if (fired !== undefined) {
      steps.push({ rule, verdict: 'not-reached', reason: `rule ${fired.position} fired first` });
      continue;
    }
    const miss = missReason(rule, ref, event);
    if (miss === undefined) {
      fired = rule;
      steps.push({ rule, verdict: 'fires', reason: `${ref} matches ${rule.refPattern} on a ${rule.event} event` });
    } else steps.push({ rule, verdict: 'skipped', reason: miss });
  }
  return { ref, event, fired, steps };
}

function missReason(
  rule: DeploymentRuleRecord,
  ref: string,
  event: DeploymentRuleEvent | undefined,
): string | undefined {
  if (!rule.isEnabled) return 'disabled';
  if (event === undefined) return `${ref} is neither a branch (refs/heads/) nor a tag (refs/tags/)`;
  if (rule.event !== event)
    return `the rule is for ${rule.event} events and ${ref} is a ${event === 'push' ? 'branch' : 'tag'}`;
  if (!matchesRefGlob(rule.refPattern, ref)) return `${ref} does not match ${rule.refPattern}`;
  return undefined;
}

/** Rules grouped per target, each group in position order. */
export function rulesByTarget(rules: readonly DeploymentRuleRecord[]): DeploymentRuleRecord[][] {
  const groups = new Map<string, DeploymentRuleRecord[]>();
  for (const rule of rules) {
    const key = `${rule.target.kind}:${rule.target.id}`;
    groups.set(key, [...(groups.get(key) ?? []), rule]);
  }
  return [...groups.values()].map((group) => group.sort((a, b) => a.position - b.position));
}
