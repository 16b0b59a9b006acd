/**
 * The tab's live topics (docs/live-updates.md): every widget subscribes to topics; one stream carries them all.
 * - Where the browser has shared workers, one worker holds the stream for every tab of the dashboard
 *   (`shared-live-worker.ts`): eight tabs open are one stream, not eight of the six connections HTTP/1.1 allows a
 *   host. The tab sends its topics and whether it is shown; a hidden tab's topics are not carried.
 * - Elsewhere the tab holds its own stream (`StreamConnection`), closed while the tab is hidden.
 * - A `401` is answered once by refreshing the session, then the stream starts again; a refused refresh ends the
 *   session (the sign-in page) and nothing is retried. A `403` stops the stream.
 */
import type { SseEvent } from '@slipway/contract/sse-parser';
import { endSession, refreshSession, sessionFetch } from '../api/web-api.js';
import type { LiveTabMessage, LiveWorkerMessage } from './live-worker-protocol.js';
import { StreamConnection, topicOf, type LiveState } from './stream-connection.js';

export type { LiveState } from './stream-connection.js';
export type LiveListener = (event: SseEvent) => void;

const pingIntervalMs = 10_000;

/** Where the tab's topics go: its own stream, or the shared worker. */
interface LiveTransport {
  setTopics(topics: readonly string[], isVisible: boolean): void;
  stop(): void;
  restart(): void;
}

export class LiveStream {
  private readonly listeners = new Map<string, Set<LiveListener>>();
  private readonly stateListeners = new Set<(state: LiveState) => void>();
  private readonly transport: LiveTransport;
  private isStopped = false;
  state: LiveState = 'idle';

  constructor() {
    this.transport = typeof SharedWorker === 'function' ? this.sharedTransport() : this.ownTransport();
    document.addEventListener('visibilitychange', () => this.sendTopics());
  }

  /** Subscribes `listener` to `topic`; the returned function unsubscribes. */
  subscribe(topic: string, listener: LiveListener): () => void {
    let set = this.listeners.get(topic);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(topic, set);
    }
    set.add(listener);
    this.sendTopics();
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(topic);
      this.sendTopics();
    };
  }

  onState(listener: (state: LiveState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Stops for good (the session ended); a later subscription does not reopen it until `restart`. */
  stop(): void {
    this.isStopped = true;
    this.transport.stop();
    this.setState('stopped');
  }

  restart(): void {
    this.isStopped = false;
    this.setState('idle');
    this.transport.restart();
    this.sendTopics();
  }

  private sendTopics(): void {
    if (this.isStopped) return;
    this.transport.setTopics([...this.listeners.keys()].sort(), document.visibilityState !== 'hidden');
  }

  private dispatch(event: SseEvent): void {
    const topic = topicOf(event);
    const targets = topic === undefined ? [...this.listeners.values()] : [this.listeners.get(topic) ?? new Set()];
    for (const set of targets) for (const listener of set) listener(event);
  }

  private setState(state: LiveState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }

  /** A refused stream: one refresh of the session for a `401`, then start again; else the session is over. */
  private async onRefused(status: number, restart: () => void): Promise<void> {
    if (status !== 401) return;
    if (await refreshSession()) restart();
    else endSession();
  }

  private ownTransport(): LiveTransport {
    const connection = new StreamConnection({
      fetch: (url, init) => sessionFetch(url, init),
      onEvent: (event) => this.dispatch(event),
      onState: (state) => this.setState(state),
    });
    return {
      setTopics: (topics, isVisible) => connection.setTopics(topics, isVisible),
      stop: () => connection.stop(),
      restart: () => connection.restart(),
    };
  }

  private sharedTransport(): LiveTransport {
    const worker = new SharedWorker(new URL('./shared-live-worker.ts', import.meta.url), {
      type: 'module',
      name: 'slipway-live',
    });
    const port = worker.port;
    const send = (message: LiveTabMessage): void => port.postMessage(message);
    port.onmessage = (message: MessageEvent<LiveWorkerMessage>) => {
      const data = message.data;
      if (data.type === 'event') this.dispatch(data.event);
      else if (data.type === 'state') {
        if (!this.isStopped) this.setState(data.state);
      } else void this.onRefused(data.status, () => send({ type: 'restart' }));
    };
    port.start();
    setInterval(() => send({ type: 'ping' }), pingIntervalMs);
    window.addEventListener('pagehide', () => send({ type: 'bye' }));
    // Back from the back-forward cache: the worker is told the tab's topics again.
    window.addEventListener('pageshow', (event) => {
      if (event.persisted) this.sendTopics();
    });
    return {
      setTopics: (topics, isVisible) => send({ type: 'topics', topics, isVisible }),
      // This tab reads nothing more; the other tabs' topics stay carried.
      stop: () => send({ type: 'topics', topics: [], isVisible: false }),
      restart: () => send({ type: 'restart' }),
    };
  }
}

export const liveStream = new LiveStream();
