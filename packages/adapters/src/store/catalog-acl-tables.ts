/** The catalog ACL table as Kysely sees it (migration `0014-catalog-acl`); part of `Database`. */
import type { CatalogAclPolicy, CatalogAclResource, CatalogAclSubjectKind } from '@slipway/core';
import type { BigIntColumn } from './database.js';

export interface CatalogAclRuleTable {
  id: string;
  subject_kind: CatalogAclSubjectKind;
  subject_id: string;
  resource: CatalogAclResource;
  prefix: string;
  policy: CatalogAclPolicy;
  created_at_ms: BigIntColumn;
  updated_at_ms: BigIntColumn;
}

export interface CatalogAclTables {
  catalog_acl_rules: CatalogAclRuleTable;
}
