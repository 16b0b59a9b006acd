/** React hooks over the tab's one live stream: subscribe to a topic while mounted; refresh queries on its events. */
import { useEffect, useRef, useState } from 'react';
import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import type { SseEvent } from '@slipway/contract/sse-parser';
import { liveStream, type LiveState } from './live-stream.js';

/** Calls `onEvent` for every event of `topic` while the component is mounted (no topic: nothing). */
export function useLiveTopic(topic: string | undefined, onEvent: (event: SseEvent) => void): void {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    if (topic === undefined) return undefined;
    return liveStream.subscribe(topic, (event) => handler.current(event));
  }, [topic]);
}

/**
 * Marks the queries under `keys` stale on every event of `topic` that says something moved, so what is shown follows
 * the server (an `observed` event only says an app's status was confirmed: nothing to read again).
 */
export function useLiveRefresh(topic: string | undefined, keys: readonly QueryKey[]): void {
  const queryClient = useQueryClient();
  useLiveTopic(topic, (event) => {
    if (event.event === 'observed') return;
    for (const key of keys) void queryClient.invalidateQueries({ queryKey: key });
  });
}

/** The live stream's state, for the header's "live" indicator. */
export function useLiveState(): LiveState {
  const [state, setState] = useState<LiveState>(liveStream.state);
  useEffect(() => liveStream.onState(setState), []);
  return state;
}

/**
 * Since when the live stream has been silent (`undefined` while it is open): what a page showed from it holds as of
 * its last word, no later. Before it first opens, since the page asked.
 */
export function useLiveGapSince(): number | undefined {
  const isOpen = useLiveState() === 'open';
  const [sinceMs, setSinceMs] = useState(() => Date.now());
  useEffect(() => {
    if (!isOpen) setSinceMs((before) => liveStream.heardAtMs ?? before);
  }, [isOpen]);
  return isOpen ? undefined : sinceMs;
}
