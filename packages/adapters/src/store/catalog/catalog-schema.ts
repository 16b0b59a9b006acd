/**
 * The catalog database's own schema, versioned by SQLite's `user_version`: each migration runs once, in order, inside
 * one transaction with the version bump, so a database is always at a version this code knows or refused whole.
 * Migrations are history: never edit one that has shipped, add the next.
 */
import type SqliteDatabase from 'better-sqlite3';
import { SlipwayError } from '@slipway/contract';

type Database = SqliteDatabase.Database;

/**
 * Version 1: the state row (global index and the node as JSON), KV entries with their values as blobs, tombstones,
 * and sessions, services and checks as JSON records under their ids.
 */
const migrations: readonly string[] = [
  `create table catalog_state (
     id integer primary key check (id = 1),
     last_index integer not null,
     node text
   );
   create table kv (
     key text primary key,
     value blob,
     flags integer not null,
     create_index integer not null,
     modify_index integer not null,
     lock_index integer not null,
     session text
   );
   create table kv_tombstones (
     key text primary key,
     modify_index integer not null,
     deleted_at_ms integer not null
   );
   create table sessions (id text primary key, record text not null);
   create table services (id text primary key, record text not null);
   create table checks (check_id text primary key, record text not null);`,
];

/** The schema version this code writes. */
export const catalogSchemaVersion = migrations.length;

/** Brings the database to `catalogSchemaVersion`; refuses one written by a newer version. */
export function migrateCatalogSchema(database: Database, file: string): void {
  const current = Number(database.pragma('user_version', { simple: true }));
  if (current > catalogSchemaVersion)
    throw new SlipwayError(
      'INTERNAL',
      `the catalog database ${file} has schema version ${current}, newer than this slipwayd knows (${catalogSchemaVersion})`,
    );
  for (let version = current; version < catalogSchemaVersion; version += 1) {
    const sql = migrations[version] ?? '';
    database.transaction(() => {
      database.exec(sql);
      database.pragma(`user_version = ${version + 1}`);
    })();
  }
}
