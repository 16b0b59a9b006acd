/** Binds every repository to one Kysely handle (the database or a transaction); dialect-neutral. */
import type { Repositories } from '@slipway/core';
import type { Kysely } from 'kysely';
import { createAlertRepository } from './alert-repository.js';
import { createAppEnvironmentRepository } from './app-environment-repository.js';
import { createApiTokenRepository } from './api-token-repository.js';
import { createAppRepository } from './app-repository.js';
import {
  createApprovalDecisionRepository,
  createApprovalPolicyRepository,
  createApprovalRequestRepository,
  createEnvironmentStrategyRepository,
} from './approval-repositories.js';
import { createAuditRepository } from './audit-repository.js';
import { createCatalogAclRuleRepository } from './catalog-acl-rule-repository.js';
import { createDataKeyRepository } from './data-key-repository.js';
import type { Database } from './database.js';
import { createDesiredStateRepository, createRolloutRepository } from './delivery-repositories.js';
import { createDeploymentRepository } from './deployment-repository.js';
import { createDeploymentRuleRepository } from './deployment-rule-repository.js';
import { createEnvironmentRepository } from './environment-repository.js';
import { createEventRepository } from './event-repository.js';
import { createGitWebhookRepository } from './git-webhook-repository.js';
import { createGitRepositoryRepository } from './git-repository-repository.js';
import { createHostClaimRepository } from './host-claim-repository.js';
import { createDomainRepository } from './domain-repository.js';
import { createInstanceRepository } from './instance-repository.js';
import { createPreviewRepository, createPreviewSettingsRepository } from './preview-repositories.js';
import { createJobRepository } from './job-repository.js';
import { createLogDrainRepository } from './log-drain-repository.js';
import { createLogLineRepository } from './log-line-repository.js';
import { createLogSettingsRepository } from './log-settings-repository.js';
import { createNotificationRepository } from './notification-repository.js';
import { createPhaseRepository } from './phase-repository.js';
import { createProjectRepository } from './project-repository.js';
import { createReleaseRepository } from './release-repository.js';
import { createRouteRepository } from './route-repository.js';
import { createSecretRepository } from './secret-repository.js';
import { createSessionRepository } from './session-repository.js';
import { createSigningKeyRepository } from './signing-key-repository.js';
import { createStackRepository } from './stack-repository.js';
import { createAutoscaleDecisionRepository } from './autoscale-decision-repository.js';
import { createMetricSampleRepository } from './metric-sample-repository.js';
import { createUserRepository } from './user-repository.js';

export function createRepositories(db: Kysely<Database>): Repositories {
  return {
    projects: createProjectRepository(db),
    environments: createEnvironmentRepository(db),
    apps: createAppRepository(db),
    appEnvironments: createAppEnvironmentRepository(db),
    releases: createReleaseRepository(db),
    deployments: createDeploymentRepository(db),
    phases: createPhaseRepository(db),
    instances: createInstanceRepository(db),
    routes: createRouteRepository(db),
    hostClaims: createHostClaimRepository(db),
    domains: createDomainRepository(db),
    events: createEventRepository(db),
    jobs: createJobRepository(db),
    users: createUserRepository(db),
    apiTokens: createApiTokenRepository(db),
    sessions: createSessionRepository(db),
    signingKeys: createSigningKeyRepository(db),
    dataKeys: createDataKeyRepository(db),
    secrets: createSecretRepository(db),
    audit: createAuditRepository(db),
    notifications: createNotificationRepository(db),
    logLines: createLogLineRepository(db),
    logSettings: createLogSettingsRepository(db),
    logDrains: createLogDrainRepository(db),
    approvalPolicies: createApprovalPolicyRepository(db),
    approvalRequests: createApprovalRequestRepository(db),
    approvalDecisions: createApprovalDecisionRepository(db),
    environmentStrategies: createEnvironmentStrategyRepository(db),
    desiredStates: createDesiredStateRepository(db),
    rollouts: createRolloutRepository(db),
    catalogAclRules: createCatalogAclRuleRepository(db),
    previewSettings: createPreviewSettingsRepository(db),
    previews: createPreviewRepository(db),
    deploymentRules: createDeploymentRuleRepository(db),
    gitWebhooks: createGitWebhookRepository(db),
    stacks: createStackRepository(db),
    autoscaleDecisions: createAutoscaleDecisionRepository(db),
    metricSamples: createMetricSampleRepository(db),
    gitRepositories: createGitRepositoryRepository(db),
    alerts: createAlertRepository(db),
  };
}
