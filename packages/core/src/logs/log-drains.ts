/**
 * Log drains of an app, or of a project (every app of it): added with their URL (and certificate authority) sealed,
 * listed with their delivery status and never their URL, removed. A new drain ships the lines stored from the moment
 * it is added.
 */
import { SlipwayError, type AddLogDrainBody, type LogDrainView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { LogDrainDestination } from '../ports/log-drain-sender.js';
import type { Repositories } from '../ports/store.js';
import { dataKeyOfRecord, openRecordSecret, sealRecordSecret } from '../secrets/sealed-record-secret.js';
import { getApp } from '../use-cases/lookups.js';
import { checkLogDrainUrl } from './log-drain-url.js';
import type { LogDrainRecord } from './log-records.js';

type DrainDeps = Pick<CoreDeps, 'store' | 'secretCipher' | 'ids' | 'clock'>;

const sealedName = 'log-drain';

/** `lagLines` is counted up to this many lines. */
export const maxCountedLagLines = 10_000;

/** What is sealed: the whole URL and the certificate authority (the latter is not secret, but travels with it). */
interface SealedDrainParts {
  url: string;
  caPem?: string;
}

/** Whose lines a drain ships: one app's, or (a project drain) every app's of a project, present and future. */
export type LogDrainOwner = { readonly app: string } | { readonly project: string };

interface ResolvedOwner {
  projectId: string;
  projectName: string;
  /** Null for a project drain. */
  appId: string | null;
  appName: string | null;
  /** `app shop` or `project default`, for messages. */
  label: string;
}

async function resolveOwner(store: Repositories, owner: LogDrainOwner): Promise<ResolvedOwner> {
  if ('app' in owner) {
    const app = await getApp(store, owner.app);
    const project = await store.projects.findById(app.projectId);
    const projectName = project?.name ?? app.projectId;
    return { projectId: app.projectId, projectName, appId: app.id, appName: app.name, label: `app ${app.name}` };
  }
  const project = await store.projects.findByName(owner.project);
  if (!project) {
    throw new SlipwayError('PROJECT_NOT_FOUND', `project ${owner.project} not found`, {
      details: { project: owner.project },
    });
  }
  return {
    projectId: project.id,
    projectName: project.name,
    appId: null,
    appName: null,
    label: `project ${project.name}`,
  };
}

const isOwnedBy = (drain: LogDrainRecord, owner: ResolvedOwner): boolean =>
  drain.projectId === owner.projectId && drain.appId === owner.appId;

/**
 * Adds a drain to the app (or project); it ships the lines stored from now on. Errors: `APP_NOT_FOUND`,
 * `PROJECT_NOT_FOUND`, `LOG_DRAIN_INVALID` (nothing stored).
 */
export async function addLogDrain(deps: DrainDeps, owner: LogDrainOwner, body: AddLogDrainBody): Promise<LogDrainView> {
  const resolved = await resolveOwner(deps.store, owner);
  const checked = checkLogDrainUrl(body.url, body.caPem);
  const id = deps.ids.next('drn');
  const scope = { id, projectId: resolved.projectId };
  const parts: SealedDrainParts = { url: body.url, ...(body.caPem === undefined ? {} : { caPem: body.caPem }) };
  const record: LogDrainRecord = {
    ...scope,
    appId: resolved.appId,
    kind: checked.kind,
    destination: checked.destination,
    sealed: sealRecordSecret(deps, scope, sealedName, JSON.stringify(parts)),
    afterId: await deps.store.logLines.lastId(),
    delivered: 0,
    failed: 0,
    lastErrorCode: null,
    lastError: null,
    lastErrorAtMs: null,
    lastDeliveredAtMs: null,
    createdAtMs: deps.clock.nowMs(),
  };
  await deps.store.logDrains.insert(record);
  return toDrainView(deps.store, record, resolved, body.caPem !== undefined);
}

/**
 * The app's (or project's) drains with their status; a project's are its project drains only. Errors:
 * `APP_NOT_FOUND`, `PROJECT_NOT_FOUND`.
 */
export async function listLogDrains(
  deps: Pick<CoreDeps, 'store' | 'secretCipher'>,
  owner: LogDrainOwner,
): Promise<LogDrainView[]> {
  const resolved = await resolveOwner(deps.store, owner);
  const drains = (await deps.store.logDrains.list(resolved.projectId)).filter((drain) => isOwnedBy(drain, resolved));
  return Promise.all(drains.map(async (drain) => toDrainView(deps.store, drain, resolved, hasCa(deps, drain))));
}

/**
 * Removes one of the app's (or project's) drains; lines not yet shipped are not. Errors: `APP_NOT_FOUND`,
 * `PROJECT_NOT_FOUND`, `LOG_DRAIN_NOT_FOUND`.
 */
export async function removeLogDrain(deps: Pick<CoreDeps, 'store'>, owner: LogDrainOwner, id: string): Promise<void> {
  const resolved = await resolveOwner(deps.store, owner);
  const drain = await deps.store.logDrains.find(id);
  if (drain === undefined || !isOwnedBy(drain, resolved)) {
    throw new SlipwayError('LOG_DRAIN_NOT_FOUND', `${resolved.label} has no log drain ${id}`, {
      details: { id },
    });
  }
  await deps.store.logDrains.remove(id);
}

/** The drain's URL and authority, opened for one send. Errors: `SECRET_UNREADABLE`. */
export function openLogDrain(deps: Pick<CoreDeps, 'secretCipher'>, drain: LogDrainRecord): LogDrainDestination {
  const parts = JSON.parse(openRecordSecret(deps, drain, sealedName, drain.sealed)) as SealedDrainParts;
  return { kind: drain.kind, url: parts.url, ...(parts.caPem === undefined ? {} : { caPem: parts.caPem }) };
}

/**
 * Re-wraps the data key of every drain not wrapped by the current master key (a master-key rotation does it with
 * every other sealed record). Idempotent; returns how many it re-wrapped. Errors: `SECRET_UNREADABLE` when a drain's
 * key opens under no held master key.
 */
export async function rewrapLogDrains(deps: Pick<CoreDeps, 'store' | 'secretCipher'>): Promise<number> {
  const current = deps.secretCipher.currentMasterKeyId();
  let rewrapped = 0;
  for (const drain of await deps.store.logDrains.list()) {
    if (drain.sealed.masterKeyId === current) continue;
    const wrapped = deps.secretCipher.rewrap(dataKeyOfRecord(drain, drain.sealed));
    if (await deps.store.logDrains.rewrap(drain.id, drain.sealed.masterKeyId, wrapped)) rewrapped += 1;
  }
  return rewrapped;
}

/** The apps whose lines the drain ships: its app, or every app of its project. */
export async function appIdsOfDrain(store: Repositories, drain: LogDrainRecord): Promise<string[]> {
  if (drain.appId !== null) return [drain.appId];
  return (await store.apps.list()).filter((app) => app.projectId === drain.projectId).map((app) => app.id);
}

function hasCa(deps: Pick<CoreDeps, 'secretCipher'>, drain: LogDrainRecord): boolean {
  try {
    return openLogDrain(deps, drain).caPem !== undefined;
  } catch {
    return false;
  }
}

const isoOrNull = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

async function toDrainView(
  store: Repositories,
  drain: LogDrainRecord,
  owner: ResolvedOwner,
  withCa: boolean,
): Promise<LogDrainView> {
  const lagLines = await store.logLines.countAfter(
    drain.afterId,
    await appIdsOfDrain(store, drain),
    maxCountedLagLines,
  );
  return {
    id: drain.id,
    project: owner.projectName,
    app: owner.appName,
    kind: drain.kind,
    destination: drain.destination,
    hasCa: withCa,
    afterId: drain.afterId,
    linesShipped: drain.delivered,
    linesFailed: drain.failed,
    lagLines,
    lastSuccessAt: isoOrNull(drain.lastDeliveredAtMs),
    lastError:
      drain.lastError === null || drain.lastErrorAtMs === null
        ? null
        : {
            code: drain.lastErrorCode ?? 'LOG_DRAIN_UNREACHABLE',
            message: drain.lastError,
            at: new Date(drain.lastErrorAtMs).toISOString(),
          },
    createdAt: new Date(drain.createdAtMs).toISOString(),
  };
}
