/** Catalog ACL rules in SQL; a put is an upsert on (subject, resource, prefix), so granting again replaces the policy. */
import type { CatalogAclRuleRecord, CatalogAclRuleRepository } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt } from './column-codec.js';
import type { CatalogAclRuleTable } from './catalog-acl-tables.js';
import type { Database } from './database.js';

export function createCatalogAclRuleRepository(db: Kysely<Database>): CatalogAclRuleRepository {
  const select = () =>
    db
      .selectFrom('catalog_acl_rules')
      .selectAll()
      .orderBy('subject_kind')
      .orderBy('subject_id')
      .orderBy('resource')
      .orderBy('prefix');
  return {
    async put(record) {
      await db
        .insertInto('catalog_acl_rules')
        .values({
          id: record.id,
          subject_kind: record.subject.kind,
          subject_id: record.subject.id,
          resource: record.resource,
          prefix: record.prefix,
          policy: record.policy,
          created_at_ms: record.createdAtMs,
          updated_at_ms: record.updatedAtMs,
        })
        .onConflict((oc) =>
          oc
            .columns(['subject_kind', 'subject_id', 'resource', 'prefix'])
            .doUpdateSet({ policy: record.policy, updated_at_ms: record.updatedAtMs }),
        )
        .execute();
      const row = await select()
        .where('subject_kind', '=', record.subject.kind)
        .where('subject_id', '=', record.subject.id)
        .where('resource', '=', record.resource)
        .where('prefix', '=', record.prefix)
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },
    async findById(id) {
      const row = await select().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async list() {
      return (await select().execute()).map(toRecord);
    },
    async listForSubjects(subjects) {
      if (subjects.length === 0) return [];
      const rows = await select()
        .where((eb) =>
          eb.or(
            subjects.map((subject) =>
              eb.and([eb('subject_kind', '=', subject.kind), eb('subject_id', '=', subject.id)]),
            ),
          ),
        )
        .execute();
      return rows.map(toRecord);
    },
    async delete(id) {
      const result = await db.deleteFrom('catalog_acl_rules').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

function toRecord(row: Selectable<CatalogAclRuleTable>): CatalogAclRuleRecord {
  return {
    id: row.id,
    subject: { kind: row.subject_kind, id: row.subject_id },
    resource: row.resource,
    prefix: row.prefix,
    policy: row.policy,
    createdAtMs: fromBigInt(row.created_at_ms),
    updatedAtMs: fromBigInt(row.updated_at_ms),
  };
}
