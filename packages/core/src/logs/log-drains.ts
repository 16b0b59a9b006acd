/**
 * An app's log drains: added with their URL (and certificate authority) sealed, listed with their delivery status and
 * never their URL, removed. A new drain ships the lines stored from the moment it is added.
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

/**
 * Adds a drain to the app; it ships the lines stored from now on. Errors: `APP_NOT_FOUND`, `LOG_DRAIN_INVALID`
 * (nothing stored).
 */
export async function addLogDrain(deps: DrainDeps, appName: string, body: AddLogDrainBody): Promise<LogDrainView> {
  const app = await getApp(deps.store, appName);
  const checked = checkLogDrainUrl(body.url, body.caPem);
  const id = deps.ids.next('drn');
  const scope = { id, projectId: app.projectId };
  const parts: SealedDrainParts = { url: body.url, ...(body.caPem === undefined ? {} : { caPem: body.caPem }) };
  const record: LogDrainRecord = {
    ...scope,
    appId: app.id,
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
  return toDrainView(deps.store, record, app.name, body.caPem !== undefined);
}

/** The app's drains with their status. Errors: `APP_NOT_FOUND`. */
export async function listLogDrains(
  deps: Pick<CoreDeps, 'store' | 'secretCipher'>,
  appName: string,
): Promise<LogDrainView[]> {
  const app = await getApp(deps.store, appName);
  const drains = (await deps.store.logDrains.list(app.projectId)).filter((drain) => drain.appId === app.id);
  return Promise.all(drains.map(async (drain) => toDrainView(deps.store, drain, app.name, hasCa(deps, drain))));
}

/** Removes one of the app's drains; lines not yet shipped are not. Errors: `APP_NOT_FOUND`, `LOG_DRAIN_NOT_FOUND`. */
export async function removeLogDrain(deps: Pick<CoreDeps, 'store'>, appName: string, id: string): Promise<void> {
  const app = await getApp(deps.store, appName);
  const drain = await deps.store.logDrains.find(id);
  if (drain?.appId !== app.id) {
    throw new SlipwayError('LOG_DRAIN_NOT_FOUND', `app ${app.name} has no log drain ${id}`, {
      details: { app: app.name, id },
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
  appName: string,
  withCa: boolean,
): Promise<LogDrainView> {
  const lagLines = await store.logLines.countAfter(
    drain.afterId,
    await appIdsOfDrain(store, drain),
    maxCountedLagLines,
  );
  return {
    id: drain.id,
    app: appName,
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
