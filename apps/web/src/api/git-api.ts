/**
 * The Git page's calls: a project's repositories and their webhook deliveries, an app's deployment rules with their
 * dry run, and its pull-request previews with their settings.
 */
import type {
  AddDeploymentRuleBody,
  DeploymentRuleView,
  PreviewSettingsView,
  PreviewView,
  RepositoryView,
  TestDeploymentRulesResponse,
  WebhookDeliveryView,
} from '@slipway/contract';
import { appPath, callJson } from './web-api.js';

const repositoryPath = (project: string, repository: string): string =>
  `/api/v1/projects/${encodeURIComponent(project)}/repositories/${encodeURIComponent(repository)}`;

export const gitApi = {
  repositories: (project: string) =>
    callJson<{ repositories: RepositoryView[] }>('GET', `/api/v1/projects/${encodeURIComponent(project)}/repositories`),
  /** The newest `limit` webhook deliveries of a repository, newest first. */
  deliveries: (project: string, repository: string, limit: number) =>
    callJson<{ deliveries: WebhookDeliveryView[] }>(
      'GET',
      `${repositoryPath(project, repository)}/deliveries?limit=${limit}`,
    ),
  rules: (app: string) => callJson<{ rules: DeploymentRuleView[] }>('GET', appPath(app, '/rules')),
  testRules: (app: string, ref: string) =>
    callJson<TestDeploymentRulesResponse>('GET', appPath(app, `/rules/test?ref=${encodeURIComponent(ref)}`)),
  addRule: (app: string, body: AddDeploymentRuleBody) =>
    callJson<DeploymentRuleView>('POST', appPath(app, '/rules'), body),
  removeRule: (app: string, ruleId: string) =>
    callJson<undefined>('DELETE', appPath(app, `/rules/${encodeURIComponent(ruleId)}`)),
  previews: (app: string) => callJson<{ previews: PreviewView[] }>('GET', appPath(app, '/previews')),
  previewSettings: (app: string) => callJson<PreviewSettingsView>('GET', appPath(app, '/previews/settings')),
  removePreview: (app: string, number: number) => callJson<undefined>('DELETE', appPath(app, `/previews/${number}`)),
};
