/** The stack tables as Kysely sees them (migration `0019-stacks`); part of `Database`. */
import type { StackDeploymentState } from '@slipway/core';
import type { BigIntColumn } from './database.js';

export interface StackTable {
  id: string;
  project_id: string;
  name: string;
  runtime: 'docker' | 'swarm';
  prefix: string | null;
  source_kind: 'file' | 'repository';
  repository_id: string | null;
  /** JSON `StackSource`. */
  source: string;
  /** JSON `StackServiceRecord[]`. */
  services: string;
  /** JSON notices. */
  notices: string;
  created_at_ms: BigIntColumn;
  updated_at_ms: BigIntColumn;
}

export interface StackDeploymentTable {
  id: string;
  stack_id: string;
  environment: string;
  kind: 'deploy' | 'rollback';
  state: StackDeploymentState;
  commit_id: string | null;
  ref: string | null;
  requested_by: string | null;
  /** JSON `StackServiceDeployment[]`. */
  services: string;
  reason: string | null;
  created_at_ms: BigIntColumn;
  updated_at_ms: BigIntColumn;
  finished_at_ms: BigIntColumn | null;
}

export interface StackTables {
  stacks: StackTable;
  stack_deployments: StackDeploymentTable;
}
