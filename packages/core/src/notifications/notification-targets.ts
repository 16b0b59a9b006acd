/**
 * Notification targets of a project (optionally of one of its environments): added with their secret parts sealed,
 * listed without them, removed. A URL that is not http(s) or carries credentials is refused before anything is
 * stored, and no message here ever repeats a URL's path, query or a secret.
 */
import {
  notificationEventKinds,
  SlipwayError,
  type AddNotificationTargetBody,
  type NotificationTargetView,
} from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { NotificationDestination } from '../ports/notifier.js';
import { dataKeyOfRecord, openRecordSecret, sealRecordSecret } from '../secrets/sealed-record-secret.js';
import type { NotificationTargetRecord, SealedTargetSecret } from './notification-records.js';

type TargetDeps = Pick<CoreDeps, 'store' | 'secretCipher' | 'ids' | 'clock'>;

/** What is sealed: the parts of a destination that are secret (a Slack URL is a credential on its own). */
type SecretParts = { url: string; secret?: string };

const sealedName = 'notification-target';

/**
 * The URL's scheme and host (with a port when it has one): what may be shown of it. Errors:
 * `NOTIFICATION_TARGET_INVALID` when it does not parse, is not http(s) or carries a user or password.
 */
export function checkNotificationUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SlipwayError('NOTIFICATION_TARGET_INVALID', 'the notification URL is not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SlipwayError('NOTIFICATION_TARGET_INVALID', 'the notification URL must use http or https', {
      details: { field: 'url' },
    });
  }
  if (url.username !== '' || url.password !== '') {
    throw new SlipwayError(
      'NOTIFICATION_TARGET_INVALID',
      'the notification URL must not carry credentials (user:password@); a webhook authenticates with its signing secret',
      { details: { field: 'url' } },
    );
  }
  return `${url.protocol}//${url.host}`;
}

function sealParts(
  deps: TargetDeps,
  target: Pick<NotificationTargetRecord, 'id' | 'projectId'>,
  parts: SecretParts,
): SealedTargetSecret {
  return sealRecordSecret(deps, target, sealedName, JSON.stringify(parts));
}

/**
 * The destination with its secret parts opened, for one send. Errors: `SECRET_UNREADABLE` when the sealed parts do
 * not open (a master key no longer held, tampering).
 */
export function openDestination(
  deps: Pick<CoreDeps, 'secretCipher'>,
  target: NotificationTargetRecord,
): NotificationDestination {
  if (target.kind === 'email') return { kind: 'email', to: target.destination };
  if (target.sealed === null) {
    throw new SlipwayError('SECRET_UNREADABLE', `notification target ${target.id} has no sealed destination`);
  }
  const opened = openRecordSecret(deps, target, sealedName, target.sealed);
  const parts = JSON.parse(opened) as SecretParts;
  return target.kind === 'webhook'
    ? { kind: 'webhook', url: parts.url, secret: parts.secret ?? '' }
    : { kind: 'slack', url: parts.url };
}

/**
 * Adds a target to the project (and environment, when given); every event kind when `events` is absent.
 * Errors: `PROJECT_NOT_FOUND`, `ENVIRONMENT_NOT_FOUND`, `NOTIFICATION_TARGET_INVALID` (nothing stored).
 */
export async function addNotificationTarget(
  deps: TargetDeps,
  body: AddNotificationTargetBody,
): Promise<NotificationTargetView> {
  const project = await deps.store.projects.findByName(body.project);
  if (!project) throw new SlipwayError('PROJECT_NOT_FOUND', `project ${body.project} not found`);
  let environment: { id: string; name: string } | null = null;
  if (body.environment !== undefined) {
    const found = await deps.store.environments.find(project.id, body.environment);
    if (!found) {
      throw new SlipwayError(
        'ENVIRONMENT_NOT_FOUND',
        `environment ${body.environment} not found in project ${project.name}`,
      );
    }
    environment = found;
  }
  const id = deps.ids.next('ntf');
  const scope = { id, projectId: project.id };
  const { target } = body;
  let destination: string;
  let sealed: SealedTargetSecret | null = null;
  switch (target.kind) {
    case 'webhook':
      destination = checkNotificationUrl(target.url);
      sealed = sealParts(deps, scope, { url: target.url, secret: target.secret });
      break;
    case 'slack':
      destination = checkNotificationUrl(target.url);
      sealed = sealParts(deps, scope, { url: target.url });
      break;
    case 'email':
      destination = target.to;
      break;
  }
  const record: NotificationTargetRecord = {
    ...scope,
    environmentId: environment?.id ?? null,
    kind: target.kind,
    destination,
    events: body.events === undefined ? [...notificationEventKinds] : [...new Set(body.events)],
    sealed,
    createdAtMs: deps.clock.nowMs(),
  };
  await deps.store.notifications.insertTarget(record);
  return toTargetView(record, project.name, environment?.name ?? null);
}

/** The targets of every project, or of one. Errors: `PROJECT_NOT_FOUND` when the named project does not exist. */
export async function listNotificationTargets(
  deps: Pick<CoreDeps, 'store'>,
  projectName?: string,
): Promise<NotificationTargetView[]> {
  let projectId: string | undefined;
  if (projectName !== undefined) {
    const project = await deps.store.projects.findByName(projectName);
    if (!project) throw new SlipwayError('PROJECT_NOT_FOUND', `project ${projectName} not found`);
    projectId = project.id;
  }
  const records = await deps.store.notifications.listTargets(projectId);
  const names = await scopeNames(deps);
  return records.map((r) =>
    toTargetView(
      r,
      names.projects.get(r.projectId) ?? r.projectId,
      r.environmentId && (names.environments.get(r.environmentId) ?? r.environmentId),
    ),
  );
}

/** One target's view. Errors: `NOTIFICATION_TARGET_NOT_FOUND`. */
export async function getNotificationTarget(
  deps: Pick<CoreDeps, 'store'>,
  id: string,
): Promise<NotificationTargetView> {
  const record = await deps.store.notifications.findTarget(id);
  if (!record) throw new SlipwayError('NOTIFICATION_TARGET_NOT_FOUND', `notification target ${id} not found`);
  const names = await scopeNames(deps);
  return toTargetView(
    record,
    names.projects.get(record.projectId) ?? record.projectId,
    record.environmentId && (names.environments.get(record.environmentId) ?? record.environmentId),
  );
}

/**
 * Removes a target; deliveries to it still pending fail at their next attempt, and the history stays. Errors:
 * `NOTIFICATION_TARGET_NOT_FOUND` (also when asked again).
 */
export async function removeNotificationTarget(deps: Pick<CoreDeps, 'store'>, id: string): Promise<void> {
  if (!(await deps.store.notifications.deleteTarget(id))) {
    throw new SlipwayError('NOTIFICATION_TARGET_NOT_FOUND', `notification target ${id} not found`);
  }
}

/** Targets re-wrapped per batch of a master-key rotation. */
const rewrapBatchSize = 100;

/**
 * Re-wraps the data key of every sealed target under the current master key (a master-key rotation does it with the
 * app environments' data keys). Idempotent; returns how many it re-wrapped. Errors: `SECRET_UNREADABLE` when a
 * target's key opens under no held master key.
 */
export async function rewrapNotificationTargets(deps: Pick<CoreDeps, 'store' | 'secretCipher'>): Promise<number> {
  let rewrapped = 0;
  for (;;) {
    const batch = await deps.store.notifications.listTargetsNotWrappedBy(
      deps.secretCipher.currentMasterKeyId(),
      rewrapBatchSize,
    );
    if (batch.length === 0) return rewrapped;
    for (const target of batch) {
      if (target.sealed === null) continue;
      const wrapped = deps.secretCipher.rewrap(dataKeyOfRecord(target, target.sealed));
      if (await deps.store.notifications.rewrapTarget(target.id, target.sealed.masterKeyId, wrapped)) rewrapped += 1;
    }
  }
}

/** Project and environment names by id, for views. */
export async function scopeNames(
  deps: Pick<CoreDeps, 'store'>,
): Promise<{ projects: Map<string, string>; environments: Map<string, string> }> {
  const projects = await deps.store.projects.list();
  const environments = new Map<string, string>();
  for (const project of projects) {
    for (const environment of await deps.store.environments.listByProject(project.id)) {
      environments.set(environment.id, environment.name);
    }
  }
  return { projects: new Map(projects.map((p) => [p.id, p.name])), environments };
}

function toTargetView(
  record: NotificationTargetRecord,
  project: string,
  environment: string | null,
): NotificationTargetView {
  return {
    id: record.id,
    project,
    environment,
    kind: record.kind,
    destination: record.destination,
    events: record.events,
    createdAt: new Date(record.createdAtMs).toISOString(),
  };
}
