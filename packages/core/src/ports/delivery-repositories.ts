/** The persistence of progressive delivery: the desired state of each app environment and the rollout records. */
import type { DesiredStateRecord, RolloutControl, RolloutRecord } from '../delivery/rollout-model.js';

export interface DesiredStateRepository {
  /** The desired state of one app environment; undefined when none was written (it runs its current release). */
  find(appId: string, environmentId: string): Promise<DesiredStateRecord | undefined>;
  /** The app environments that have one, as `{ appId, environmentId }` (no targets read). */
  listScopes(): Promise<{ appId: string; environmentId: string }[]>;
  /**
   * Writes the desired state when the stored one is still at `record.version` (0: none stored yet), and returns it
   * stored at the next version. Errors: `VERSION_CONFLICT` when someone wrote it since it was read (nothing changes).
   */
  put(record: DesiredStateRecord): Promise<DesiredStateRecord>;
  /** Removes it (the app environment is gone). Idempotent. */
  delete(appId: string, environmentId: string): Promise<void>;
}

export interface RolloutRepository {
  /** Errors: `VERSION_CONFLICT` when a rollout with this id exists. */
  insert(record: RolloutRecord): Promise<void>;
  findById(id: string): Promise<RolloutRecord | undefined>;
  /** The rollout a deployment created (a deployment has at most one). */
  findByDeployment(deploymentId: string): Promise<RolloutRecord | undefined>;
  /** The rollout of the app environment that is `progressing` or `paused` (at most one), newest first. */
  findActive(appId: string, environmentId: string): Promise<RolloutRecord | undefined>;
  /** Every `progressing` or `paused` rollout, oldest first (what the controller advances on each pass). */
  listActive(): Promise<RolloutRecord[]>;
  /** The app environment's rollouts, newest first, at most `limit`. */
  list(appId: string, environmentId: string, limit: number): Promise<RolloutRecord[]>;
  /**
   * Replaces the record when the stored one is still at `record.version`, and returns it stored at the next version.
   * Errors: `VERSION_CONFLICT` when it changed since it was read (a user's control arrived), `ROLLOUT_NOT_FOUND`.
   */
  update(record: RolloutRecord): Promise<RolloutRecord>;
  /**
   * Merges a user's request into the stored control (and moves the version on, so the controller's next write reads
   * it first). Never conflicts: it retries on a concurrent write. Undefined when no such rollout exists.
   */
  requestControl(id: string, patch: Partial<RolloutControl>, nowMs: number): Promise<RolloutRecord | undefined>;
}
