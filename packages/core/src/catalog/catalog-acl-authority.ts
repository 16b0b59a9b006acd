/**
 * The evaluation of catalog ACL rules for one caller (docs/catalog-access.md): the longest matching prefix wins (on a
 * tie, the most restrictive policy), `write` includes `read`, `deny` refuses both, and nothing is granted that no rule
 * grants, except the anonymous reads every caller has. Pure: the rules are resolved before.
 */
import type { CatalogAccessLevel, CatalogAuthority, CatalogResource } from './catalog-access.js';
import type {
  CatalogAclPolicy,
  CatalogAclResource,
  CatalogAclRuleRecord,
  CatalogAnonymousRead,
} from './catalog-acl-records.js';

/** The parts of a rule the evaluation reads. */
export type CatalogAclRule = Pick<CatalogAclRuleRecord, 'resource' | 'prefix' | 'policy'>;

export interface CatalogAuthorityInput {
  /** For logs and audit: a user name, `token:<id>`, or `anonymous`. */
  readonly actor: string;
  /** True when a token was presented and resolved (anonymous callers get only the anonymous reads). */
  readonly isAuthenticated: boolean;
  /** A global admin or owner: allowed everything, whatever the rules. */
  readonly isAdmin: boolean;
  /** False for a credential capped at read (an API token whose maximum role is viewer): its rules only read. */
  readonly mayWrite: boolean;
  readonly rules: readonly CatalogAclRule[];
  readonly anonymousRead: CatalogAnonymousRead;
}

/** Restrictiveness order for ties between rules of the same prefix: the lower wins. */
const policyRank: Readonly<Record<CatalogAclPolicy, number>> = { deny: 0, read: 1, write: 2 };

/** Resources anonymous callers may read under `--catalog-anonymous-read health`: health, catalog, status and DNS. */
const healthReadKinds: ReadonlySet<CatalogResource['kind']> = new Set(['service', 'node', 'operator']);

/** The policy of the longest rule prefix of `name` among `rules` of `resource`, or undefined when none matches. */
export function matchCatalogAclPolicy(
  rules: readonly CatalogAclRule[],
  resource: CatalogAclResource,
  name: string,
): CatalogAclPolicy | undefined {
  let best: CatalogAclRule | undefined;
  for (const rule of rules) {
    if (rule.resource !== resource || !name.startsWith(rule.prefix)) continue;
    if (
      best === undefined ||
      rule.prefix.length > best.prefix.length ||
      (rule.prefix.length === best.prefix.length && policyRank[rule.policy] < policyRank[best.policy])
    ) {
      best = rule;
    }
  }
  return best?.policy;
}

/** True when `policy` gives `access`. */
export function catalogAclPolicyAllows(policy: CatalogAclPolicy | undefined, access: CatalogAccessLevel): boolean {
  if (policy === 'write') return true;
  return policy === 'read' && access === 'read';
}

/** True when an anonymous caller may do `access` on `resource` under `anonymousRead`. */
export function anonymousMay(
  anonymousRead: CatalogAnonymousRead,
  resource: CatalogResource,
  access: CatalogAccessLevel,
): boolean {
  if (access !== 'read') return false;
  switch (anonymousRead) {
    case 'all':
      return true;
    case 'health':
      return healthReadKinds.has(resource.kind);
    case 'none':
      return false;
  }
}

/** The authority of one caller over the catalog, from its resolved rules. */
export function createCatalogAuthority(input: CatalogAuthorityInput): CatalogAuthority {
  const { rules, anonymousRead } = input;
  const hasKeyWrite = rules.some((rule) => rule.resource === 'key' && rule.policy === 'write');

  const ruleAllows = (resource: CatalogAclResource, name: string, access: CatalogAccessLevel): boolean => {
    if (access === 'write' && !input.mayWrite) return false;
    return catalogAclPolicyAllows(matchCatalogAclPolicy(rules, resource, name), access);
  };

  /** A prefix operation needs the prefix itself and every longer rule under it to allow the access. */
  const prefixAllows = (prefix: string, access: CatalogAccessLevel): boolean =>
    ruleAllows('key', prefix, access) &&
    rules.every(
      (rule) =>
        rule.resource !== 'key' ||
        rule.prefix.length <= prefix.length ||
        !rule.prefix.startsWith(prefix) ||
        catalogAclPolicyAllows(rule.policy, access),
    );

  const can = (resource: CatalogResource, access: CatalogAccessLevel): boolean => {
    if (input.isAdmin || anonymousMay(anonymousRead, resource, access)) return true;
    if (!input.isAuthenticated) return false;
    switch (resource.kind) {
      case 'key':
        return ruleAllows('key', resource.key, access);
      case 'key-prefix':
        return prefixAllows(resource.prefix, access);
      case 'service':
        return ruleAllows('service', resource.name, access);
      case 'session':
        // Sessions exist to lock keys: creating one takes the right to write some key.
        return access === 'read' || (input.mayWrite && hasKeyWrite);
      case 'node':
      case 'operator':
        // Nodes and the agent itself are the installation's: any token reads them, only admins change them.
        return access === 'read';
    }
  };

  return {
    actor: input.actor,
    isAdmin: input.isAdmin,
    can,
    canSeeService: (name) => can({ kind: 'service', name }, 'read'),
    canSeeKey: (key) => can({ kind: 'key', key }, 'read'),
  };
}
