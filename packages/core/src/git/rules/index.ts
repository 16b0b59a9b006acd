/** Deployment rules (docs/deployment-rules.md): what the rest of Slipway uses of them. */
export type * from './deployment-rule-records.js';
export { deploymentRuleEvents } from './deployment-rule-records.js';
export type * from '../../ports/deployment-rule-repository.js';
export {
  addDeploymentRule,
  listDeploymentRules,
  maxRulesPerTarget,
  moveDeploymentRule,
  removeDeploymentRule,
  setDeploymentRuleEnabled,
  testDeploymentRules,
} from './deployment-rules.js';
export {
  evaluateDeploymentRules,
  rulesByTarget,
  type RuleEvaluation,
  type RuleStep,
} from './evaluate-deployment-rules.js';
export { eventKindOfRef, fullRefIssue } from './full-ref.js';
export { isExactRefGlob, matchesRefGlob, refGlobIssue } from './ref-glob.js';
export { reconcileRuleHeads, type ReconcileReport } from './reconcile-rule-heads.js';
export { retryDeferredFirings } from './retry-deferred-firings.js';
