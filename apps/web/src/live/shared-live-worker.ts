/**
 * The shared worker that holds the live stream for every tab of the dashboard in this browser (docs/live-updates.md,
 * "Many tabs"): a browser opens at most six HTTP/1.1 connections to one host, so one stream per tab would leave the
 * seventh tab without one and its requests waiting.
 * - Each tab sends every topic it reads, and says hello once it holds a Web Lock for its life: the worker forgets the
 *   tab when that lock is free, whatever ended it (no timer a browser could throttle).
 * - The worker carries every tab's topics (16 a stream, as slipwayd allows: more topics, one more stream), while some
 *   tab is shown; when none is, the streams close and reopen where they were.
 * - A tab joining a topic already carried gets it from its start (`rejoin`); a topic no tab reads any more is
 *   forgotten with its cursor.
 * - A `401` is answered here, once: the session is refreshed (one refresher, as a refresh token is single-use) and the
 *   streams start again; a refused refresh, or a `401` again just after one, ends the session in every tab.
 */
import type { SseEvent } from '@slipway/contract/sse-parser';
import type { LiveWorkerMessage, LiveTabMessage } from './live-worker-protocol.js';
import { StreamConnection, topicOf, type LiveState } from './stream-connection.js';

/** The shared worker's global scope, as far as it is used here (the page's DOM types are those in scope). */
declare const self: { onconnect: ((event: MessageEvent) => void) | null };

const maxTopicsPerStream = 16;
/** A `401` this soon after a refresh-driven restart ends the session: the refresh did not help. */
const refreshGraceMs = 10_000;
/** Topics that carry nothing from their start (what comes next only): a second reader is not worth a reopen. */
const noBacklogTopics = new Set(['audit']);

interface Tab {
  readonly port: MessagePort;
  topics: Set<string>;
  isVisible: boolean;
}

const tabs = new Set<Tab>();
const connections: StreamConnection[] = [];
/** Which connection carries each topic: a topic stays on its connection while some tab reads it. */
const carriedBy = new Map<string, StreamConnection>();
let refreshedAtMs = Number.NEGATIVE_INFINITY;
let refreshing: Promise<void> | undefined;

function post(tab: Tab, message: LiveWorkerMessage): void {
  tab.port.postMessage(message);
}

function newConnection(): StreamConnection {
  const connection: StreamConnection = new StreamConnection({
    fetch: (url, init) => fetch(url, init),
    onEvent: (event) => dispatch(event, connection),
    onState: () => broadcastState(),
    onRefused: (status) => {
      if (status === 401) void refreshSession();
    },
  });
  connections.push(connection);
  return connection;
}

/** An event of a topic to the tabs reading it; a stream-wide one (`ready`, `refused`) to the tabs of that stream. */
function dispatch(event: SseEvent, connection: StreamConnection): void {
  const topic = topicOf(event);
  for (const tab of tabs) {
    const isReader =
      topic === undefined ? [...tab.topics].some((t) => carriedBy.get(t) === connection) : tab.topics.has(topic);
    if (isReader) post(tab, { type: 'event', event });
  }
}

/** Refreshes the session once for every stream refused `401`; then starts them again, or ends the session. */
function refreshSession(): Promise<void> {
  refreshing ??= (async () => {
    const isTooSoon = Date.now() - refreshedAtMs < refreshGraceMs;
    const isRefreshed =
      !isTooSoon &&
      (await fetch('/api/v1/auth/web/refresh', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'x-slipway-csrf': '1' },
      })
        .then((response) => response.ok)
        .catch(() => false));
    if (isRefreshed) {
      refreshedAtMs = Date.now();
      for (const connection of connections) if (connection.state === 'stopped') connection.restart();
      reconcile();
    } else {
      for (const tab of tabs) post(tab, { type: 'session-ended' });
    }
  })().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

/** The tabs' one state: stopped or retrying when a stream is, open when every carrying stream is. */
function overallState(): LiveState {
  const states = connections.map((c) => c.state).filter((s) => s !== 'idle');
  if (states.length === 0) return 'idle';
  for (const state of ['stopped', 'retrying', 'connecting'] as const) if (states.includes(state)) return state;
  return 'open';
}

/** When the least recently heard stream that is not open last sent something (what the tabs show holds as of then). */
function heardAtMs(): number | undefined {
  const heard = connections.filter((c) => c.state !== 'open' && c.state !== 'idle').map((c) => c.heardAtMs ?? 0);
  return heard.length === 0 ? undefined : Math.min(...heard) || undefined;
}

function broadcastState(): void {
  const state = overallState();
  for (const tab of tabs) post(tab, { type: 'state', state, heardAtMs: heardAtMs() });
}

/** Carries every tab's topics while some tab is shown: a topic no tab reads leaves (and its cursor is forgotten). */
function reconcile(): void {
  const wanted = new Set<string>();
  for (const tab of tabs) for (const topic of tab.topics) wanted.add(topic);
  const isShown = [...tabs].some((tab) => tab.isVisible);
  for (const [topic, connection] of [...carriedBy]) {
    if (wanted.has(topic)) continue;
    carriedBy.delete(topic);
    connection.forget(topic);
  }
  const load = (connection: StreamConnection) => [...carriedBy.values()].filter((c) => c === connection).length;
  for (const topic of wanted) {
    if (carriedBy.has(topic)) continue;
    carriedBy.set(topic, connections.find((c) => load(c) < maxTopicsPerStream) ?? newConnection());
  }
  for (const connection of connections) {
    const topics = [...carriedBy].filter(([, c]) => c === connection).map(([topic]) => topic);
    connection.setTopics(topics, isShown && topics.length > 0);
  }
}

function forgetTab(tab: Tab): void {
  if (!tabs.delete(tab)) return;
  reconcile();
}

function receive(tab: Tab, message: LiveTabMessage): void {
  switch (message.type) {
    case 'hello':
      // The tab says hello once it holds its lock: this request is granted when the lock is free again, that is when
      // the tab has gone (closed, navigated away, crashed).
      void navigator.locks.request(message.lockName, () => forgetTab(tab));
      return;
    case 'topics': {
      if (!tabs.has(tab)) return;
      const joined = message.topics.filter((topic) => !tab.topics.has(topic));
      tab.topics = new Set(message.topics);
      tab.isVisible = message.isVisible;
      // A topic already carried for another tab starts again from its start, for this one.
      for (const topic of joined) if (!noBacklogTopics.has(topic)) carriedBy.get(topic)?.rejoin(topic);
      reconcile();
      return;
    }
    case 'restart':
      for (const connection of connections) connection.restart();
      reconcile();
      return;
    case 'bye':
      forgetTab(tab);
      return;
  }
}

self.onconnect = (connect: MessageEvent) => {
  const port = connect.ports[0];
  if (port === undefined) return;
  const tab: Tab = { port, topics: new Set(), isVisible: true };
  tabs.add(tab);
  port.onmessage = (event: MessageEvent<LiveTabMessage>) => receive(tab, event.data);
  port.start();
  post(tab, { type: 'state', state: overallState(), heardAtMs: heardAtMs() });
};
