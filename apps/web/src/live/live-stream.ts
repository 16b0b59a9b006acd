/**
 * The tab's live topics (docs/live-updates.md): every widget subscribes to topics; one stream carries them all.
 * - Where the browser has shared workers and Web Locks, one worker holds the stream for every tab of the dashboard
 *   (`shared-live-worker.ts`): eight tabs open are one stream, not eight of the six connections HTTP/1.1 allows a
 *   host. The tab sends its topics and whether it is shown; the worker refreshes the session on a `401` and says when
 *   it has ended.
 * - Elsewhere (or when the worker cannot start) the tab holds its own stream (`StreamConnection`), closed while the
 *   tab is hidden; a `401` is answered by one refresh of the session (`sessionFetch`).
 * - A refused refresh ends the session (the sign-in page) and nothing is retried. A `403` stops the stream.
 */
import type { SseEvent } from '@slipway/contract/sse-parser';
import { endSession, sessionFetch } from '../api/web-api.js';
import type { LiveTabMessage, LiveWorkerMessage } from './live-worker-protocol.js';
import { StreamConnection, topicOf, type LiveState } from './stream-connection.js';

export type { LiveState } from './stream-connection.js';
export type LiveListener = (event: SseEvent) => void;

/** Where the tab's topics go: its own stream, or the shared worker. */
interface LiveTransport {
  setTopics(topics: readonly string[], isVisible: boolean): void;
  stop(): void;
  restart(): void;
  /** Lets go of it for good (another transport takes over). */
  close(): void;
}

export class LiveStream {
  private readonly listeners = new Map<string, Set<LiveListener>>();
  private readonly stateListeners = new Set<(state: LiveState) => void>();
  private transport: LiveTransport;
  private isStopped = false;
  state: LiveState = 'idle';
  /** While not open: when the stream last sent something (`undefined`: never, or not known). */
  heardAtMs: number | undefined;

  constructor() {
    this.transport = this.sharedTransport() ?? this.ownTransport();
    document.addEventListener('visibilitychange', () => this.sendTopics());
    // Back from the back-forward cache: the worker may have forgotten this tab; it says hello again.
    window.addEventListener('pageshow', (event) => {
      if (!event.persisted) return;
      this.transport.close();
      this.transport = this.sharedTransport() ?? this.ownTransport();
      this.sendTopics();
    });
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

  private setState(state: LiveState, heardAtMs?: number): void {
    if (this.state === state) return;
    this.state = state;
    this.heardAtMs = heardAtMs;
    for (const listener of this.stateListeners) listener(state);
  }

  private ownTransport(): LiveTransport {
    const connection = new StreamConnection({
      fetch: (url, init) => sessionFetch(url, init),
      onEvent: (event) => this.dispatch(event),
      onState: (state) => this.setState(state, connection.heardAtMs),
    });
    return {
      setTopics: (topics, isVisible) => connection.setTopics(topics, isVisible),
      stop: () => connection.stop(),
      restart: () => connection.restart(),
      close: () => connection.stop(),
    };
  }

  /** The shared worker's side, or undefined where there is no shared worker or no Web Lock to say the tab lives. */
  private sharedTransport(): LiveTransport | undefined {
    if (typeof SharedWorker !== 'function' || typeof navigator.locks?.request !== 'function') return undefined;
    let worker: SharedWorker;
    try {
      worker = new SharedWorker(new URL('./shared-live-worker.ts', import.meta.url), { name: 'slipway-live' });
    } catch {
      return undefined;
    }
    const port = worker.port;
    const send = (message: LiveTabMessage): void => port.postMessage(message);
    // The worker cannot start (a script error): this tab holds its own stream instead.
    worker.addEventListener('error', () => {
      this.transport.close();
      this.transport = this.ownTransport();
      this.sendTopics();
    });
    port.onmessage = (message: MessageEvent<LiveWorkerMessage>) => {
      const data = message.data;
      if (data.type === 'event') this.dispatch(data.event);
      else if (data.type === 'state') {
        if (!this.isStopped) this.setState(data.state, data.heardAtMs);
      } else endSession();
    };
    port.start();
    // Held for the tab's life: the worker forgets the tab when it is free.
    const lockName = `slipway-live-tab:${crypto.randomUUID()}`;
    let release: () => void = () => undefined;
    // Hello once the lock is held, so the worker's wait on it is granted only when this tab has gone.
    void navigator.locks.request(lockName, () => {
      send({ type: 'hello', lockName });
      return new Promise<void>((resolve) => (release = resolve));
    });
    const bye = (): void => send({ type: 'bye' });
    window.addEventListener('pagehide', bye);
    return {
      setTopics: (topics, isVisible) => send({ type: 'topics', topics, isVisible }),
      // This tab reads nothing more; the other tabs' topics stay carried.
      stop: () => send({ type: 'topics', topics: [], isVisible: false }),
      restart: () => send({ type: 'restart' }),
      close: () => {
        bye();
        window.removeEventListener('pagehide', bye);
        release();
        port.close();
      },
    };
  }
}

export const liveStream = new LiveStream();
