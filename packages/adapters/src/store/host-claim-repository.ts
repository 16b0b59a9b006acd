/** Host claims in SQL: the host is the primary key, so two projects can never hold one host, however they race. */
import { SlipwayError } from '@slipway/contract';
import type { HostClaimRecord, HostClaimRepository } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt } from './column-codec.js';
import type { Database } from './database.js';
import type { HostClaimTable } from './host-claim-table.js';
import { isUniqueViolation, uniqueConstraints } from './unique-violation.js';

export function createHostClaimRepository(db: Kysely<Database>): HostClaimRepository {
  const select = () => db.selectFrom('host_claims').selectAll().orderBy('host');
  return {
    async insert(record) {
      try {
        await db.insertInto('host_claims').values(toRow(record)).execute();
      } catch (error) {
        if (!isUniqueViolation(error, uniqueConstraints.hostClaim)) throw error;
        throw new SlipwayError('HOST_TAKEN', `host "${record.host}" is claimed already`, {
          details: { host: record.host },
          cause: error,
        });
      }
    },
    async update(record) {
      await db.updateTable('host_claims').set(toRow(record)).where('host', '=', record.host).execute();
    },
    async findByHost(host) {
      const row = await select().where('host', '=', host).executeTakeFirst();
      return row && toRecord(row);
    },
    async listByHosts(hosts) {
      if (hosts.length === 0) return [];
      return (
        await select()
          .where('host', 'in', [...hosts])
          .execute()
      ).map(toRecord);
    },
    async listUnder(suffix) {
      // Hosts hold only [a-z0-9.*-]: no LIKE wildcard to escape.
      return (await select().where('host', 'like', `%.${suffix}`).execute()).map(toRecord);
    },
    async list() {
      return (await select().execute()).map(toRecord);
    },
    async delete(host) {
      await db.deleteFrom('host_claims').where('host', '=', host).execute();
    },
  };
}

function toRow(record: HostClaimRecord) {
  return {
    host: record.host,
    project_id: record.projectId,
    origin: record.origin,
    app_id: record.appId,
    created_at_ms: record.createdAtMs,
  };
}

function toRecord(row: Selectable<HostClaimTable>): HostClaimRecord {
  return {
    host: row.host,
    projectId: row.project_id,
    origin: row.origin,
    appId: row.app_id,
    createdAtMs: fromBigInt(row.created_at_ms),
  };
}
