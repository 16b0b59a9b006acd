/**
 * Sealed secrets in SQL, guarded by optimistic concurrency on `version`; a release's snapshot is copied inside the
 * database, so sealed values never pass through the process on the way.
 */
import { SlipwayError } from '@slipway/contract';
import type { ReleaseSecretRecord, SealedSecret, SecretRecord, SecretRepository } from '@slipway/core';
import type { Kysely, Selectable } from 'kysely';
import { atomically } from './atomically.js';
import { fromBigInt } from './column-codec.js';
import type { Database } from './database.js';
import type { ReleaseSecretTable, SecretTable } from './secret-tables.js';
import { isUniqueViolation, uniqueConstraints } from './unique-violation.js';

export function createSecretRepository(db: Kysely<Database>): SecretRepository {
  const select = () => db.selectFrom('secrets').selectAll();
  return {
    async list(appId, environmentId) {
      const rows = await select()
        .where('app_id', '=', appId)
        .where('environment_id', '=', environmentId)
        .where('ciphertext', 'is not', null)
        .orderBy('name')
        .execute();
      return rows.map(toRecord);
    },
    async find(appId, environmentId, name) {
      const row = await select()
        .where('app_id', '=', appId)
        .where('environment_id', '=', environmentId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row && toRecord(row);
    },
    async put(record, expectedVersion) {
      const sealed = {
        data_key_id: record.sealed?.dataKeyId ?? null,
        nonce: record.sealed?.nonce ?? null,
        ciphertext: record.sealed?.ciphertext ?? null,
      };
      if (expectedVersion === null) {
        try {
          await db
            .insertInto('secrets')
            .values({
              app_id: record.appId,
              environment_id: record.environmentId,
              name: record.name,
              version: record.version,
              ...sealed,
              updated_at_ms: record.updatedAtMs,
            })
            .execute();
          return;
        } catch (error) {
          if (isUniqueViolation(error, uniqueConstraints.secretName)) throw conflict(record, expectedVersion, error);
          throw error;
        }
      }
      const result = await db
        .updateTable('secrets')
        .set({ version: record.version, ...sealed, updated_at_ms: record.updatedAtMs })
        .where('app_id', '=', record.appId)
        .where('environment_id', '=', record.environmentId)
        .where('name', '=', record.name)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) throw conflict(record, expectedVersion);
    },
    async snapshotToRelease(releaseId, appId, environmentId) {
      await atomically(db, async (trx) => {
        // A resumed release phase may snapshot again: the copy is what the secrets are now, whole.
        await trx.deleteFrom('release_secrets').where('release_id', '=', releaseId).execute();
        await trx
          .insertInto('release_secrets')
          .columns(['release_id', 'name', 'version', 'data_key_id', 'nonce', 'ciphertext'])
          .expression((eb) =>
            eb
              .selectFrom('secrets')
              .select([eb.val(releaseId).as('release_id'), 'name', 'version', 'data_key_id', 'nonce', 'ciphertext'])
              .where('app_id', '=', appId)
              .where('environment_id', '=', environmentId)
              .where('ciphertext', 'is not', null),
          )
          .execute();
      });
    },
    async listForRelease(releaseId) {
      const rows = await db
        .selectFrom('release_secrets')
        .selectAll()
        .where('release_id', '=', releaseId)
        .orderBy('name')
        .execute();
      return rows.map(toReleaseSecret);
    },
  };
}

function conflict(record: SecretRecord, expectedVersion: number | null, cause?: unknown): SlipwayError {
  return new SlipwayError('VERSION_CONFLICT', `secret ${record.name} changed since it was read; read it again`, {
    details: { appId: record.appId, environmentId: record.environmentId, name: record.name, expectedVersion },
    cause,
  });
}

function sealedOf(row: Pick<Selectable<SecretTable>, 'data_key_id' | 'nonce' | 'ciphertext'>): SealedSecret | null {
  if (row.data_key_id === null || row.nonce === null || row.ciphertext === null) return null;
  return { dataKeyId: row.data_key_id, nonce: row.nonce, ciphertext: row.ciphertext };
}

function toRecord(row: Selectable<SecretTable>): SecretRecord {
  return {
    appId: row.app_id,
    environmentId: row.environment_id,
    name: row.name,
    version: row.version,
    sealed: sealedOf(row),
    updatedAtMs: fromBigInt(row.updated_at_ms),
  };
}

function toReleaseSecret(row: Selectable<ReleaseSecretTable>): ReleaseSecretRecord {
  return {
    releaseId: row.release_id,
    name: row.name,
    version: row.version,
    sealed: { dataKeyId: row.data_key_id, nonce: row.nonce, ciphertext: row.ciphertext },
  };
}
