/**
 * One audit record per state-changing request: every route of the permission table that is not GET or HEAD, whatever
 * its outcome (succeeded, failed validation, refused 401/403/429 …), appended before the answer leaves. A record
 * holds the route's action, the target named by the path (or a create's name), the source IP and request id — never
 * a body, a header or a query value, so no password, token or secret value can reach it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditOutcome } from '@slipway/contract';
import type { AuditLog, AuditTarget, CoreDeps } from '@slipway/core';
import type { AuditRecorder } from '../../audit-recorder.js';
import { actorOfRequest } from '../auth/request-principal.js';
import { permissionOf } from '../auth/route-permissions.js';
import { installRequestContext } from './request-context.js';

const deniedCodes: ReadonlySet<string> = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED']);
/** Creates whose body `name` is the target's name (a name, never a secret). */
const createTargets: Readonly<Record<string, string>> = {
  'apps.create': 'app',
  'projects.create': 'project',
  'users.create': 'user',
};

/** Installs the audit hooks; call after the auth hooks and before the routes. */
export function installAudit(
  app: FastifyInstance,
  context: { readonly audit: AuditLog; readonly auditRecorder: AuditRecorder; readonly deps: Pick<CoreDeps, 'clock'> },
): void {
  const recorder = context.auditRecorder;
  const nowMs = (): number => context.deps.clock.nowMs();
  installRequestContext(app);
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method === 'GET' || request.method === 'HEAD') return payload;
    const url = request.routeOptions.url;
    if (url === undefined) return payload;
    const permission = request.permission ?? permissionOf(request);
    if (permission === undefined) return payload;
    const { outcome, errorCode } = outcomeOf(reply, payload);
    // A route that records what it accepts itself (the webhook inbox) leaves only its refusals to the audit log.
    if (permission.audit === 'refusals' && outcome === 'success') return payload;
    await recorder.appendRequest({
      atMs: nowMs(),
      kind: 'request',
      actor: actorOfRequest(request),
      action: permission.action,
      target: targetOf(request, permission.action),
      sourceIp: request.ip,
      requestId: String(request.id),
      outcome,
      errorCode,
      details: detailsOf(request, reply, url),
    });
    return payload;
  });
}

function outcomeOf(reply: FastifyReply, payload: unknown): { outcome: AuditOutcome; errorCode: string | null } {
  if (reply.statusCode < 400) return { outcome: 'success', errorCode: null };
  const errorCode = errorCodeOf(payload);
  return { outcome: errorCode !== null && deniedCodes.has(errorCode) ? 'denied' : 'failed', errorCode };
}

/** The code of an error answer (`{ error: { code } }`, serialized by the error handler). */
function errorCodeOf(payload: unknown): string | null {
  if (typeof payload !== 'string') return null;
  try {
    const parsed = JSON.parse(payload) as { error?: { code?: unknown } };
    return typeof parsed.error?.code === 'string' ? parsed.error.code : null;
  } catch {
    return null;
  }
}

function targetOf(request: FastifyRequest, action: string): AuditTarget | null {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const param = (name: string): string | undefined => {
    const value = params[name];
    return typeof value === 'string' && value.length > 0 ? value.slice(0, 200) : undefined;
  };
  const app = param('app');
  if (app !== undefined) return { kind: 'app', id: app };
  const user = param('user');
  if (user !== undefined) return { kind: 'user', id: user };
  const id = param('id');
  if (id !== undefined) return { kind: action.startsWith('tokens.') ? 'token' : 'deployment', id };
  // A KV edit names its key in the body (put) or the query (delete): a key's name, never its value.
  if (action.startsWith('catalog.kv.')) {
    const key = ((request.body ?? request.query) as { key?: unknown } | null | undefined)?.key;
    if (typeof key === 'string' && key.length > 0) return { kind: 'catalog-key', id: key.slice(0, 200) };
  }
  const kind = createTargets[action];
  const body = request.body as { name?: unknown } | null | undefined;
  if (kind !== undefined && typeof body?.name === 'string' && body.name.length <= 100) {
    return { kind, id: body.name };
  }
  return null;
}

function detailsOf(request: FastifyRequest, reply: FastifyReply, url: string): Record<string, unknown> {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const details: Record<string, unknown> = { method: request.method, route: url, status: reply.statusCode };
  // A secret's name (never its value, which travels only in the body).
  if (typeof params.name === 'string') details.secret = params.name.slice(0, 200);
  return details;
}
