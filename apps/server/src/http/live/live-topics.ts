/**
 * The watcher of each kind of topic: what it reads, how often, what wakes it early, and the event each stream gets.
 * Watchers are shared by every stream of the topic (see live-hub.ts); a rendering that depends on the caller (the
 * approvals a stream's principal may read) is done per stream, only when the shared state moved.
 */
import {
  parseStreamTopic,
  type AppOverviewRow,
  type ApprovalRequestView,
  type DeploymentEvent,
  type LogLineView,
} from '@slipway/contract';
import {
  getApp,
  hasRole,
  listApprovals,
  logLineViewOf,
  readAppLiveProbe,
  readAppLiveView,
  readAppsOverviewRows,
  readDeploymentEvents,
  type AppLiveProbe,
  type AppsOverviewDeps,
  type AuditRecord,
  type CoreDeps,
  type AuditLog,
  type CatalogAuthority,
  type Principal,
} from '@slipway/core';
import { auditRecordView } from '../audit/audit-routes.js';
import { summarizeCatalog, type LiveCatalog } from './catalog-summary.js';
import { createCursorWatcher } from './cursor-watcher.js';
import { createStateWatcher, type TopicWatcher } from './state-watcher.js';

export interface LiveTopicDeps {
  readonly deps: CoreDeps;
  readonly overview: AppsOverviewDeps;
  readonly audit: AuditLog;
  /** Absent: the `catalog` topic is refused before a watcher is asked for. */
  readonly catalog: LiveCatalog | undefined;
  /** The catalog authority of a stream's caller: what its `catalog` events hold. */
  readonly catalogAccess: { authorizePrincipal(principal: Principal): Promise<CatalogAuthority> } | undefined;
  /** How often state topics are read while streams listen (ms). */
  readonly stateIntervalMs: number;
  /** How often a project's app rows are read while streams listen (ms). */
  readonly appsIntervalMs: number;
  /** How often resumable topics look for new items no in-process signal announced (ms). */
  readonly pollMs: number;
}

/** Log lines a fresh `logs:` subscription gets first: the newest of the app environment. */
export const freshLogLines = 100;

export function createTopicWatcherFactory(live: LiveTopicDeps): (topic: string, onGone: () => void) => TopicWatcher {
  const { deps } = live;
  const overviewDeps = live.overview;
  return (name, onGone) => {
    const topic = parseStreamTopic(name);
    const options = { topic: name, logger: deps.logger, onGone };
    if (topic === undefined) throw new Error(`not a topic: ${name}`);
    switch (topic.kind) {
      case 'apps':
        return createStateWatcher<Map<string, AppOverviewRow>>(
          {
            intervalMs: live.appsIntervalMs,
            read: async () => new Map((await readAppsOverviewRows(overviewDeps, topic)).map((row) => [row.name, row])),
            digest: (rows) => JSON.stringify([...rows.values()].map(judgedRow)),
            joined: () => ({ event: 'apps', data: { topic: name, kind: 'reset', rows: [], removed: [] } }),
            changed: (rows, previous) => ({
              event: 'apps',
              data: { topic: name, kind: 'changed', ...diffRows(rows, previous) },
            }),
          },
          options,
        );
      case 'app': {
        const snapshot = async (probe: AppLiveProbe) => ({
          event: 'app',
          data: { topic: name, row: probe.row, ...(await readAppLiveView(deps, topic)) },
        });
        return createStateWatcher<AppLiveProbe>(
          {
            intervalMs: live.stateIntervalMs,
            read: () => readAppLiveProbe(overviewDeps, topic),
            // A fresh look at the instances moves the digest too, but only the look travels (`observed`): a client
            // ages the status by its own clock, so it must hear that the status still holds.
            digest: (probe) => `${probe.digest}|${probe.row.observedAt ?? ''}`,
            joined: snapshot,
            changed: (probe, previous) =>
              probe.digest === previous.digest
                ? {
                    event: 'observed',
                    data: { topic: name, observedAt: probe.row.observedAt, staleAfterMs: probe.row.staleAfterMs },
                  }
                : snapshot(probe),
          },
          options,
        );
      }
      case 'approvals': {
        const render = async (pending: ApprovalRequestView[], principal: Parameters<typeof hasRole>[0]) => {
          const projectOf = new Map<string, string | undefined>();
          for (const { app } of pending) {
            if (!projectOf.has(app)) projectOf.set(app, (await deps.store.apps.findByName(app))?.projectId);
          }
          return pending.filter((request) => {
            const projectId = projectOf.get(request.app);
            return projectId !== undefined && hasRole(principal, projectId, 'viewer');
          });
        };
        return createStateWatcher<ApprovalRequestView[]>(
          {
            intervalMs: live.stateIntervalMs,
            read: () => listApprovals(deps, { isAll: false, canRead: () => true }),
            digest: (pending) => JSON.stringify(pending),
            joined: async (pending, sink) => ({
              event: 'approvals',
              data: { topic: name, pending: await render(pending, sink.principal) },
            }),
            changed: async (pending, _previous, sink) => ({
              event: 'approvals',
              data: { topic: name, pending: await render(pending, sink.principal) },
            }),
          },
          options,
        );
      }
      case 'logs':
        return logWatcher(live, name, topic, options);
      case 'deployment':
        return createCursorWatcher<DeploymentEvent>(
          {
            pollMs: live.pollMs,
            event: 'deployment',
            head: async () => {
              let seq = 0;
              for (;;) {
                const events = await readDeploymentEvents(deps, topic.id, seq, 1000);
                seq = events.at(-1)?.seq ?? seq;
                if (events.length < 1000) return seq;
              }
            },
            read: (after, limit) => readDeploymentEvents(deps, topic.id, after, limit),
            fresh: async () => ({ items: [], cursor: 0 }),
            cursorOf: (event) => event.seq,
            dataOf: (event) => ({ event }),
            wake: (listener) => deps.events.subscribe(topic.id, listener),
          },
          options,
        );
      case 'audit':
        return createCursorWatcher<AuditRecord>(
          {
            pollMs: live.pollMs,
            event: 'audit',
            head: async () => (await live.audit.list({ order: 'newest-first', limit: 1 }))[0]?.seq ?? 0,
            read: (after, limit) => live.audit.list({ afterSeq: after, order: 'oldest-first', limit }),
            fresh: async () => ({
              items: [],
              cursor: (await live.audit.list({ order: 'newest-first', limit: 1 }))[0]?.seq ?? 0,
            }),
            cursorOf: (record) => record.seq,
            dataOf: (record) => ({ record: auditRecordView(record) }),
          },
          options,
        );
      case 'catalog': {
        const { catalog, catalogAccess } = live;
        if (catalog === undefined || catalogAccess === undefined) {
          throw new Error('the catalog topic is refused when there is no catalog');
        }
        // The shared state is the index alone; each stream's event is what its caller's rules let it see.
        const render = async (sink: { principal: Principal }) => ({
          event: 'catalog',
          data: { topic: name, ...summarizeCatalog(catalog, await catalogAccess.authorizePrincipal(sink.principal)) },
        });
        return createStateWatcher<number>(
          {
            intervalMs: live.stateIntervalMs,
            read: async () => catalog.index(),
            digest: (index) => String(index),
            joined: (_index, sink) => render(sink),
            changed: (_index, _previous, sink) => render(sink),
          },
          options,
        );
      }
    }
  };
}

function logWatcher(
  live: LiveTopicDeps,
  name: string,
  topic: { app: string; environment: string },
  options: { topic: string; logger: CoreDeps['logger']; onGone: () => void },
): TopicWatcher {
  const { deps } = live;
  // The app is looked up once: its id never changes, and a line of another app never wakes the watcher.
  let appId: string | undefined;
  const filter = async () => {
    appId ??= (await getApp(deps.store, topic.app)).id;
    return { appId, environment: topic.environment };
  };
  return createCursorWatcher<LogLineView>(
    {
      pollMs: live.pollMs,
      event: 'log',
      head: () => deps.store.logLines.lastId(),
      read: async (after, limit) =>
        (await deps.store.logLines.list({ ...(await filter()), afterId: after, order: 'asc', limit })).map(
          logLineViewOf,
        ),
      fresh: async () => {
        // Read before the newest lines: every line up to it is among them or older, so following starts past both.
        const lastBefore = await deps.store.logLines.lastId();
        const newest = await deps.store.logLines.list({ ...(await filter()), order: 'desc', limit: freshLogLines });
        const lines = newest.reverse().map(logLineViewOf);
        return { items: lines, cursor: Math.max(lastBefore, lines.at(-1)?.id ?? 0) };
      },
      cursorOf: (line) => line.id ?? 0,
      dataOf: (line) => ({ line }),
      wake: (listener) =>
        deps.logs?.writer.onStored((lines) => {
          if (appId === undefined || lines.some((line) => line.appId === appId)) listener();
        }) ?? (() => undefined),
    },
    options,
  );
}

/** A row without its observation time: what a change is judged on (the time moves on every probe). */
function judgedRow(row: AppOverviewRow): Omit<AppOverviewRow, 'observedAt'> {
  const { observedAt: _observedAt, ...judged } = row;
  return judged;
}

function diffRows(
  rows: ReadonlyMap<string, AppOverviewRow>,
  previous: ReadonlyMap<string, AppOverviewRow>,
): { rows: AppOverviewRow[]; removed: string[] } {
  const changed: AppOverviewRow[] = [];
  for (const [appName, row] of rows) {
    const before = previous.get(appName);
    if (before === undefined || JSON.stringify(judgedRow(before)) !== JSON.stringify(judgedRow(row))) changed.push(row);
  }
  return { rows: changed, removed: [...previous.keys()].filter((appName) => !rows.has(appName)) };
}
