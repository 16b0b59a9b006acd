/** Custom domains and ACME accounts in SQL: the host is the primary key, so a host has one domain however they race. */
import { SlipwayError } from '@slipway/contract';
import type { AcmeAccountRecord, DomainRecord, DomainRepository } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { fromBigInt } from './column-codec.js';
import type { Database } from './database.js';
import type { AcmeAccountTable, DomainTable } from './domain-tables.js';

export function createDomainRepository(db: Kysely<Database>): DomainRepository {
  const select = () => db.selectFrom('domains').selectAll().orderBy('host');
  return {
    async insert(record) {
      const result = await db
        .insertInto('domains')
        .values(toRow(record))
        .onConflict((conflict) => conflict.column('host').doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0)
        throw new SlipwayError('DOMAIN_EXISTS', `domain "${record.host}" exists already`, {
          details: { domain: record.host },
        });
    },
    async update(record) {
      await db.updateTable('domains').set(toRow(record)).where('host', '=', record.host).execute();
    },
    async findByHost(host) {
      const row = await select().where('host', '=', host).executeTakeFirst();
      return row && toRecord(row);
    },
    async list() {
      return (await select().execute()).map(toRecord);
    },
    async delete(host) {
      await db.deleteFrom('domains').where('host', '=', host).execute();
    },
    async findAccount(directoryUrl) {
      const row = await db
        .selectFrom('acme_accounts')
        .selectAll()
        .where('directory_url', '=', directoryUrl)
        .executeTakeFirst();
      return row && toAccount(row);
    },
    async listAccounts() {
      return (await db.selectFrom('acme_accounts').selectAll().orderBy('directory_url').execute()).map(toAccount);
    },
    async saveAccount(record) {
      const values = {
        directory_url: record.directoryUrl,
        sealed_key: JSON.stringify(record.sealedKey),
        account_url: record.accountUrl,
        created_at_ms: record.createdAtMs,
      };
      await db
        .insertInto('acme_accounts')
        .values(values)
        .onConflict((conflict) => conflict.column('directory_url').doUpdateSet(values))
        .execute();
    },
  };
}

function toRow(record: DomainRecord) {
  return {
    host: record.host,
    project_id: record.projectId,
    app_id: record.appId,
    environment_id: record.environmentId,
    origin: record.origin,
    verification: record.verification,
    state: record.state,
    certificate: record.certificate === null ? null : JSON.stringify(record.certificate),
    last_error: record.lastError === null ? null : JSON.stringify(record.lastError),
    failures: record.failures,
    next_attempt_at_ms: record.nextAttemptAtMs,
    expiry_notified_at_ms: record.expiryNotifiedAtMs,
    https_redirect: record.httpsRedirect,
    hsts_max_age_seconds: record.hstsMaxAgeSeconds,
    created_at_ms: record.createdAtMs,
  };
}

function toRecord(row: Selectable<DomainTable>): DomainRecord {
  return {
    host: row.host,
    projectId: row.project_id,
    appId: row.app_id,
    environmentId: row.environment_id,
    origin: row.origin as DomainRecord['origin'],
    verification: row.verification as DomainRecord['verification'],
    state: row.state as DomainRecord['state'],
    certificate: row.certificate === null ? null : (JSON.parse(row.certificate) as DomainRecord['certificate']),
    lastError: row.last_error === null ? null : (JSON.parse(row.last_error) as DomainRecord['lastError']),
    failures: row.failures,
    nextAttemptAtMs: fromBigInt(row.next_attempt_at_ms),
    expiryNotifiedAtMs: row.expiry_notified_at_ms === null ? null : fromBigInt(row.expiry_notified_at_ms),
    httpsRedirect: row.https_redirect as DomainRecord['httpsRedirect'],
    hstsMaxAgeSeconds: row.hsts_max_age_seconds,
    createdAtMs: fromBigInt(row.created_at_ms),
  };
}

function toAccount(row: Selectable<AcmeAccountTable>): AcmeAccountRecord {
  return {
    directoryUrl: row.directory_url,
    sealedKey: JSON.parse(row.sealed_key) as AcmeAccountRecord['sealedKey'],
    accountUrl: row.account_url,
    createdAtMs: fromBigInt(row.created_at_ms),
  };
}
