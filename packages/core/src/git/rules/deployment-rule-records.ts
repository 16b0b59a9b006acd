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

/** What a queued firing fires again: a rule, a hosted repository's implicit rule, or a stack that follows its ref. */
export type DeferredFiringTarget =
  | { readonly kind: 'rule'; readonly ruleId: string }
  | { readonly kind: 'hosted'; readonly repositoryId: string }
  | { readonly kind: 'stack'; readonly stackId: string };

/**
 * A push that found its environment busy (a deployment still running there): it deploys when that ends. One per firing
 * key, so a newer push to the same rule replaces the older one (only the newest commit deploys).
 */
export interface DeferredFiringRecord {
  /** The firing key (a rule's id, `hosted-default:…`, `stack-default:…`). */
  firingKey: string;
  target: DeferredFiringTarget;
  ref: string;
  commit: string;
  origin: string;
  /** Why it waits: the refusal it met, for `rules list`. */
  reason: string;
  deferredAtMs: number;
}
