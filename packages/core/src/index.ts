/** The domain and its use cases, behind ports; imports no I/O library. */
export type * from './domain/records.js';
export type * from './domain/approval-records.js';
export type * from './ports/approval-repositories.js';
export type * from './ports/clock.js';
export type * from './ports/logger.js';
export type * from './ports/id-generator.js';
export type * from './ports/runtime-driver.js';
export type * from './ports/deployment-tracer.js';
export type * from './ports/source-fetcher.js';
export type * from './ports/builder.js';
export type * from './ports/health-prober.js';
export type * from './ports/router-table.js';
export type * from './ports/metric-source.js';
export type * from './ports/autoscale-decision-repository.js';
export type * from './ports/metric-sample-repository.js';
export * from './ports/control-plane-metrics.js';
export type * from './ports/store.js';
export type * from './ports/log-repositories.js';
export type * from './logs/log-records.js';
export type * from './ports/artifact-store.js';
export type * from './ports/image-store.js';
export type * from './ports/identity-repositories.js';
export type * from './ports/password-hasher.js';
export type * from './ports/opaque-tokens.js';
export type * from './ports/access-token-signer.js';
export type * from './identity/identity-records.js';
export type * from './ports/secret-cipher.js';
export type * from './ports/secret-repositories.js';
export type * from './domain/secret-records.js';
export type * from './ports/audit-repository.js';
export type * from './ports/delivery-repositories.js';
export type * from './audit/audit-records.js';
export {
  auditGenesisHash,
  canonicalAuditForm,
  checkAuditLink,
  sealAuditRecord,
  type ChainCheck,
  type ChainLink,
} from './audit/audit-chain.js';
export { createAuditLog, type AuditLog, type AuditVerification } from './audit/audit-log.js';
export {
  securityEventNames,
  type SecurityEvent,
  type SecurityEventName,
  type SecurityEventSink,
} from './audit/security-events.js';
export * from './core-deps.js';
export { EventBus } from './domain/event-bus.js';
export { configVarsOf, mergeReleaseConfig } from './domain/release-config.js';
export { KeyedMutex, Semaphore } from './domain/keyed-mutex.js';
export { resolveProcesses, resolveStrategy } from './domain/process-plan.js';
export { createFleet, type Fleet } from './controller/fleet.js';
export { assertRuntimeRuns, createRuntimeSet, type RuntimeSet } from './controller/runtime-set.js';
export { resolveRuntimePlan, type RuntimePlan } from './domain/runtime-plan.js';
export { createReconciler, type Reconciler } from './controller/reconciler.js';
export { buildRoutingTable } from './controller/routing-table-builder.js';
export { createDeploymentRunner, type DeploymentRunner } from './deployment/deployment-runner.js';
export { createJobWorker, type JobWorker } from './deployment/job-worker.js';
export { leaseOf } from './domain/job-lease.js';
export { createDeploymentJournal, maxQueuedLogLines } from './deployment/deployment-journal.js';
export {
  deploymentFailpointNames,
  failpointNames,
  webhookFailpointNames,
  isFailpointName,
  type Failpoint,
  type FailpointContext,
  type FailpointName,
} from './deployment/failpoints.js';
export { parseManifest } from './deployment/build-phase.js';
export { defaultHost } from './deployment/release-routes.js';
export { redactGitUrl, splitGitCredentials } from './deployment/git-credentials.js';
export { assertImageRegistryAllowed, imageRegistryOf } from './deployment/image-registry.js';
export * from './use-cases/apps.js';
export * from './use-cases/hosts.js';
export * from './use-cases/domains.js';
export type * from './domains/domain-records.js';
export { domainReason, type DomainReason, type DomainServing } from './domains/domain-reason.js';
export type * from './ports/domain-repository.js';
export type * from './ports/acme-issuer.js';
export type * from './ports/edge-tls.js';
export * from './domains/certificate-manager.js';
export { domainRoutes, isCertifiableHost } from './domains/route-domains.js';
export { rewrapDomainSecrets } from './domains/domain-rewrap.js';
export { coveringHosts, isReservedHost } from './domain/host-ownership.js';
export * from './use-cases/deployments.js';
export * from './use-cases/repository-deployment.js';
export * from './use-cases/cancel-deployment.js';
export * from './use-cases/app-state.js';
export * from './use-cases/config.js';
export * from './use-cases/log-tail.js';
export * from './use-cases/log-follow.js';
export * from './logs/log-history.js';
export * from './logs/log-writer.js';
export * from './logs/log-settings.js';
export * from './logs/log-collector.js';
export * from './logs/log-retention.js';
export * from './logs/backlog-dedupe.js';
export * from './logs/app-log-settings.js';
export * from './logs/log-drains.js';
export * from './logs/log-drain-url.js';
export * from './logs/log-drain-shipper.js';
export type * from './ports/log-drain-sender.js';
export * from './use-cases/run-state.js';
export * from './use-cases/one-off-run.js';
export * from './use-cases/secrets.js';
export * from './use-cases/app-statuses.js';
export * from './use-cases/apps-overview.js';
export * from './use-cases/app-live-view.js';
export {
  openCurrentSecrets,
  openReleaseSecrets,
  rewrapDataKeys,
  unknownMasterKeys,
  type SecretScope,
} from './secrets/secret-vault.js';
export { createSecretMasker, secretMask, type SecretMasker } from './secrets/secret-masker.js';
export { getAppScope, getApp, getRelease } from './use-cases/lookups.js';
export { isCrashLooping } from './use-cases/crash-loop.js';
export {
  actorOf,
  capGrants,
  globalRole,
  hasRole,
  highestRole,
  roleOnProject,
  type Actor,
  type Credential,
  type Grant,
  type GrantCap,
  type Principal,
} from './identity/principal.js';
export {
  apiTokenPrefix,
  defaultIdentitySettings,
  refreshTokenPrefix,
  reportSecurityEvent,
  type IdentityDeps,
  type IdentitySettings,
} from './identity/identity-deps.js';
export { authenticate } from './identity/authenticate.js';
export { login, logout, refreshSession, whoami } from './identity/sessions.js';
export { createApiToken, listApiTokens, revokeApiToken } from './identity/api-tokens.js';
export { createUser, getUser, grantRole, listUsers, revokeRole, setPassword } from './identity/users.js';
export { bootstrapOwner, bootstrapOwnerName, bootstrapTokenName, type BootstrapResult } from './identity/bootstrap.js';
export * from './use-cases/images.js';
export * from './delivery/rollout-model.js';
export * from './delivery/delivery-events.js';
export * from './delivery/analysis-run.js';
export * from './delivery/analysis-view.js';
export * from './delivery/analysis-gate.js';
export * from './delivery/router-metric.js';
export { createBlueGreenStrategy, blueGreenPreviewHost, type BlueGreenStrategy } from './delivery/blue-green.js';
export { createCanaryStrategy, stickyCookieOf, type CanaryStrategy, type CanaryStep } from './delivery/canary.js';
export { describeTrafficMatch, formatWaitSeconds } from './delivery/step-labels.js';
export { abortableCall, runtimeCallAborted } from './controller/runtime-call-deadline.js';
export { createBackgroundSupervisor, type BackgroundSupervisor } from './controller/background-supervisor.js';
export type { ReconcilerFailpoint, ReconcilerOptions } from './controller/reconciler.js';
export { withCallDeadlines, type RuntimeSetOptions } from './controller/runtime-set.js';
export type * from './ports/notifier.js';
export type * from './ports/notification-repository.js';
export type * from './notifications/notification-records.js';
export * from './notifications/notification-targets.js';
export * from './notifications/notification-deliveries.js';
export { createNotificationOutbox, type NotificationOutbox } from './notifications/notification-outbox.js';
export {
  createNotificationDispatcher,
  defaultNotificationDispatcherSettings,
  type NotificationDispatcher,
  type NotificationDispatcherSettings,
} from './notifications/notification-dispatcher.js';
export { renderNotification } from './notifications/notification-rendering.js';
export {
  publishCertificateExpiring,
  publishCrashLoop,
  publishDeploymentOver,
} from './notifications/delivery-event-publishing.js';
export type * from './ports/alert-repository.js';
export type * from './ports/disk-usage.js';
export type * from './alerts/alert-records.js';
export * from './alerts/alert-state.js';
export * from './alerts/alert-kinds.js';
export * from './alerts/alert-conditions.js';
export * from './alerts/alert-evaluator.js';
export * from './alerts/alert-rules.js';
export * from './alerts/alert-views.js';
export {
  createCrashLoopConditionSource,
  createDeploymentFailedConditionSource,
} from './alerts/app-condition-sources.js';
export { createEdgeConditionSource } from './alerts/edge-condition-sources.js';
export { createDiskConditionSource } from './alerts/disk-condition-source.js';
export { createCertificateConditionSource } from './alerts/certificate-condition-source.js';
export * from './use-cases/environments.js';
export * from './use-cases/approvals.js';
export { awaitDeploymentApproval, approvalPollMs } from './delivery/approval-wait.js';
export { createApprovalGateRunner, rolloutStepGateKey, type ApprovalGate } from './delivery/approval-gate.js';
export {
  eligibilityOf,
  fullRefOf,
  isRefAllowed,
  matchesRefPattern,
  tallyDecisions,
  type ApprovalActor,
} from './delivery/approval-rules.js';
export { defaultApprovalRules, deploymentGateKey } from './delivery/approval-requests.js';
export * from './delivery/gate-runners.js';
export { createRolloutEngine, type RolloutEngine, type RolloutEngineOptions } from './delivery/rollout-engine.js';
export { strategyFor } from './delivery/strategy-for.js';
export * from './use-cases/rollout-control.js';
export { buildRolloutView } from './use-cases/rollout-view.js';
// The service catalog (docs/catalog.md).
export type * from './catalog/catalog-records.js';
export type * from './ports/catalog-store.js';
export type * from './catalog/catalog-access.js';
export type {
  Catalog,
  Indexed,
  WatchTopic,
  KvPutRequest,
  KvDeleteRequest,
  TxnKvOp,
  TxnResult,
  SessionCreateRequest,
  ServiceRegistration,
  CheckRegistration,
} from './catalog/catalog.js';
export { kvMaxValueBytes, txnMaxOperations } from './catalog/catalog.js';
export type * from './ports/catalog-check-runner.js';
export { checkOutputMaxBytes, isRunnableCheck } from './ports/catalog-check-runner.js';
// Catalog access: tokens, ACL rules and their evaluation.
export * from './catalog/catalog-acl-records.js';
export type * from './ports/catalog-acl-repository.js';
export {
  createCatalogAccess,
  catalogAclSubjectsOf,
  catalogTokenMaxLength,
  defaultCatalogTokenCacheMs,
} from './catalog/catalog-acl.js';
export type { CatalogAccessDeps, CatalogAccessService } from './catalog/catalog-acl.js';
export {
  anonymousMay,
  catalogAclPolicyAllows,
  createCatalogAuthority,
  matchCatalogAclPolicy,
} from './catalog/catalog-acl-authority.js';
export type { CatalogAclRule, CatalogAuthorityInput } from './catalog/catalog-acl-authority.js';
export { listCatalogAclRules, putCatalogAclRule, revokeCatalogAclRule } from './catalog/catalog-acl-rules.js';
// The dashboard's catalog browser and KV editor.
export {
  catalogServiceSummaries,
  getCatalogKv,
  getCatalogService,
  listCatalogKv,
  listCatalogServices,
  worstCheckStatus,
  type CatalogBrowser,
} from './catalog/catalog-browse.js';
export { deleteCatalogKv, putCatalogKv, type CatalogKvEditor } from './catalog/catalog-kv-edit.js';
export {
  createCatalog,
  type CatalogEngine,
  type CatalogDeps,
  type CatalogNodeSettings,
} from './catalog/catalog-engine.js';
export { catalogRefusal, consulStatusOf, type ConsulStatus } from './catalog/catalog-errors.js';
export { formatGoDuration } from './catalog/go-duration.js';
export { serviceMaintenanceCheckId } from './catalog/catalog-writes.js';
export { consulServiceId, consulServicePort, serfHealthCheckId } from './catalog/catalog-builtins.js';
export {
  sessionTtlMinMs,
  sessionTtlMaxMs,
  defaultLockDelayMs,
  maxLockDelayMs,
  sessionTtlMultiplier,
} from './catalog/session-writes.js';
export {
  createCheckScheduler,
  minCheckIntervalMs,
  scriptChecksDisabledOutput,
  type CheckScheduler,
  type CheckSchedulerDeps,
} from './catalog/check-scheduler.js';
export {
  createInstanceRegistration,
  instanceCheckId,
  instanceServiceName,
  type InstanceCatalogHooks,
  type InstanceRegistration,
  type InstanceRegistrationDeps,
} from './catalog/instance-registration.js';

// Git-driven delivery (docs/git.md): repositories, webhooks, deployment rules, previews, pushes, stacks. Each part
// exports from its own barrel.
export * from './git/git-event.js';
export { handleGitEvent } from './git/git-event-handler.js';
export * from './git/previews-index.js';
export * from './git/webhooks/index.js';
export * from './git/repositories.js';
export * from './stacks/index.js';
export * from './git/rules/index.js';

// Autoscaling (docs/autoscaling.md): the HPA decision as a pure function.
export * from './autoscale/autoscale-decision.js';
export * from './autoscale/replica-proposal.js';
export * from './autoscale/scaling-behavior.js';
export * from './autoscale/autoscaler.js';
export * from './autoscale/autoscale-samples.js';
export * from './autoscale/autoscale-status.js';
export * from './autoscale/cold-start.js';
export * from './autoscale/cold-start-waker.js';
export * from './metrics-history/metric-sampler.js';
export * from './metrics-history/metric-series-query.js';
