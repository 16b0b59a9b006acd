/** Deployment rules as stored: per app or stack, ordered, each mapping a full-ref glob and an event kind to a target. */

/** `push` matches pushes to branches (`refs/heads/…`), `tag` pushes of tags (`refs/tags/…`). */
export const deploymentRuleEvents = ['push', 'tag'] as const;
export type DeploymentRuleEvent = (typeof deploymentRuleEvents)[number];

/** What a rule deploys: an app (to one of its environments) or a stack (all its services). */
export type DeploymentRuleTargetKind = 'app' | 'stack';

export interface DeploymentRuleTarget {
  readonly kind: DeploymentRuleTargetKind;
  readonly id: string;
}

export interface DeploymentRuleRecord {
  id: string;
  target: DeploymentRuleTarget;
  /** The repository whose pushes the rule reads. */
  repositoryId: string;
  /** 1-based order among the target's rules: the first enabled rule that matches fires, the rest do not. */
  position: number;
  /** A full-ref glob: `refs/heads/release/*` (`*` stays within one path segment, `**` crosses `/`). */
  refPattern: string;
  event: DeploymentRuleEvent;
  /** The app environment it deploys to; null for a stack rule (a stack deploys as a whole). */
  environmentId: string | null;
  isEnabled: boolean;
  /** How many deployments the rule started. */
  triggerCount: number;
  lastDeployedCommit: string | null;
  lastDeployedRef: string | null;
  lastTriggeredAtMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
}

/**
 * One (rule, commit) that deployed: written in the transaction that inserts the deployment, so the pair can never
 * deploy twice, whatever crashes or repeats in between. `ruleId` may also name an implicit rule (`default:<appId>`).
 */
export interface DeploymentRuleFiringRecord {
  ruleId: string;
  commit: string;
  ref: string;
  /** Where the push came from (`github`, `hosted`, `reconcile` …). */
  origin: string;
  deploymentIds: string[];
  firedAtMs: number;
}
