/** The catalog ACL part of the Store port: rules per KV prefix and per service name prefix. */
import type { CatalogAclRuleRecord, CatalogAclSubject } from '../catalog/catalog-acl-records.js';

export interface CatalogAclRuleRepository {
  /**
   * Stores the rule, replacing the subject's rule on the same resource kind and prefix (its id and creation time are
   * kept, its policy and update time replaced). Returns the rule as stored. Idempotent.
   */
  put(record: CatalogAclRuleRecord): Promise<CatalogAclRuleRecord>;
  findById(id: string): Promise<CatalogAclRuleRecord | undefined>;
  /** Every rule, ordered by subject kind, subject id, resource, then prefix. */
  list(): Promise<CatalogAclRuleRecord[]>;
  /** The rules of any of `subjects`, in the order of `list`; none for an empty list. */
  listForSubjects(subjects: readonly CatalogAclSubject[]): Promise<CatalogAclRuleRecord[]>;
  /** Removes the rule; false when there was none. */
  delete(id: string): Promise<boolean>;
}
