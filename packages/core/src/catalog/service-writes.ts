/**
 * Service and check writes into a draft, with Consul's agent rules: re-registering a service replaces it but keeps
 * the status and output of the checks it keeps (agent.go's check state snapshot); `replaceExistingChecks` drops the
 * ones it no longer has; a check of an unknown service is refused; a write that changes nothing takes no index; a
 * check going critical or away invalidates the sessions that name it.
 */
import type { CheckRegistration, ServiceRegistration } from './catalog.js';
import type { CatalogDraft } from './catalog-draft.js';
import type { CheckRecord, CheckStatus, ServiceRecord } from './catalog-records.js';
import { catalogRefusal } from './catalog-errors.js';
import { topicKeys } from './catalog-topics.js';
import { sameRecord } from './canonical-json.js';
import { checkOutputMaxBytes } from '../ports/catalog-check-runner.js';
import { invalidateSessionsOfCheck, type SessionWriteContext } from './session-writes.js';

export interface ServiceWriteContext extends SessionWriteContext {
  /** When a TTL check goes critical unless updated (undefined: no TTL, or gone). */
  setCheckDeadline(checkId: string, atMs: number | undefined): void;
}

export function registerService(
  draft: CatalogDraft,
  registration: ServiceRegistration,
  replaceExistingChecks: boolean,
  context: ServiceWriteContext,
): void {
  if (registration.name === '') throw catalogRefusal('Missing service name', 400);
  if (registration.id === '') throw catalogRefusal('Missing service ID', 400);
  const existing = draft.services.get(registration.id);
  const { checks: _checks, ...fields } = registration;
  const candidate: ServiceRecord = { ...fields, createIndex: 0, modifyIndex: 0 };
  let service = existing;
  if (!existing || !sameService(existing, candidate)) {
    const index = draft.writeIndex();
    service = { ...candidate, createIndex: existing?.createIndex ?? index, modifyIndex: index };
    draft.services.set(service.id, service);
    touchService(draft, service.name);
    if (existing && existing.name !== service.name) touchService(draft, existing.name);
  }
  const current = service as ServiceRecord;
  const kept = new Set(registration.checks.map((check) => check.checkId));
  for (const check of checksOf(draft, current.id)) {
    const isMaintenance = check.definition.type === 'maintenance';
    if (replaceExistingChecks && !kept.has(check.checkId) && !isMaintenance) deleteCheck(draft, check.checkId, context);
    else if (!kept.has(check.checkId)) relabelCheck(draft, check, current);
  }
  for (const check of registration.checks) {
    const previous = draft.checks.get(check.checkId);
    const restored =
      previous && previous.serviceId === current.id
        ? { ...check, serviceId: current.id, status: previous.status, output: previous.output }
        : { ...check, serviceId: current.id };
    writeCheck(draft, restored, context);
  }
}

export function deregisterService(draft: CatalogDraft, serviceId: string, context: ServiceWriteContext): boolean {
  const service = draft.services.get(serviceId);
  if (!service) return false;
  for (const check of checksOf(draft, serviceId)) deleteCheck(draft, check.checkId, context);
  draft.services.delete(serviceId);
  touchService(draft, service.name);
  return true;
}

/** Registers (or replaces) one check as given (its status is the registration's). */
export function writeCheck(
  draft: CatalogDraft,
  registration: CheckRegistration,
  context: ServiceWriteContext,
): CheckRecord {
  let service: ServiceRecord | undefined;
  if (registration.serviceId !== '') {
    service = draft.services.get(registration.serviceId);
    if (!service) throw catalogRefusal(`ServiceID "${registration.serviceId}" does not exist`, 500);
  }
  const existing = draft.checks.get(registration.checkId);
  const nowMs = context.nowMs();
  const ttlAtMs = registration.definition.type === 'ttl' ? nowMs + registration.definition.ttlMs : undefined;
  draft.effects.push(() => context.setCheckDeadline(registration.checkId, ttlAtMs));
  const candidate: CheckRecord = {
    checkId: registration.checkId,
    name: registration.name,
    status: registration.status,
    notes: registration.notes,
    output: boundOutput(registration.output ?? ''),
    serviceId: registration.serviceId,
    serviceName: service?.name ?? '',
    serviceTags: service?.tags ?? [],
    definition: registration.definition,
    createIndex: 0,
    modifyIndex: 0,
    ttlExpiresAtMs: ttlAtMs ?? null,
  };
  if (existing && sameCheck(existing, candidate)) return existing;
  const index = draft.writeIndex();
  const record: CheckRecord = { ...candidate, createIndex: existing?.createIndex ?? index, modifyIndex: index };
  draft.checks.set(record.checkId, record);
  touchCheck(draft, record);
  if (existing && existing.serviceId !== record.serviceId) touchCheck(draft, existing);
  if (record.status === 'critical' && existing?.status !== 'critical') {
    invalidateSessionsOfCheck(draft, record.checkId, context);
  }
  return record;
}

export function deleteCheck(draft: CatalogDraft, checkId: string, context: ServiceWriteContext): boolean {
  const check = draft.checks.get(checkId);
  if (!check) return false;
  draft.checks.delete(checkId);
  touchCheck(draft, check);
  invalidateSessionsOfCheck(draft, checkId, context);
  draft.effects.push(() => context.setCheckDeadline(checkId, undefined));
  return true;
}

/**
 * Sets a check's status and output. The same status and output write nothing; a new output alone is stored without
 * raising any index (nobody is woken: Consul syncs output-only changes lazily); a new status raises the index.
 * A TTL check's deadline restarts either way.
 */
export function updateCheck(
  draft: CatalogDraft,
  checkId: string,
  status: CheckStatus,
  output: string,
  context: ServiceWriteContext,
): CheckRecord | undefined {
  const existing = draft.checks.get(checkId);
  if (!existing) return undefined;
  const nowMs = context.nowMs();
  const ttlAtMs = existing.definition.type === 'ttl' ? nowMs + existing.definition.ttlMs : undefined;
  if (ttlAtMs !== undefined) draft.effects.push(() => context.setCheckDeadline(checkId, ttlAtMs));
  const bounded = boundOutput(output);
  if (existing.status === status && existing.output === bounded) return existing;
  if (existing.status === status) {
    const record = { ...existing, output: bounded };
    draft.checks.set(checkId, record);
    return record;
  }
  const record: CheckRecord = {
    ...existing,
    status,
    output: bounded,
    modifyIndex: draft.writeIndex(),
    ttlExpiresAtMs: ttlAtMs ?? null,
  };
  draft.checks.set(checkId, record);
  touchCheck(draft, record);
  if (status === 'critical') invalidateSessionsOfCheck(draft, checkId, context);
  return record;
}

/** The checks of one service, in check id order. */
export function checksOf(draft: CatalogDraft, serviceId: string): CheckRecord[] {
  return draft.checks
    .values()
    .filter((check) => check.serviceId === serviceId)
    .sort((a, b) => (a.checkId < b.checkId ? -1 : 1));
}

/** Bounds an output to `checkOutputMaxBytes` of UTF-8, cutting on a character. */
export function boundOutput(output: string): string {
  if (output.length <= checkOutputMaxBytes / 4) return output;
  const bytes = new TextEncoder().encode(output);
  if (bytes.byteLength <= checkOutputMaxBytes) return output;
  return new TextDecoder().decode(bytes.subarray(0, checkOutputMaxBytes)).replace(/\uFFFD$/, '');
}

/** A check kept across a service's re-registration carries the service's name and tags as they now are. */
function relabelCheck(draft: CatalogDraft, check: CheckRecord, service: ServiceRecord): void {
  if (check.serviceName === service.name && sameList(check.serviceTags, service.tags)) return;
  const record = { ...check, serviceName: service.name, serviceTags: service.tags, modifyIndex: draft.writeIndex() };
  draft.checks.set(record.checkId, record);
  touchCheck(draft, record);
}

function touchService(draft: CatalogDraft, name: string): void {
  draft.touch(topicKeys.services);
  draft.touch(topicKeys.service(name));
  draft.touch(topicKeys.node(draft.node.name));
}

function touchCheck(draft: CatalogDraft, check: CheckRecord): void {
  draft.touch(topicKeys.checks);
  draft.touch(check.serviceId === '' ? topicKeys.nodeChecks : topicKeys.service(check.serviceName));
  draft.touch(topicKeys.node(draft.node.name));
}

function sameService(a: ServiceRecord, b: ServiceRecord): boolean {
  return sameRecord({ ...a, createIndex: 0, modifyIndex: 0 }, { ...b, createIndex: 0, modifyIndex: 0 });
}

function sameCheck(a: CheckRecord, b: CheckRecord): boolean {
  const strip = (check: CheckRecord) => ({ ...check, createIndex: 0, modifyIndex: 0, ttlExpiresAtMs: null });
  return sameRecord(strip(a), strip(b));
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
