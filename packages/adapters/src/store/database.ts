/** The SQL schema as Kysely sees it: one interface per table, snake_case columns, JSON as text, times as bigint epoch ms. */
import type { ColumnType } from 'kysely';
import type { AlertTables } from './alert-tables.js';
import type { DeliveryTables } from './delivery-tables.js';
import type { DeploymentPhase, DeploymentState, InstanceState } from '@slipway/contract';
import type { DeploymentKind, EventType, JobRecord, PhaseRecord, RouteRecord } from '@slipway/core';
import type { ApprovalTables } from './approval-tables.js';
import type { AuditTables } from './audit-tables.js';
import type { CatalogAclTables } from './catalog-acl-tables.js';
import type { DeploymentRuleTables } from './deployment-rule-tables.js';
import type { GitRepositoryTables } from './git-repository-tables.js';
import type { NotificationTables } from './notification-tables.js';
import type { DomainTables } from './domain-tables.js';
import type { HostClaimTables } from './host-claim-table.js';
import type { IdentityTables } from './identity-tables.js';
import type { PreviewTables } from './preview-tables.js';
import type { SecretTables } from './secret-tables.js';
import type { WebhookInboxTables } from './webhook-inbox-tables.js';
import type { StackTables } from './stack-tables.js';
import type { AutoscaleTables } from './autoscale-tables.js';
import type { MetricSampleTables } from './metric-sample-tables.js';
import type { LogTables } from './log-tables.js';

/** A `bigint` column: SQLite's driver yields numbers, PostgreSQL's yields strings; read it through `fromBigInt`. */
export type BigIntColumn = ColumnType<number | string, number, number>;
export type NullableBigIntColumn = ColumnType<number | string | null, number | null, number | null>;

export interface ProjectTable {
  id: string;
  name: string;
  created_at_ms: BigIntColumn;
}

export interface EnvironmentTable {
  id: string;
  project_id: string;
  name: string;
  created_at_ms: BigIntColumn;
}

export interface AppTable {
  id: string;
  project_id: string;
  name: string;
  created_at_ms: BigIntColumn;
}

export interface AppEnvironmentTable {
  app_id: string;
  environment_id: string;
  current_release_id: string | null;
  /** JSON: process type → replicas. */
  scale: string;
  /** JSON: key → value. */
  config: string;
  /** `running` or `stopped` (migration 0008). */
  run_state: string;
  /** JSON of the maintenance settings, or null when off (migration 0008). */
  maintenance: string | null;
  version: number;
  updated_at_ms: BigIntColumn;
}

export interface ReleaseTable {
  id: string;
  app_id: string;
  environment_id: string;
  number: number;
  artifact_dir: string;
  builder: string;
  /** JSON `SourceView`. */
  source: string;
  /** JSON: process type → `{ command }`. */
  processes: string;
  /** JSON `Manifest`. */
  manifest: string;
  /** JSON: key → value. */
  config: string;
  /** JSON: key → value, the app environment's config vars the release was made with; null in rows written before 0008. */
  config_vars: string | null;
  /** The builder's shell prefix of every command in the release; null when none (and in rows written before 0010). */
  runtime_prefix: string | null;
  created_at_ms: BigIntColumn;
  /** JSON `ReleaseImage`, or null for a release that runs its artifact directory. */
  image: string | null;
}

/** The highest release number ever used per app environment, so deleting releases never frees a number. */
export interface ReleaseCounterTable {
  app_id: string;
  environment_id: string;
  last_number: number;
}

export interface DeploymentTable {
  id: string;
  app_id: string;
  environment_id: string;
  kind: DeploymentKind;
  state: DeploymentState;
  phase: DeploymentPhase | null;
  /** JSON `DeploymentSource`. */
  source: string;
  /** JSON `SourceView`. */
  source_view: string | null;
  release_id: string | null;
  previous_release_id: string | null;
  /** JSON: key → value. */
  config: string | null;
  /** JSON `DeploymentFailure`. */
  failure: string | null;
  /** The user who asked to cancel it, and when (migration `0007-deployment-cancel`). */
  cancel_requested_by: string | null;
  cancel_requested_at_ms: NullableBigIntColumn;
  /** Who asked for it (migration `0012-environments-approvals`). */
  requested_by: string | null;
  created_at_ms: BigIntColumn;
  updated_at_ms: BigIntColumn;
  finished_at_ms: NullableBigIntColumn;
}

export interface PhaseTable {
  deployment_id: string;
  seq: number;
  phase: DeploymentPhase;
  state: PhaseRecord['state'];
  started_at_ms: BigIntColumn;
  finished_at_ms: NullableBigIntColumn;
  detail: string | null;
}

export interface InstanceTable {
  id: string;
  app_id: string;
  environment_id: string;
  release_id: string;
  deployment_id: string | null;
  process: string;
  state: InstanceState;
  host: string | null;
  port: number | null;
  pid: number | null;
  restarts: number;
  last_exit_code: number | null;
  started_at_ms: NullableBigIntColumn;
  healthy_at_ms: NullableBigIntColumn;
  restart_after_ms: NullableBigIntColumn;
  updated_at_ms: BigIntColumn;
  /** Name of the runtime driver running it (`process`, `docker`, `swarm`). */
  runtime: string;
  /** JSON `ResourceLimits` the runtime enforces, or null. */
  limits: string | null;
  last_exit_reason: string | null;
}

export interface RouteTable {
  id: string;
  app_id: string;
  environment_id: string;
  host: string;
  path_prefix: string;
  process: string;
  timeout_ms: number | null;
  origin: RouteRecord['origin'];
}

export interface EventTable {
  seq: BigIntColumn;
  deployment_id: string;
  type: EventType;
  /** JSON object. */
  payload: string;
  at_ms: BigIntColumn;
}

/** Named counters (the global event seq), portable where auto-increment syntax is not. */
export interface CounterTable {
  name: string;
  value: BigIntColumn;
}

export interface JobTable {
  id: string;
  kind: JobRecord['kind'];
  deployment_id: string;
  state: JobRecord['state'];
  attempts: number;
  lease_owner: string | null;
  lease_until_ms: NullableBigIntColumn;
  run_after_ms: BigIntColumn;
  last_error: string | null;
  created_at_ms: BigIntColumn;
  /** The API request that queued it (migration `0020-logs`). */
  request_id?: string | null;
}

export interface Database
  extends
    IdentityTables,
    SecretTables,
    AuditTables,
    HostClaimTables,
    DomainTables,
    NotificationTables,
    ApprovalTables,
    DeliveryTables,
    CatalogAclTables,
    PreviewTables,
    DeploymentRuleTables,
    WebhookInboxTables,
    GitRepositoryTables,
    StackTables,
    AutoscaleTables,
    MetricSampleTables,
    AlertTables,
    LogTables {
  projects: ProjectTable;
  environments: EnvironmentTable;
  apps: AppTable;
  app_environments: AppEnvironmentTable;
  releases: ReleaseTable;
  release_counters: ReleaseCounterTable;
  deployments: DeploymentTable;
  phases: PhaseTable;
  instances: InstanceTable;
  routes: RouteTable;
  events: EventTable;
  counters: CounterTable;
  jobs: JobTable;
}
