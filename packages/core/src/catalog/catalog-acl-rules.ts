/**
 * The admin use cases of catalog ACL rules: list, grant (or replace) and revoke. Each change is reported as a security
 * event (audit log) naming the subject, the resource and the prefix; a rule is in force for the next catalog request,
 * since the access reads the rules on every request.
 */
import { SlipwayError, type CatalogAclRuleView, type PutCatalogAclRuleBody } from '@slipway/contract';
import { reportSecurityEvent, type IdentityDeps } from '../identity/identity-deps.js';
import { actorOf, type Principal } from '../identity/principal.js';
import type { Repositories } from '../ports/store.js';
import type { CatalogAclRuleRecord, CatalogAclSubject } from './catalog-acl-records.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** The display name of a subject: the user's name, or `<owner> (token <name>)`; null when it no longer exists. */
async function subjectName(repos: Repositories, subject: CatalogAclSubject): Promise<string | null> {
  if (subject.kind === 'user') return (await repos.users.findById(subject.id))?.name ?? null;
  const token = await repos.apiTokens.findById(subject.id);
  if (token === undefined) return null;
  const owner = await repos.users.findById(token.userId);
  return `${owner?.name ?? token.userId} (token ${token.name})`;
}

async function ruleView(repos: Repositories, rule: CatalogAclRuleRecord): Promise<CatalogAclRuleView> {
  return {
    id: rule.id,
    subject: { kind: rule.subject.kind, id: rule.subject.id, name: await subjectName(repos, rule.subject) },
    resource: rule.resource,
    prefix: rule.prefix,
    policy: rule.policy,
    createdAt: iso(rule.createdAtMs),
    updatedAt: iso(rule.updatedAtMs),
  };
}

/** Every catalog ACL rule, by subject, resource and prefix. */
export async function listCatalogAclRules(deps: Pick<IdentityDeps, 'store'>): Promise<CatalogAclRuleView[]> {
  const rules = await deps.store.catalogAclRules.list();
  return Promise.all(rules.map((rule) => ruleView(deps.store, rule)));
}

/** The subject a grant names. Errors: `USER_NOT_FOUND`, `TOKEN_NOT_FOUND` (unknown or revoked). */
async function resolveSubject(repos: Repositories, input: PutCatalogAclRuleBody): Promise<CatalogAclSubject> {
  if (input.user !== undefined) {
    const user = await repos.users.findByName(input.user);
    if (user === undefined) {
      throw new SlipwayError('USER_NOT_FOUND', `no user named "${input.user}"`, { details: { user: input.user } });
    }
    return { kind: 'user', id: user.id };
  }
  const id = input.token ?? '';
  const token = await repos.apiTokens.findById(id);
  if (token === undefined || token.revokedAtMs !== null) {
    throw new SlipwayError('TOKEN_NOT_FOUND', `no API token with id "${id}" that is not revoked`, {
      details: { token: id },
    });
  }
  return { kind: 'token', id: token.id };
}

/**
 * Gives the subject `policy` on `prefix` of `resource`, replacing the subject's rule on the same prefix. Idempotent.
 * Errors: `USER_NOT_FOUND`, `TOKEN_NOT_FOUND`.
 */
export async function putCatalogAclRule(
  deps: IdentityDeps,
  principal: Principal,
  input: PutCatalogAclRuleBody,
): Promise<CatalogAclRuleView> {
  const nowMs = deps.clock.nowMs();
  const view = await deps.store.transaction(async (tx) => {
    const subject = await resolveSubject(tx, input);
    const stored = await tx.catalogAclRules.put({
      id: deps.ids.next('cacl'),
      subject,
      resource: input.resource,
      prefix: input.prefix,
      policy: input.policy,
      createdAtMs: nowMs,
      updatedAtMs: nowMs,
    });
    return ruleView(tx, stored);
  });
  deps.logger.info(
    { by: principal.userName, ruleId: view.id, subject: view.subject.id, resource: view.resource, policy: view.policy },
    'catalog acl rule granted',
  );
  reportSecurityEvent(deps, {
    name: 'catalog.acl.rule.granted',
    actor: actorOf(principal),
    target: { kind: 'catalog-acl-rule', id: view.id },
    outcome: 'success',
    details: ruleDetails(view),
  });
  return view;
}

/** Removes a rule; its subject loses what it gave at the next request. Errors: `CATALOG_ACL_RULE_NOT_FOUND`. */
export async function revokeCatalogAclRule(deps: IdentityDeps, principal: Principal, id: string): Promise<void> {
  const view = await deps.store.transaction(async (tx) => {
    const rule = await tx.catalogAclRules.findById(id);
    if (rule === undefined || !(await tx.catalogAclRules.delete(id))) {
      throw new SlipwayError('CATALOG_ACL_RULE_NOT_FOUND', `no catalog ACL rule with id "${id}"`, {
        details: { rule: id },
      });
    }
    return ruleView(tx, rule);
  });
  deps.logger.info({ by: principal.userName, ruleId: id }, 'catalog acl rule revoked');
  reportSecurityEvent(deps, {
    name: 'catalog.acl.rule.revoked',
    actor: actorOf(principal),
    target: { kind: 'catalog-acl-rule', id },
    outcome: 'success',
    details: ruleDetails(view),
  });
}

/** What an audit record keeps of a rule: names and the prefix, never a token. */
function ruleDetails(view: CatalogAclRuleView): Record<string, unknown> {
  return {
    subject: `${view.subject.kind}:${view.subject.id}`,
    resource: view.resource,
    prefix: view.prefix.slice(0, 200),
    policy: view.policy,
  };
}
