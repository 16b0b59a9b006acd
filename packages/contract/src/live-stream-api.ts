/**
 * `GET /api/v1/stream?topics=…`: one server-sent-events stream per browser tab, carrying every live view the tab
 * shows. The topic grammar, the event id (an encoding of each resumable topic's cursor, so one `Last-Event-ID` resumes
 * every topic of the stream) and the data of each event; docs/live-updates.md says how they behave.
 */
import { z } from 'zod';
import { appOverviewRowSchema } from './apps-overview-api.js';
import { auditRecordSchema } from './audit-api.js';
import { approvalRequestSchema } from './environments-api.js';
import { roleSchema } from './roles.js';
import { deploymentEventSchema, deploymentSchema, instanceSchema, logLineSchema, releaseSchema } from './resources.js';

/** Topics one stream may carry at most. */
export const maxStreamTopics = 16;

const label = '[a-z][a-z0-9-]{0,39}';
const topicPatterns = {
  apps: new RegExp(`^apps:(${label})(?::(${label}))?$`),
  app: new RegExp(`^app:(${label})(?::(${label}))?$`),
  logs: new RegExp(`^logs:(${label})(?::(${label}))?$`),
  deployment: /^deployment:([A-Za-z0-9_-]{1,64})$/,
} as const;

/**
 * A topic as parsed: `apps:<project>[:<environment>]` (the project's app rows), `app:<app>[:<environment>]` (one app's
 * instances, deployments and releases), `logs:<app>[:<environment>]` (its persisted log lines), `deployment:<id>` (a
 * deployment's phases, log and state), `approvals`, `audit`, `catalog`. The environment defaults to `production`.
 */
export type StreamTopic =
  | { readonly kind: 'apps'; readonly project: string; readonly environment: string }
  | { readonly kind: 'app'; readonly app: string; readonly environment: string }
  | { readonly kind: 'logs'; readonly app: string; readonly environment: string }
  | { readonly kind: 'deployment'; readonly id: string }
  | { readonly kind: 'approvals' }
  | { readonly kind: 'audit' }
  | { readonly kind: 'catalog' };

/** Reads one topic; `undefined` when it is not one. */
export function parseStreamTopic(text: string): StreamTopic | undefined {
  if (text === 'approvals' || text === 'audit' || text === 'catalog') return { kind: text };
  const deployment = topicPatterns.deployment.exec(text);
  if (deployment?.[1] !== undefined) return { kind: 'deployment', id: deployment[1] };
  for (const kind of ['apps', 'app', 'logs'] as const) {
    const match = topicPatterns[kind].exec(text);
    if (match?.[1] === undefined) continue;
    const environment = match[2] ?? 'production';
    return kind === 'apps' ? { kind, project: match[1], environment } : { kind, app: match[1], environment };
  }
  return undefined;
}

/** Topics whose events carry a cursor (a persisted sequence number): they resume exactly after the last one seen. */
export function isResumableTopic(topic: string): boolean {
  return topic.startsWith('logs:') || topic.startsWith('deployment:') || topic === 'audit';
}

const cursorIdPrefix = 'v1';

/**
 * The event id of a stream: `v1` then `;<topic>=<cursor>` for each resumable topic that has one, sorted by topic
 * (`v1;deployment:dep_1=57;logs:shop=48213`). Every event carries the whole map, so the last id a client saw resumes
 * every topic.
 */
export function encodeStreamCursor(cursors: ReadonlyMap<string, number>): string {
  const parts = [...cursors.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [cursorIdPrefix, ...parts.map(([topic, cursor]) => `${topic}=${cursor}`)].join(';');
}

/** Reads an event id back; `undefined` when it is not one this version wrote. */
export function decodeStreamCursor(id: string): Map<string, number> | undefined {
  if (id.length > 4096) return undefined;
  const [prefix, ...parts] = id.split(';');
  if (prefix !== cursorIdPrefix) return undefined;
  const cursors = new Map<string, number>();
  for (const part of parts) {
    const at = part.lastIndexOf('=');
    const topic = part.slice(0, at);
    const cursor = part.slice(at + 1);
    if (at <= 0 || !/^\d{1,15}$/.test(cursor) || parseStreamTopic(topic) === undefined) return undefined;
    cursors.set(topic, Number(cursor));
  }
  return cursors;
}

export const streamQuerySchema = z.object({
  /** Comma-separated topics, at most `maxStreamTopics`. */
  topics: z.string().min(1).max(2048),
  /** The last event id seen, for a client that cannot send `Last-Event-ID` (the header wins). */
  lastEventId: z.string().max(4096).optional(),
});

/** A topic the stream does not carry, and why: the role it needs, or what is missing. */
export const refusedTopicSchema = z.object({
  topic: z.string(),
  code: z.string(),
  message: z.string(),
  /** The role the topic needs (on its project, or globally); absent when the refusal is not about a role. */
  requiredRole: roleSchema.optional(),
});
export type RefusedTopic = z.infer<typeof refusedTopicSchema>;

/** `event: refused` — first, when some topics asked for are not carried. */
export const streamRefusedEventSchema = z.object({ refused: z.array(refusedTopicSchema) });

/** `event: ready` — the topics carried, and the stream's bounds. */
export const streamReadyEventSchema = z.object({
  topics: z.array(z.string()),
  refused: z.array(refusedTopicSchema),
  heartbeatMs: z.number().int(),
  retryMs: z.number().int(),
});

/**
 * `event: apps` — rows of `apps:<project>`: `reset` when the topic (re)starts (refetch the page), `changed` with the
 * rows that changed and the names of apps that are gone.
 */
export const streamAppsEventSchema = z.object({
  topic: z.string(),
  kind: z.enum(['reset', 'changed']),
  rows: z.array(appOverviewRowSchema),
  removed: z.array(z.string()),
});

/** `event: app` — a fresh snapshot of `app:<app>`, on subscription and whenever it changes. */
export const streamAppEventSchema = z.object({
  topic: z.string(),
  row: appOverviewRowSchema,
  instances: z.array(instanceSchema),
  /** The newest deployments (at most 10), newest first. */
  deployments: z.array(deploymentSchema),
  /** The newest releases (at most 10), newest first. */
  releases: z.array(releaseSchema),
});

/** `event: deployment` — one event of the deployment's journal (`event.seq` is its cursor). */
export const streamDeploymentEventSchema = z.object({ topic: z.string(), event: deploymentEventSchema });

/** `event: log` — one persisted log line (`line.id` is its cursor). */
export const streamLogEventSchema = z.object({ topic: z.string(), line: logLineSchema });

/** `event: approvals` — the pending approval requests of the projects the caller reads, on subscription and change. */
export const streamApprovalsEventSchema = z.object({ topic: z.string(), pending: z.array(approvalRequestSchema) });

/** `event: audit` — one new audit record (`record.seq` is its cursor). */
export const streamAuditEventSchema = z.object({ topic: z.string(), record: auditRecordSchema });

/** `event: catalog` — the catalog's services and KV size, on subscription and whenever its index moves. */
export const streamCatalogEventSchema = z.object({
  topic: z.string(),
  index: z.number().int(),
  services: z.array(
    z.object({
      name: z.string(),
      instances: z.number().int(),
      passing: z.number().int(),
      warning: z.number().int(),
      critical: z.number().int(),
    }),
  ),
  kvKeys: z.number().int(),
});

/** `event: gone` — a topic that ended (its app or deployment was deleted); nothing more comes on it. */
export const streamGoneEventSchema = z.object({ topic: z.string(), code: z.string(), message: z.string() });
