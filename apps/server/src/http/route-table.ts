/**
 * Every route group of the API, in registration order, and the permission table derived from their declarations:
 * `METHOD /path` → action and access rule, which the access-matrix and fuzz tests walk.
 */
import { auditRoutes } from './audit/audit-routes.js';
import { alertRoutes } from './routes/alert-routes.js';
import { appRoutes } from './routes/app-routes.js';
import { logSettingsRoutes } from './routes/log-settings-routes.js';
import { logDrainRoutes } from './routes/log-drain-routes.js';
import { approvalRoutes } from './routes/approval-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { webSessionRoutes } from './routes/web-session-routes.js';
import { catalogAclRoutes } from './routes/catalog-acl-routes.js';
import { catalogBrowseRoutes } from './routes/catalog-browse-routes.js';
import { deploymentRuleRoutes } from './routes/deployment-rule-routes.js';
import { stackDeploymentRuleRoutes } from './routes/stack-deployment-rule-routes.js';
import { deploymentRoutes } from './routes/deployment-routes.js';
import { deploymentUploadRoutes } from './routes/deployment-upload-routes.js';
import { environmentRoutes } from './routes/environment-routes.js';
import { hostRoutes } from './routes/host-routes.js';
import { domainRoutes } from './routes/domain-routes.js';
import { imageRoutes } from './routes/image-routes.js';
import { metricsRoutes } from './routes/metrics-routes.js';
import { notificationRoutes } from './routes/notification-routes.js';
import { repositoryRoutes } from './routes/repository-routes.js';
import { previewRoutes } from './routes/preview-routes.js';
import { rolloutRoutes } from './routes/rollout-routes.js';
import { autoscaleRoutes } from './routes/autoscale-routes.js';
import { metricsHistoryRoutes } from './routes/metrics-history-routes.js';
import { runtimeTaskRoutes } from './routes/runtime-task-routes.js';
import { secretRoutes } from './routes/secret-routes.js';
import { stackRoutes } from './routes/stack-routes.js';
import { systemRoutes } from './routes/system-routes.js';
import { tokenRoutes } from './routes/token-routes.js';
import { userRoutes } from './routes/user-routes.js';
import { webhookRoutes } from './routes/webhook-routes.js';
import { repositoryWebhookRoutes } from './routes/repository-webhook-routes.js';
import { liveStreamRoutes } from './live/live-stream-routes.js';
import { appsOverviewRoutes } from './routes/apps-overview-routes.js';
import { permissionTableOf, type RouteGroup } from './route-declaration.js';
import type { RouteContext } from './server-context.js';

export const routeGroups: readonly RouteGroup<RouteContext>[] = [
  systemRoutes,
  auditRoutes,
  authRoutes,
  webSessionRoutes,
  tokenRoutes,
  userRoutes,
  appRoutes,
  appsOverviewRoutes,
  liveStreamRoutes,
  logSettingsRoutes,
  logDrainRoutes,
  deploymentUploadRoutes,
  deploymentRoutes,
  secretRoutes,
  runtimeTaskRoutes,
  imageRoutes,
  hostRoutes,
  domainRoutes,
  notificationRoutes,
  alertRoutes,
  environmentRoutes,
  approvalRoutes,
  rolloutRoutes,
  autoscaleRoutes,
  metricsHistoryRoutes,
  catalogAclRoutes,
  catalogBrowseRoutes,
  repositoryRoutes,
  webhookRoutes,
  repositoryWebhookRoutes,
  deploymentRuleRoutes,
  stackDeploymentRuleRoutes,
  stackRoutes,
  previewRoutes,
  metricsRoutes,
];

/** Keyed `METHOD /path` with Fastify's parameter syntax; HEAD routes use their GET entry. */
export const routePermissions = permissionTableOf(routeGroups);
