/**
 * `createCatalog`: the engine behind the `Catalog` interface (catalog.ts). It loads everything from the store, keeps
 * it in memory (reads are synchronous), runs every write through the commit queue (serialized, grouped, durable
 * before it resolves), and wakes the blocking waiters of what a commit touched. Time comes from the clock port.
 */
import { SlipwayError } from '@slipway/contract';
import type { CatalogStore } from '../ports/catalog-store.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Catalog, WatchTopic } from './catalog.js';
import type { CatalogSnapshot } from './catalog-records.js';
import type { CatalogDraft } from './catalog-draft.js';
import { CatalogState } from './catalog-state.js';
import { CatalogWaiters } from './catalog-waiters.js';
import { CommitQueue } from './commit-queue.js';
import { CatalogTimers } from './catalog-timers.js';
import { topicKeyOf, topicKeys } from './catalog-topics.js';
import { createCatalogReads } from './catalog-reads.js';
import { createCatalogWrites, type CatalogWriteContext } from './catalog-writes.js';
import { builtinRecords, emptySnapshot, restoredSnapshot, type CatalogNodeSettings } from './catalog-builtins.js';
import { updateCheck } from './service-writes.js';
import { invalidateSession, sessionTtlMultiplier } from './session-writes.js';

export type { CatalogNodeSettings } from './catalog-builtins.js';

export interface CatalogDeps {
  store: CatalogStore;
  clock: Clock;
  logger: Logger;
  /** The datacenter it names itself (`--datacenter`). */
  datacenter: string;
  node: CatalogNodeSettings;
  /** Session ids (UUIDs); crypto's by default. */
  newSessionId?: () => string;
  /** How long a tombstone is kept before it is reaped (Consul: about 15 minutes). */
  tombstoneTtlMs?: number;
}

/** The engine: the catalog, and what its host (and its tests) drive besides. */
export interface CatalogEngine extends Catalog {
  /** Runs what is due by the clock now (TTL checks, TTL sessions, tombstone reaping); the timer calls it. */
  runDueTimers(): Promise<void>;
  /** Commits stored and writes they held since start (how well writes are grouped). */
  commitStats(): { commits: number; writes: number };
}

const defaultTombstoneTtlMs = 15 * 60_000;

function isTopicList(topic: WatchTopic | readonly WatchTopic[]): topic is readonly WatchTopic[] {
  return Array.isArray(topic);
}

export async function createCatalog(deps: CatalogDeps): Promise<CatalogEngine> {
  const { store, clock, logger } = deps;
  const tombstoneTtlMs = deps.tombstoneTtlMs ?? defaultTombstoneTtlMs;
  const loaded = await store.load();
  const state = new CatalogState(loaded ?? emptySnapshot(deps.datacenter, deps.node));
  const waiters = new CatalogWaiters();
  let isClosed = false;
  /** Blocking waits in progress (one per call, whatever its topics). */
  let blocked = 0;
  const timers = new CatalogTimers({
    clock,
    reapIntervalMs: Math.min(60_000, tombstoneTtlMs),
    onDue: () => {
      runDueTimers().catch((error: unknown) => logger.warn({ err: error }, 'catalog timers failed'));
    },
  });
  const queue = new CommitQueue({
    store,
    state,
    waiters,
    logger,
    onApplied: (_draft: CatalogDraft) => timers.schedule(),
  });
  const context: CatalogWriteContext = {
    nowMs: () => clock.nowMs(),
    newSessionId: deps.newSessionId ?? (() => globalThis.crypto.randomUUID()),
    setLockDelay: (key, untilMs) => timers.setLockDelay(key, untilMs),
    lockDelayUntilMs: (key) => timers.lockDelayUntilMs(key),
    setSessionDeadline: (id, atMs) => timers.setSessionDeadline(id, atMs),
    setCheckDeadline: (id, atMs) => timers.setCheckDeadline(id, atMs),
  };

  function write<T>(run: (draft: CatalogDraft) => T): Promise<T> {
    if (isClosed) return Promise.reject(new SlipwayError('CATALOG_DISABLED', 'the catalog is closed'));
    return queue.write(run);
  }

  /** Every TTL starts again at start and after a restore (deadlines are not stored). */
  function restartDeadlines(): void {
    const nowMs = clock.nowMs();
    timers.clearAll();
    for (const check of state.checks.values()) {
      if (check.definition.type === 'ttl') timers.setCheckDeadline(check.checkId, nowMs + check.definition.ttlMs);
    }
    for (const session of state.sessions.values()) {
      if (session.ttlMs !== null) timers.setSessionDeadline(session.id, nowMs + session.ttlMs * sessionTtlMultiplier);
    }
    timers.schedule();
  }

  async function runDueTimers(): Promise<void> {
    if (isClosed) return;
    const nowMs = clock.nowMs();
    const checkIds = timers.due(timers.checkDeadlines, nowMs);
    const sessionIds = timers.due(timers.sessionDeadlines, nowMs);
    const isReapDue = timers.takeReapDue(nowMs);
    for (const id of checkIds) timers.setCheckDeadline(id, undefined);
    for (const id of sessionIds) timers.setSessionDeadline(id, undefined);
    if (checkIds.length === 0 && sessionIds.length === 0 && !isReapDue) {
      timers.schedule();
      return;
    }
    await write((draft) => {
      for (const checkId of checkIds) {
        const check = draft.checks.get(checkId);
        if (!check || check.definition.type !== 'ttl') continue;
        const output =
          check.output === '' ? 'TTL expired' : `TTL expired (last output before timeout follows): ${check.output}`;
        updateCheck(draft, checkId, 'critical', output, context);
        draft.effects.push(() => timers.setCheckDeadline(checkId, undefined));
      }
      for (const sessionId of sessionIds) invalidateSession(draft, sessionId, context);
      if (isReapDue) {
        for (const tombstone of draft.tombstones.values()) {
          if (tombstone.deletedAtMs + tombstoneTtlMs <= nowMs) draft.tombstones.delete(tombstone.key);
        }
      }
    });
    timers.schedule();
  }

  // The node, its `serfHealth` check and the `consul` service, as this slipwayd is configured now.
  await queue.write((draft) => builtinRecords(draft, deps.datacenter, deps.node, context));
  restartDeadlines();

  const reads = createCatalogReads(state);
  const writes = createCatalogWrites(write, context);

  function topicIndex(topic: WatchTopic): number {
    switch (topic.kind) {
      case 'key':
        return state.keyIndex(topic.key);
      case 'prefix':
        return state.prefixIndex(topic.prefix);
      case 'service':
        return state.serviceIndex(topic.name);
      case 'node':
        return state.nodeIndex();
      case 'services':
        return state.topicIndex(topicKeys.services);
      case 'nodes':
        return state.topicIndex(topicKeys.nodes);
      case 'checks':
        return state.topicIndex(topicKeys.checks);
      case 'sessions':
        return state.topicIndex(topicKeys.sessions);
    }
  }

  return {
    datacenter: deps.datacenter,
    get node() {
      return state.node;
    },
    index: () => Math.max(1, state.index),
    ...reads,
    ...writes,

    waitFor(topic, afterIndex, signal) {
      const topics: readonly WatchTopic[] = isTopicList(topic) ? topic : [topic];
      if (isClosed || signal.aborted || afterIndex > state.index) return Promise.resolve();
      if (topics.some((one) => topicIndex(one) > afterIndex)) return Promise.resolve();
      return new Promise<void>((resolve) => {
        // The abort listener is left on the signal when a write wakes the waiter: removing a listener from an
        // AbortSignal costs tens of microseconds in Node, which 5,000 woken watchers would pay in one go; a later
        // abort finds the waiter gone and the promise settled, and the listener goes with the request's signal.
        let isWaiting = true;
        const done = () => {
          if (!isWaiting) return;
          isWaiting = false;
          blocked -= 1;
          for (const remove of removers) remove();
          resolve();
        };
        blocked += 1;
        const removers = topics.map((one) => waiters.add(topicKeyOf(one), done));
        signal.addEventListener('abort', done, { once: true });
      });
    },
    waiterCount: () => blocked,

    snapshot: () => state.snapshot(),
    restore(snapshot: CatalogSnapshot) {
      if (isClosed) return Promise.reject(new SlipwayError('CATALOG_DISABLED', 'the catalog is closed'));
      return queue.exclusive(async () => {
        const restored = restoredSnapshot(snapshot, state, clock.nowMs());
        await store.replace(restored);
        state.load(restored);
        state.raiseTables(restored.index);
        restartDeadlines();
        waiters.wakeAll();
      });
    },
    async close() {
      if (isClosed) return;
      isClosed = true;
      timers.close();
      waiters.wakeAll();
      await queue.settled();
    },
    runDueTimers,
    commitStats: () => ({ commits: queue.commits, writes: queue.writesCommitted }),
  };
}
