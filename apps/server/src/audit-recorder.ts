/**
 * Turns security events (identity use cases, secret changes, key rotations) into audit records, adding the request's
 * id and source IP when they happen during one. Appending never fails the caller: a failed append is logged.
 */
import {
  actorOf,
  type AuditEntry,
  type AuditLog,
  type Logger,
  type SecretChange,
  type SecurityEvent,
} from '@slipway/core';
import { currentRequestContext } from './http/audit/request-context.js';

export interface AuditRecorder {
  /** For `IdentityDeps.onSecurityEvent` and the key-rotation routes. */
  readonly onSecurityEvent: (event: SecurityEvent) => void;
  /** For `CoreDeps.onSecretChange`: names and versions, never the value. */
  readonly onSecretChange: (change: SecretChange) => void;
  /** Appends a request record (the audit hooks); resolves once stored, never rejects. */
  appendRequest(entry: AuditEntry): Promise<void>;
  /** Resolves when every append started so far has finished (for an orderly shutdown). */
  flush(): Promise<void>;
}

export function createAuditRecorder(deps: { audit: AuditLog; logger: Logger; nowMs: () => number }): AuditRecorder {
  const { audit, logger } = deps;
  const pending = new Set<Promise<void>>();

  const append = (entry: AuditEntry): Promise<void> => {
    const done = audit.append(entry).then(
      () => undefined,
      (error: unknown) => logger.error({ err: error, action: entry.action }, 'audit append failed'),
    );
    pending.add(done);
    void done.finally(() => pending.delete(done));
    return done;
  };

  const onSecurityEvent = (event: SecurityEvent): void => {
    const context = currentRequestContext();
    void append({
      atMs: deps.nowMs(),
      kind: 'event',
      actor: event.actor ?? actorOf(undefined),
      action: event.name,
      target: event.target,
      sourceIp: context?.sourceIp ?? null,
      requestId: context?.requestId ?? null,
      outcome: event.outcome,
      errorCode: event.errorCode ?? null,
      details: event.details ?? {},
    });
  };

  return {
    onSecurityEvent,
    onSecretChange: (change) =>
      onSecurityEvent({
        name: change.action === 'set' ? 'secrets.value.set' : 'secrets.value.unset',
        actor: change.actor,
        target: { kind: 'secret', id: `${change.app}/${change.environment}/${change.name}` },
        outcome: 'success',
        details: {
          app: change.app,
          environment: change.environment,
          name: change.name,
          version: change.version,
          deploymentId: change.deploymentId,
        },
      }),
    appendRequest: append,
    async flush() {
      await Promise.all([...pending]);
    },
  };
}
