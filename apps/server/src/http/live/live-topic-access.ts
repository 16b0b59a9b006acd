/**
 * Which topics of a live stream its caller may have: each one checked as the REST route that reads the same data is
 * (a viewer of the project for its apps, logs and deployments; a global admin for the audit log, which spans every
 * project; any caller for the catalog, whose events hold what its catalog ACL rules let it read). A topic refused is
 * named with the reason and the role it needs, never silently dropped.
 */
import { isRoleAtLeast, parseStreamTopic, SlipwayError, type RefusedTopic, type Role } from '@slipway/contract';
import { globalRole, hasRole, highestRole, type Principal, type Repositories } from '@slipway/core';

export interface TopicDecision {
  readonly accepted: string[];
  readonly refused: RefusedTopic[];
}

/** Errors: `VALIDATION_FAILED` naming the first text that is not a topic. */
export async function authorizeTopics(
  principal: Principal,
  repos: Repositories,
  names: readonly string[],
  options: { hasCatalog: boolean },
): Promise<TopicDecision> {
  const accepted: string[] = [];
  const refused: RefusedTopic[] = [];
  for (const name of names) {
    const topic = parseStreamTopic(name);
    if (topic === undefined) {
      throw new SlipwayError(
        'VALIDATION_FAILED',
        `"${name.slice(0, 80)}" is not a topic (apps:<project>, app:<app>, logs:<app>, deployment:<id>, approvals, audit, catalog)`,
        { details: { topic: name.slice(0, 80) } },
      );
    }
    const refuse = (code: string, message: string, requiredRole?: Role): void => {
      refused.push({ topic: name, code, message, ...(requiredRole === undefined ? {} : { requiredRole }) });
    };
    const onProject = (projectId: string | undefined, what: string, missing: { code: string; message: string }) => {
      if (projectId === undefined) refuse(missing.code, missing.message);
      else if (!hasRole(principal, projectId, 'viewer')) {
        refuse('FORBIDDEN', `${name} needs the viewer role on the project of ${what}`, 'viewer');
      } else accepted.push(name);
    };
    switch (topic.kind) {
      case 'apps':
        onProject((await repos.projects.findByName(topic.project))?.id, `project ${topic.project}`, {
          code: 'PROJECT_NOT_FOUND',
          message: `no project named "${topic.project}"`,
        });
        break;
      case 'app':
      case 'logs':
        onProject((await repos.apps.findByName(topic.app))?.projectId, `app ${topic.app}`, {
          code: 'APP_NOT_FOUND',
          message: `no app named "${topic.app}"`,
        });
        break;
      case 'deployment': {
        const deployment = await repos.deployments.findById(topic.id);
        const app = deployment === undefined ? undefined : await repos.apps.findById(deployment.appId);
        onProject(app?.projectId, `deployment ${topic.id}`, {
          code: 'DEPLOYMENT_NOT_FOUND',
          message: `no deployment ${topic.id}`,
        });
        break;
      }
      case 'approvals':
        if (isRoleAtLeast(highestRole(principal.grants), 'viewer')) accepted.push(name);
        else refuse('FORBIDDEN', 'approvals needs the viewer role on a project', 'viewer');
        break;
      case 'audit':
        // The audit log spans every project.
        if (isRoleAtLeast(globalRole(principal.grants), 'admin')) accepted.push(name);
        else refuse('FORBIDDEN', `${name} needs the admin role globally`, 'admin');
        break;
      case 'catalog':
        // Filtered per caller by its catalog ACL rules, as the catalog routes are.
        if (options.hasCatalog) accepted.push(name);
        else refuse('CATALOG_DISABLED', 'this slipwayd runs no catalog');
        break;
    }
  }
  return { accepted: [...new Set(accepted)], refused };
}
