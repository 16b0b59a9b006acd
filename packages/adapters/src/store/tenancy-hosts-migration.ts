/**
 * Migration `0006-tenancy-hosts`: host claims, one project per host (its primary key), with the hosts routed today
 * claimed by the project that routes on them (the oldest route first), so an upgrade leaves no host up for grabs.
 * Schema builder and query builder only, like every migration; history once shipped.
 */
import type { Kysely, Migration } from 'kysely';

export const tenancyHostsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('host_claims')
      .addColumn('host', 'text', (c) => c.notNull())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('app_id', 'text')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('host_claims_pk', ['host'])
      .addForeignKeyConstraint('host_claims_project_fk', ['project_id'], 'projects', ['id'])
      .addForeignKeyConstraint('host_claims_app_fk', ['app_id'], 'apps', ['id'], (c) => c.onDelete('cascade'))
      .execute();
    await db.schema.createIndex('host_claims_project_idx').on('host_claims').column('project_id').execute();

    // Untyped on purpose: a migration sees the schema as it was then, not today's `Database`.
    const history = db as Kysely<Record<string, Record<string, unknown>>>;
    const routes = await history
      .selectFrom('routes')
      .innerJoin('apps', 'apps.id', 'routes.app_id')
      .select([
        'routes.host as host',
        'routes.origin as origin',
        'routes.app_id as app_id',
        'apps.project_id as project_id',
      ])
      .orderBy('routes.id')
      .execute();
    const claimed = new Set<string>();
    const nowMs = Date.now();
    for (const route of routes) {
      const host = String(route['host']);
      if (claimed.has(host)) continue;
      claimed.add(host);
      const isDefault = route['origin'] === 'default';
      await history
        .insertInto('host_claims')
        .values({
          host,
          project_id: route['project_id'],
          origin: isDefault ? 'default' : 'first-use',
          app_id: isDefault ? route['app_id'] : null,
          created_at_ms: nowMs,
        })
        .execute();
    }
  },
};
