/** The deployment-rules part of the Store port: rules per app or stack, and the (rule, commit) pairs that deployed. */
import type {
  DeferredFiringRecord,
  DeploymentRuleFiringRecord,
  DeploymentRuleRecord,
  DeploymentRuleTarget,
} from '../git/rules/deployment-rule-records.js';

export interface DeploymentRuleRepository {
  insert(record: DeploymentRuleRecord): Promise<void>;
  findById(id: string): Promise<DeploymentRuleRecord | undefined>;
  /** The target's rules by position. */
  listByTarget(target: DeploymentRuleTarget): Promise<DeploymentRuleRecord[]>;
  /** Rules reading this repository, by target kind, target id and position. */
  listByRepository(repositoryId: string): Promise<DeploymentRuleRecord[]>;
  /** Every rule, by repository, target kind, target id and position. */
  list(): Promise<DeploymentRuleRecord[]>;
  /** Replaces the stored rule with the same id (all but id, target, repository and creation time). */
  update(record: DeploymentRuleRecord): Promise<void>;
  /** Removes the rule and its firings; false when there was none. */
  delete(id: string): Promise<boolean>;
  /** Removes every rule of the target (the app or stack is going) with their firings. Idempotent. */
  deleteByTarget(target: DeploymentRuleTarget): Promise<void>;
  findFiring(ruleId: string, commit: string): Promise<DeploymentRuleFiringRecord | undefined>;
  /** Records the firing; false, changing nothing, when (rule, commit) has one already. */
  insertFiring(record: DeploymentRuleFiringRecord): Promise<boolean>;
  /** Queues the firing; it replaces what was queued under the same firing key (the newest push wins). */
  deferFiring(record: DeferredFiringRecord): Promise<void>;
  /** Every queued firing, oldest first. */
  listDeferredFirings(): Promise<DeferredFiringRecord[]>;
  /** Removes the queued firing of the key when it is still at this commit (a newer one replaced it otherwise). */
  deleteDeferredFiring(firingKey: string, commit: string): Promise<void>;
  /** Removes the queued firing of the key when it was queued at or before this time (a later deployment won). */
  deleteDeferredFiringQueuedBy(firingKey: string, atOrBeforeMs: number): Promise<void>;
}
