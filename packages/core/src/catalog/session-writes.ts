/**
 * Session writes into a draft, with Consul's rules (state/session.go): a session names the node and the checks it
 * depends on (by default `serfHealth`), which must exist and not be critical; invalidating one (destroy, TTL lapse,
 * a check it names going critical or away) releases its locks or deletes its keys (its behavior), then the keys it
 * held cannot be acquired again during its lock-delay.
 */
import type { SessionCreateRequest } from './catalog.js';
import type { CatalogDraft } from './catalog-draft.js';
import type { CatalogSession } from './catalog-records.js';
import { catalogRefusal } from './catalog-errors.js';
import { topicKeys } from './catalog-topics.js';
import { formatGoDuration } from './go-duration.js';
import { deleteEntry, writeEntry } from './kv-writes.js';

/** Consul's bounds of a session TTL (`session_ttl_min` 10s, at most 24h). */
export const sessionTtlMinMs = 10_000;
export const sessionTtlMaxMs = 24 * 3_600_000;
/** Consul invalidates a TTL session only after twice its TTL (`SessionTTLMultiplier`). */
export const sessionTtlMultiplier = 2;
/** Consul's default lock-delay, and its ceiling. */
export const defaultLockDelayMs = 15_000;
export const maxLockDelayMs = 60_000;

export interface SessionWriteContext {
  nowMs(): number;
  newSessionId(): string;
  /** Keeps the key from being acquired until then (applied once the commit is stored). */
  setLockDelay(key: string, untilMs: number): void;
  /** When a TTL session lapses (undefined: it has none, or is gone). */
  setSessionDeadline(sessionId: string, atMs: number | undefined): void;
}

export function createSession(
  draft: CatalogDraft,
  request: SessionCreateRequest,
  context: SessionWriteContext,
): CatalogSession {
  const ttlMs = request.ttlMs ?? 0;
  if (ttlMs !== 0 && (ttlMs < sessionTtlMinMs || ttlMs > sessionTtlMaxMs)) {
    throw catalogRefusal(
      `Invalid Session TTL '${formatGoDuration(ttlMs)}', must be between [${formatGoDuration(sessionTtlMinMs)}=${formatGoDuration(sessionTtlMaxMs)}]`,
      400,
    );
  }
  const node = request.node ?? draft.node.name;
  if (node !== draft.node.name) throw catalogRefusal('Missing node registration', 500);
  const nodeChecks = request.nodeChecks ?? ['serfHealth'];
  const serviceChecks = request.serviceChecks ?? [];
  for (const checkId of [...nodeChecks, ...serviceChecks]) {
    const check = draft.checks.get(checkId);
    if (!check) throw catalogRefusal(`Missing check '${checkId}' registration`, 500);
    if (check.status === 'critical') throw catalogRefusal(`Check '${checkId}' is in critical state`, 500);
  }
  const index = draft.writeIndex();
  const nowMs = context.nowMs();
  const expiresAtMs = ttlMs === 0 ? null : nowMs + ttlMs * sessionTtlMultiplier;
  const session: CatalogSession = {
    id: context.newSessionId(),
    name: request.name ?? '',
    node,
    lockDelayMs: Math.min(Math.max(request.lockDelayMs ?? defaultLockDelayMs, 0), maxLockDelayMs),
    behavior: request.behavior ?? 'release',
    ttlMs: ttlMs === 0 ? null : ttlMs,
    nodeChecks,
    serviceChecks,
    createIndex: index,
    modifyIndex: index,
    expiresAtMs,
  };
  draft.sessions.set(session.id, session);
  draft.touch(topicKeys.sessions);
  if (expiresAtMs !== null) draft.effects.push(() => context.setSessionDeadline(session.id, expiresAtMs));
  return session;
}

/** Invalidates a session: its keys are released (or deleted), the lock-delay applies to them. False when unknown. */
export function invalidateSession(draft: CatalogDraft, sessionId: string, context: SessionWriteContext): boolean {
  const session = draft.sessions.get(sessionId);
  if (!session) return false;
  draft.sessions.delete(sessionId);
  draft.touch(topicKeys.sessions);
  const nowMs = context.nowMs();
  const heldKeys = draft.kv
    .values()
    .filter((entry) => entry.session === sessionId)
    .map((entry) => entry.key);
  for (const key of heldKeys) {
    const entry = draft.kv.get(key);
    if (!entry) continue;
    if (session.behavior === 'delete') deleteEntry(draft, key, nowMs);
    else writeEntry(draft, key, { value: entry.value, flags: entry.flags, session: null, lockIndex: entry.lockIndex });
  }
  draft.effects.push(() => {
    context.setSessionDeadline(sessionId, undefined);
    if (session.lockDelayMs > 0) for (const key of heldKeys) context.setLockDelay(key, nowMs + session.lockDelayMs);
  });
  return true;
}

/** Invalidates every session that names the check (it went critical, or away). */
export function invalidateSessionsOfCheck(draft: CatalogDraft, checkId: string, context: SessionWriteContext): void {
  const dependent = draft.sessions
    .values()
    .filter((session) => session.nodeChecks.includes(checkId) || session.serviceChecks.includes(checkId));
  for (const session of dependent) invalidateSession(draft, session.id, context);
}

/** A renewed session as it reads now (its lapse pushed back), or undefined when unknown. Writes nothing. */
export function renewedSession(session: CatalogSession, nowMs: number): CatalogSession {
  if (session.ttlMs === null) return session;
  return { ...session, expiresAtMs: nowMs + session.ttlMs * sessionTtlMultiplier };
}
