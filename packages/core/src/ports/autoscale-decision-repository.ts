/** The autoscaler part of the Store port: each process type's recent decisions, bounded. */
import type { AutoscaleDecision } from '../autoscale/autoscale-decision.js';

export interface AutoscaleDecisionRecord {
  id: string;
  appId: string;
  environmentId: string;
  process: string;
  atMs: number;
  decision: AutoscaleDecision;
}

export interface AutoscaleDecisionRepository {
  /**
   * Appends a decision and drops the oldest of its process type beyond `keep`, so the history stays bounded whatever
   * the evaluation interval.
   */
  insert(record: AutoscaleDecisionRecord, keep: number): Promise<void>;
  /** The app environment's decisions, newest first, at most `limit`; of one process type when it is given. */
  list(
    appId: string,
    environmentId: string,
    options: { limit: number; process?: string },
  ): Promise<AutoscaleDecisionRecord[]>;
}
