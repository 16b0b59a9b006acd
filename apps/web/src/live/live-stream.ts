/**
 * One multiplexed server-sent-events stream per tab (docs/live-updates.md): every widget subscribes to topics, and
 * one `fetch` stream to `/api/v1/stream?topics=…` carries them all.
 * - The stream reopens when the set of topics changes (after a short debounce), resuming with `Last-Event-ID`.
 * - It closes while the tab is hidden and reopens when it is shown again.
 * - A dropped stream reopens after a backoff with full jitter (1 s doubling to 30 s); a `401`/`403` answer is final
 *   (the session is over or the topic refused): no retry.
 * Read with `fetch` (not `EventSource`) so the status of a refusal is seen and the CSRF and cookie rules are the API's.
 */
import { readSseStream, type SseEvent } from '@slipway/contract/sse-parser';
import { sessionFetch } from '../api/web-api.js';

export type LiveListener = (event: SseEvent) => void;

export type LiveState = 'idle' | 'connecting' | 'open' | 'retrying' | 'stopped';

const minBackoffMs = 1_000;
const maxBackoffMs = 30_000;
const reopenDebounceMs = 50;

export class LiveStream {
  private readonly listeners = new Map<string, Set<LiveListener>>();
  private readonly stateListeners = new Set<(state: LiveState) => void>();
  private controller: AbortController | undefined;
  private lastEventId: string | undefined;
  private failures = 0;
  private reopenTimer: ReturnType<typeof setTimeout> | undefined;
  private openTopicsKey = '';
  state: LiveState = 'idle';

  constructor(private readonly path = '/api/v1/stream') {
    document.addEventListener('visibilitychange', () => this.schedule(0));
  }

  /** Subscribes `listener` to `topic`; the returned function unsubscribes. */
  subscribe(topic: string, listener: LiveListener): () => void {
    let set = this.listeners.get(topic);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(topic, set);
    }
    set.add(listener);
    this.schedule(reopenDebounceMs);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(topic);
      this.schedule(reopenDebounceMs);
    };
  }

  onState(listener: (state: LiveState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Stops for good (the session ended); a later subscription does not reopen it until `restart`. */
  stop(): void {
    this.close();
    this.setState('stopped');
  }

  restart(): void {
    this.failures = 0;
    this.setState('idle');
    this.schedule(0);
  }

  private topicsKey(): string {
    return [...this.listeners.keys()].sort().join(',');
  }

  private schedule(delayMs: number): void {
    if (this.state === 'stopped') return;
    clearTimeout(this.reopenTimer);
    this.reopenTimer = setTimeout(() => this.reconcile(), delayMs);
  }

  private reconcile(): void {
    const key = this.topicsKey();
    const shouldRun = key !== '' && document.visibilityState !== 'hidden';
    if (!shouldRun) {
      this.close();
      if (this.state !== 'stopped') this.setState('idle');
      return;
    }
    if (this.controller !== undefined && key === this.openTopicsKey) return;
    this.close();
    void this.open(key);
  }

  private close(): void {
    this.controller?.abort();
    this.controller = undefined;
    this.openTopicsKey = '';
  }

  private async open(key: string): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    this.openTopicsKey = key;
    this.setState('connecting');
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (this.lastEventId !== undefined) headers['last-event-id'] = this.lastEventId;
    try {
      const response = await sessionFetch(`${this.path}?topics=${encodeURIComponent(key)}`, {
        headers,
        signal: controller.signal,
      });
      if (response.status === 401 || response.status === 403) {
        await response.body?.cancel().catch(() => undefined);
        this.stop();
        return;
      }
      if (!response.ok || response.body === null) throw new Error(`stream answered ${response.status}`);
      this.setState('open');
      this.failures = 0;
      for await (const event of readSseStream(response.body)) {
        if (event.id !== undefined) this.lastEventId = event.id;
        this.dispatch(event);
      }
      throw new Error('stream ended');
    } catch {
      if (controller.signal.aborted || this.controller !== controller) return;
      this.controller = undefined;
      this.failures += 1;
      this.setState('retrying');
      const ceiling = Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.min(this.failures - 1, 10));
      this.schedule(Math.round(Math.random() * ceiling) + 250);
    }
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
}

/** The topic an event belongs to: its `topic` field; none for stream-wide events (refusals, resets). */
function topicOf(event: SseEvent): string | undefined {
  try {
    const data = JSON.parse(event.data) as { topic?: unknown };
    return typeof data.topic === 'string' ? data.topic : undefined;
  } catch {
    return undefined;
  }
}

export const liveStream = new LiveStream();
