/** Recognises a unique-constraint violation from the SQLite or the PostgreSQL driver, so repositories can name it. */

export interface UniqueConstraint {
  /** Constraint name, as PostgreSQL reports it. */
  readonly name: string;
  /** Table and columns, as SQLite reports them (`UNIQUE constraint failed: apps.name`). */
  readonly table: string;
  readonly columns: readonly string[];
}

/** The unique constraints repositories translate into domain errors; names match the migrations. */
export const uniqueConstraints = {
  projectName: { name: 'projects_name_unique', table: 'projects', columns: ['name'] },
  environmentName: { name: 'environments_project_name_unique', table: 'environments', columns: ['project_id', 'name'] },
  appName: { name: 'apps_name_unique', table: 'apps', columns: ['name'] },
  releaseNumber: { name: 'releases_number_unique', table: 'releases', columns: ['app_id', 'environment_id', 'number'] },
  secretName: { name: 'secrets_pk', table: 'secrets', columns: ['app_id', 'environment_id', 'name'] },
  userName: { name: 'users_name_unique', table: 'users', columns: ['name'] },
  auditSeq: { name: 'audit_records_pk', table: 'audit_records', columns: ['seq'] },
  hostClaim: { name: 'host_claims_pk', table: 'host_claims', columns: ['host'] },
  notificationDelivery: { name: 'notification_deliveries_pk', table: 'notification_deliveries', columns: ['id'] },
  notificationAttempt: {
    name: 'notification_attempts_pk',
    table: 'notification_attempts',
    columns: ['delivery_id', 'seq'],
  },
  approvalGateKey: { name: 'approval_requests_gate_key_unique', table: 'approval_requests', columns: ['gate_key'] },
  approvalDecision: {
    name: 'approval_decisions_pk',
    table: 'approval_decisions',
    columns: ['request_id', 'actor_user_id'],
  },
} as const satisfies Record<string, UniqueConstraint>;

export function isUniqueViolation(error: unknown, constraint: UniqueConstraint): boolean {
  if (!(error instanceof Error)) return false;
  const { code, constraint: reported } = error as Error & { code?: unknown; constraint?: unknown };
  if (code === '23505') return reported === constraint.name;
  // A primary key is a unique constraint too; SQLite reports it with its own code and the same message.
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const columns = constraint.columns.map((column) => `${constraint.table}.${column}`).join(', ');
    return error.message.endsWith(`: ${columns}`);
  }
  return false;
}
