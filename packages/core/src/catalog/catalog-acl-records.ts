/**
 * Catalog ACL rules as stored (docs/catalog-access.md): one rule gives a user (every credential of theirs) or one API
 * token read, write or deny on a KV key prefix or a service name prefix.
 */

/** What a rule covers: KV keys by prefix, or services by name prefix. */
export const catalogAclResources = ['key', 'service'] as const;
export type CatalogAclResource = (typeof catalogAclResources)[number];

/** What a rule gives: `write` includes `read`; `deny` refuses both, even what a shorter prefix granted. */
export const catalogAclPolicies = ['read', 'write', 'deny'] as const;
export type CatalogAclPolicy = (typeof catalogAclPolicies)[number];

/** Whom a rule is for: a user (any of their sessions and API tokens) or a single API token. */
export const catalogAclSubjectKinds = ['user', 'token'] as const;
export type CatalogAclSubjectKind = (typeof catalogAclSubjectKinds)[number];

export interface CatalogAclSubject {
  readonly kind: CatalogAclSubjectKind;
  /** A user id (`usr_…`) or an API token id (`tok_…`). */
  readonly id: string;
}

/** One rule. A subject has at most one rule per resource kind and prefix: granting again replaces the policy. */
export interface CatalogAclRuleRecord {
  /** `cacl_…`. */
  readonly id: string;
  readonly subject: CatalogAclSubject;
  readonly resource: CatalogAclResource;
  /** Matched against the start of a key or a service name; empty matches everything. */
  readonly prefix: string;
  readonly policy: CatalogAclPolicy;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/** What `--catalog-anonymous-read` allows without a token. */
export type CatalogAnonymousRead = 'none' | 'health' | 'all';

/** The longest prefix a rule may have (KV keys are bounded by the same). */
export const catalogAclPrefixMaxLength = 512;
