/**
 * The persistence port. Every method is atomic on its own; `transaction` groups several.
 * Implementations: SQLite (embedded) and PostgreSQL, through one query builder and one migration set.
 */
import type { AutoscaleDecisionRepository } from './autoscale-decision-repository.js';
import type { MetricSampleRepository } from './metric-sample-repository.js';
import type {
  AppEnvironmentRecord,
  AppRecord,
  DeploymentCancellation,
  DeploymentRecord,
  EnvironmentRecord,
  EventRecord,
  HostClaimRecord,
  InstanceRecord,
  JobLease,
  JobRecord,
  PhaseRecord,
  ProjectRecord,
  ReleaseRecord,
  RouteRecord,
} from '../domain/records.js';
import type {
  ApiTokenRepository,
  SessionRepository,
  SigningKeyRepository,
  UserRepository,
} from './identity-repositories.js';
import type { AuditRepository } from './audit-repository.js';
import type { LogDrainRepository, LogLineRepository, LogSettingsRepository } from './log-repositories.js';
import type {
  ApprovalDecisionRepository,
  ApprovalPolicyRepository,
  ApprovalRequestRepository,
  EnvironmentStrategyRepository,
} from './approval-repositories.js';
import type { DesiredStateRepository, RolloutRepository } from './delivery-repositories.js';
import type { DataKeyRepository, SecretRepository } from './secret-repositories.js';
import type { NotificationRepository } from './notification-repository.js';
import type { DomainRepository } from './domain-repository.js';
import type { AlertRepository } from './alert-repository.js';
import type { CatalogAclRuleRepository } from './catalog-acl-repository.js';
import type { PreviewRepository, PreviewSettingsRepository } from './preview-repositories.js';
import type { DeploymentRuleRepository } from './deployment-rule-repository.js';
import type { GitWebhookRepository } from './git-webhook-repository.js';
import type { StackRepository } from './stack-repository.js';
import type { GitRepositoryRepository } from './git-repository-repository.js';

export interface ProjectRepository {
  /** Errors: `VALIDATION_FAILED` with details.conflict when the name exists. */
  insert(record: ProjectRecord): Promise<void>;
  findByName(name: string): Promise<ProjectRecord | undefined>;
  findById(id: string): Promise<ProjectRecord | undefined>;
  list(): Promise<ProjectRecord[]>;
}

export interface EnvironmentRepository {
  insert(record: EnvironmentRecord): Promise<void>;
  find(projectId: string, name: string): Promise<EnvironmentRecord | undefined>;
  findById(id: string): Promise<EnvironmentRecord | undefined>;
  listByProject(projectId: string): Promise<EnvironmentRecord[]>;
  /** Deletes the environment; the caller has deleted every app environment in it first. Idempotent. */
  delete(id: string): Promise<void>;
}

export interface AppRepository {
  /** Errors: `APP_ALREADY_EXISTS` when the name is taken (names are global: they become hostnames). */
  insert(record: AppRecord): Promise<void>;
  findByName(name: string): Promise<AppRecord | undefined>;
  findById(id: string): Promise<AppRecord | undefined>;
  /** Ordered by name. */
  list(): Promise<AppRecord[]>;
  /** Deletes the app and everything under it (app environments, releases, deployments, phases, events, instances, routes, jobs). */
  delete(id: string): Promise<void>;
}

export interface AppEnvironmentRepository {
  insert(record: AppEnvironmentRecord): Promise<void>;
  find(appId: string, environmentId: string): Promise<AppEnvironmentRecord | undefined>;
  listByApp(appId: string): Promise<AppEnvironmentRecord[]>;
  list(): Promise<AppEnvironmentRecord[]>;
  /**
   * Writes `record` if the stored version equals `record.version`, storing `version + 1`; returns what was stored.
   * Errors: `VERSION_CONFLICT` when the stored version differs (someone else wrote first).
   */
  update(record: AppEnvironmentRecord): Promise<AppEnvironmentRecord>;
  /**
   * Deletes the app environment and everything under it (releases, deployments with their phases, events, jobs and
   * approval requests, instances, routes, secrets and data keys, strategy and approval policy). Idempotent.
   */
  delete(appId: string, environmentId: string): Promise<void>;
}

export interface ReleaseRepository {
  insert(record: ReleaseRecord): Promise<void>;
  findById(id: string): Promise<ReleaseRecord | undefined>;
  findByNumber(appId: string, environmentId: string, number: number): Promise<ReleaseRecord | undefined>;
  /** Newest first. */
  list(appId: string, environmentId: string): Promise<ReleaseRecord[]>;
  /** The releases of these ids that exist, in no particular order (one query, whatever their number). */
  listByIds(ids: readonly string[]): Promise<ReleaseRecord[]>;
  /** 1 + the highest number ever used for this app and environment (numbers are never reused). */
  nextNumber(appId: string, environmentId: string): Promise<number>;
  delete(id: string): Promise<void>;
}

export interface DeploymentRepository {
  insert(record: DeploymentRecord): Promise<void>;
  findById(id: string): Promise<DeploymentRecord | undefined>;
  /**
   * Replaces the stored record (matched by id), all but its `cancellation`: a run saving its progress never erases a
   * cancel requested meanwhile.
   */
  update(record: DeploymentRecord): Promise<void>;
  /**
   * Records a cancel request on a `pending` or `running` deployment that has none yet; true when it did. Idempotent:
   * a second request leaves the first one (its user and time) in place.
   */
  requestCancellation(id: string, cancellation: DeploymentCancellation): Promise<boolean>;
  /** Newest first. */
  list(appId: string, environmentId: string, limit: number): Promise<DeploymentRecord[]>;
  /** The deployment in state `pending` or `running` for this app and environment, if any. */
  findActive(appId: string, environmentId: string): Promise<DeploymentRecord | undefined>;
  listByState(states: readonly DeploymentRecord['state'][]): Promise<DeploymentRecord[]>;
  /** The newest deployment of each app in one environment (apps without one have no entry). */
  listLatestOfEnvironment(environmentId: string): Promise<DeploymentRecord[]>;
  /** How many deployments each app environment has, by state (one row per non-empty group), for metrics. */
  countByState(): Promise<{ appId: string; environmentId: string; state: DeploymentRecord['state']; count: number }[]>;
}

export interface PhaseRepository {
  /** Appends a phase record; `seq` must be 1 + the last one of the deployment. */
  append(record: PhaseRecord): Promise<void>;
  /** Replaces the record with the same deployment id and seq. */
  update(record: PhaseRecord): Promise<void>;
  /** In seq order. */
  list(deploymentId: string): Promise<PhaseRecord[]>;
}

export interface InstanceRepository {
  insert(record: InstanceRecord): Promise<void>;
  findById(id: string): Promise<InstanceRecord | undefined>;
  update(record: InstanceRecord): Promise<void>;
  /** Filtered by whatever is given; ordered by creation (id). */
  list(filter?: { appId?: string; environmentId?: string; releaseId?: string }): Promise<InstanceRecord[]>;
  delete(id: string): Promise<void>;
}

export interface RouteRepository {
  /** Replaces every route of the app and environment with `routes`. */
  replaceForApp(appId: string, environmentId: string, routes: RouteRecord[]): Promise<void>;
  list(): Promise<RouteRecord[]>;
  listByApp(appId: string, environmentId: string): Promise<RouteRecord[]>;
}

export interface HostClaimRepository {
  /** Errors: `HOST_TAKEN` when the host is claimed already (hosts are unique: the store enforces it). */
  insert(record: HostClaimRecord): Promise<void>;
  /** Replaces the stored claim of `record.host`, if any. */
  update(record: HostClaimRecord): Promise<void>;
  findByHost(host: string): Promise<HostClaimRecord | undefined>;
  /** The claims of these exact hosts (wildcards as `*.suffix`). */
  listByHosts(hosts: readonly string[]): Promise<HostClaimRecord[]>;
  /** Claims of hosts under `suffix` (`x.suffix`, `*.x.suffix` …), not `suffix` itself. */
  listUnder(suffix: string): Promise<HostClaimRecord[]>;
  /** Ordered by host. */
  list(): Promise<HostClaimRecord[]>;
  /** Idempotent. */
  delete(host: string): Promise<void>;
}

export interface EventRepository {
  /** Appends and returns the stored event with its assigned `seq`. */
  append(event: Omit<EventRecord, 'seq'>): Promise<EventRecord>;
  /** Events of a deployment with seq greater than `afterSeq`, in order, at most `limit`. */
  list(deploymentId: string, afterSeq: number, limit: number): Promise<EventRecord[]>;
}

export interface JobRepository {
  enqueue(record: JobRecord): Promise<void>;
  /**
   * Atomically takes the oldest job that is `queued` with `runAfterMs <= nowMs`, or `leased` with an expired lease,
   * marks it leased by `owner` until `nowMs + leaseMs`, increments `attempts`, and returns it. Jobs in `exceptJobIds`
   * are never taken: a worker passes the jobs it runs, so a lease that ran out while its event loop was blocked is
   * not taken a second time by the very worker still running it.
   */
  lease(
    owner: string,
    leaseMs: number,
    nowMs: number,
    exceptJobIds?: readonly string[],
  ): Promise<JobRecord | undefined>;
  /** Extends the lease; returns false when the job is no longer held under `lease` (fenced out). */
  renew(lease: JobLease, leaseUntilMs: number): Promise<boolean>;
  /**
   * True while the job is leased by `lease.owner` at attempt `lease.attempt`. Called inside a transaction before a
   * run's write, it fences out a run whose lease another attempt has taken (the write then rolls back).
   */
  isHeld(lease: JobLease): Promise<boolean>;
  /** Marks the job done or failed, if still held under `lease`. */
  finish(lease: JobLease, outcome: { state: 'done' | 'failed'; error?: string }): Promise<void>;
  /**
   * Marks the deployment's job `done` while it is `queued` (no run holds it); true when it did. A leased job is left
   * to its run, which sees the deployment's cancel request.
   */
  cancelQueued(deploymentId: string): Promise<boolean>;
  /** Puts the job back in the queue to run after `runAfterMs`, if still held under `lease`. */
  release(lease: JobLease, runAfterMs: number, error: string): Promise<void>;
  findByDeployment(deploymentId: string): Promise<JobRecord | undefined>;
  /** How many jobs are in each state (one row per non-empty state), for metrics. */
  countByState(): Promise<{ state: JobRecord['state']; count: number }[]>;
}

export interface Repositories {
  readonly projects: ProjectRepository;
  readonly environments: EnvironmentRepository;
  readonly apps: AppRepository;
  readonly appEnvironments: AppEnvironmentRepository;
  readonly releases: ReleaseRepository;
  readonly deployments: DeploymentRepository;
  readonly phases: PhaseRepository;
  readonly instances: InstanceRepository;
  readonly routes: RouteRepository;
  readonly hostClaims: HostClaimRepository;
  /** Custom domains with their sealed certificates, and ACME accounts. */
  readonly domains: DomainRepository;
  readonly events: EventRepository;
  readonly jobs: JobRepository;
  readonly users: UserRepository;
  readonly apiTokens: ApiTokenRepository;
  readonly sessions: SessionRepository;
  readonly signingKeys: SigningKeyRepository;
  readonly dataKeys: DataKeyRepository;
  readonly secrets: SecretRepository;
  readonly audit: AuditRepository;
  /** Notification targets, the delivery outbox and its attempts. */
  readonly notifications: NotificationRepository;
  readonly approvalPolicies: ApprovalPolicyRepository;
  readonly approvalRequests: ApprovalRequestRepository;
  readonly approvalDecisions: ApprovalDecisionRepository;
  readonly environmentStrategies: EnvironmentStrategyRepository;
  readonly desiredStates: DesiredStateRepository;
  readonly rollouts: RolloutRepository;
  /** Catalog ACL rules per KV prefix and per service name prefix. */
  readonly catalogAclRules: CatalogAclRuleRepository;
  /** Each app's preview settings, and its previews (one per pull request). */
  readonly previewSettings: PreviewSettingsRepository;
  readonly previews: PreviewRepository;
  /** Deployment rules per app or stack, and the (rule, commit) pairs that deployed. */
  readonly deploymentRules: DeploymentRuleRepository;
  /** Repositories' webhook secrets and the inbox of received webhook deliveries. */
  readonly gitWebhooks: GitWebhookRepository;
  /** Stacks (compose projects as apps of one project) and their deployments. */
  readonly stacks: StackRepository;
  /** Git repositories Slipway deploys from, per project, with their sealed credentials. */
  readonly gitRepositories: GitRepositoryRepository;
  /** Each process type's recent autoscaler decisions. */
  readonly autoscaleDecisions: AutoscaleDecisionRepository;
  /** The metrics history: traffic per release and usage per instance, sampled by slipwayd. */
  readonly metricSamples: MetricSampleRepository;
  /** Alert rules and the alerts they raised. */
  readonly alerts: AlertRepository;
  /** The persisted log: lines, each app's retention override, log drains. */
  readonly logLines: LogLineRepository;
  readonly logSettings: LogSettingsRepository;
  readonly logDrains: LogDrainRepository;
}

export interface Store extends Repositories {
  /**
   * Runs `work` in one transaction: all its writes commit together or none do. A thrown error rolls back and is rethrown.
   * Do no I/O other than the store inside `work` (SQLite serialises writers).
   */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Applies pending migrations; idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}
