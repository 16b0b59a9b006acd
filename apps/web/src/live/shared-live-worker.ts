/**
 * The shared worker that holds the live stream for every tab of the dashboard in this browser (docs/live-updates.md,
 * "Many tabs"): a browser opens at most six HTTP/1.1 connections to one host, so one stream per tab would leave the
 * seventh tab without one and its requests waiting. Each tab sends the topics it reads and whether it is visible; the
 * worker carries the union of the visible tabs' topics (16 a stream, as slipwayd allows: more topics, one more
 * stream) and hands each event to the tabs that read its topic. A tab joining a topic already carried gets it from
 * its start (`rejoin`). A tab that closes says so; one silent for 35 s is forgotten.
 */
import type { SseEvent } from '@slipway/contract/sse-parser';
import type { LiveWorkerMessage, LiveTabMessage } from './live-worker-protocol.js';
import { StreamConnection, topicOf, type LiveState } from './stream-connection.js';

/** The shared worker's global scope, as far as it is used here (the page's DOM types are those in scope). */
declare const self: { onconnect: ((event: MessageEvent) => void) | null };

const maxTopicsPerStream = 16;
const silentTabMs = 35_000;

interface Tab {
  readonly port: MessagePort;
  topics: Set<string>;
  isVisible: boolean;
  lastSeenMs: number;
}

const tabs = new Set<Tab>();
const connections: StreamConnection[] = [];
/** Which connection carries each topic: a topic stays on its connection while it is carried. */
const carriedBy = new Map<string, StreamConnection>();

function post(tab: Tab, message: LiveWorkerMessage): void {
  tab.port.postMessage(message);
}

function newConnection(): StreamConnection {
  const connection: StreamConnection = new StreamConnection({
    fetch: (url, init) => fetch(url, init),
    onEvent: (event) => dispatch(event),
    onState: () => broadcastState(),
    // One tab answers a refusal (a refresh token is single-use: two tabs refreshing at once would end the session);
    // it restarts the streams after refreshing, or ends the session.
    onRefused: (status) => {
      const answering = [...tabs].find((tab) => tab.isVisible) ?? [...tabs][0];
      if (answering !== undefined) post(answering, { type: 'refused', status });
    },
  });
  connections.push(connection);
  return connection;
}

function dispatch(event: SseEvent): void {
  const topic = topicOf(event);
  for (const tab of tabs) {
    if (topic === undefined || tab.topics.has(topic)) post(tab, { type: 'event', event });
  }
}

/** The tabs' one state: stopped or retrying when a stream is, open when every carrying stream is. */
function overallState(): LiveState {
  const states = connections.map((c) => c.state).filter((s) => s !== 'idle');
  if (states.length === 0) return 'idle';
  for (const state of ['stopped', 'retrying', 'connecting'] as const) if (states.includes(state)) return state;
  return 'open';
}

let lastState: LiveState = 'idle';
function broadcastState(): void {
  const state = overallState();
  if (state === lastState) return;
  lastState = state;
  for (const tab of tabs) post(tab, { type: 'state', state });
}

/** Carries the visible tabs' topics: a topic no longer read leaves its stream, a new one joins the first with room. */
function reconcile(): void {
  const wanted = new Set<string>();
  for (const tab of tabs) if (tab.isVisible) for (const topic of tab.topics) wanted.add(topic);
  for (const topic of [...carriedBy.keys()]) if (!wanted.has(topic)) carriedBy.delete(topic);
  for (const topic of wanted) {
    if (carriedBy.has(topic)) continue;
    const load = (c: StreamConnection) => [...carriedBy.values()].filter((x) => x === c).length;
    const connection = connections.find((c) => load(c) < maxTopicsPerStream) ?? newConnection();
    carriedBy.set(topic, connection);
  }
  for (const connection of connections) {
    const topics = [...carriedBy].filter(([, c]) => c === connection).map(([topic]) => topic);
    connection.setTopics(topics, topics.length > 0);
  }
}

function receive(tab: Tab, message: LiveTabMessage): void {
  tab.lastSeenMs = Date.now();
  // A tab forgotten (silent too long, or back from the back-forward cache after saying bye) is known again.
  if (message.type !== 'bye') tabs.add(tab);
  switch (message.type) {
    case 'topics': {
      const joined = message.topics.filter((topic) => !tab.topics.has(topic));
      tab.topics = new Set(message.topics);
      tab.isVisible = message.isVisible;
      // A topic already carried for another tab starts again from its start, for this one.
      for (const topic of joined) carriedBy.get(topic)?.rejoin(topic);
      reconcile();
      post(tab, { type: 'state', state: overallState() });
      return;
    }
    case 'restart':
      for (const connection of connections) connection.restart();
      reconcile();
      return;
    case 'bye':
      tabs.delete(tab);
      reconcile();
      return;
    case 'ping':
      return;
  }
}

self.onconnect = (connect: MessageEvent) => {
  const port = connect.ports[0];
  if (port === undefined) return;
  const tab: Tab = { port, topics: new Set(), isVisible: true, lastSeenMs: Date.now() };
  tabs.add(tab);
  port.onmessage = (event: MessageEvent<LiveTabMessage>) => receive(tab, event.data);
  port.start();
};

setInterval(() => {
  const now = Date.now();
  let isChanged = false;
  for (const tab of tabs) {
    if (now - tab.lastSeenMs > silentTabMs) {
      tabs.delete(tab);
      isChanged = true;
    }
  }
  if (isChanged) reconcile();
}, silentTabMs / 3);
