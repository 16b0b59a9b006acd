/** The core harness's router table: it records what is applied, as steps, and the wakes asked of it. */
import type { EdgeMetrics, RouterStatus, RoutingTable, WakeRequest } from '@slipway/contract';
import type { RouterTable } from '@slipway/core';

export type HarnessStep =
  | { kind: 'apply'; upstreamIds: string[] }
  | { kind: 'start'; instanceId: string; releaseId: string | undefined }
  | { kind: 'stop' | 'remove'; instanceId: string };

export type RecordingRouterTable = RouterTable & {
  /** Wake signals `awaitWakes` answers with next (and takes). */
  readonly wakes: WakeRequest[];
  /** Every table applied, oldest first. */
  readonly applied: RoutingTable[];
  /** The last table applied, or an empty one. */
  latest(): RoutingTable;
  /** Instance ids of every upstream of the last table. */
  upstreamIds(): string[];
  /** What `inFlight` answers per instance id (unset ids: 0); tests set it to hold a drain. */
  readonly inFlightCounts: Map<string, number>;
  /** What `metrics` answers; tests set it to feed an analysis. */
  edgeMetrics: EdgeMetrics;
  /** `inFlight` calls so far. */
  readonly inFlightQueries: number;
  /** Replaces how `inFlight` answers (to make it fail or hang); `undefined` restores the counts map. */
  setInFlightHandler(handler: ((instanceIds: readonly string[]) => Promise<Record<string, number>>) | undefined): void;
};

/**
 * The edge port as a list: it keeps the tables it is given. Trivial on purpose (no routing, no sockets), so it
 * needs no contract suite of its own; the real edge router table is tested in adapters.
 */
export function createRecordingRouterTable(
  onApply: (table: RoutingTable) => void = () => undefined,
): RecordingRouterTable {
  const applied: RoutingTable[] = [];
  const latest = (): RoutingTable => applied.at(-1) ?? { routes: [] };
  const inFlightCounts = new Map<string, number>();
  let inFlightQueries = 0;
  let inFlightHandler: ((instanceIds: readonly string[]) => Promise<Record<string, number>>) | undefined;
  return {
    applied,
    latest,
    inFlightCounts,
    edgeMetrics: { latencyBucketsUs: [], routes: [], releases: [] },
    async metrics() {
      return structuredClone(this.edgeMetrics);
    },
    get inFlightQueries() {
      return inFlightQueries;
    },
    setInFlightHandler(handler) {
      inFlightHandler = handler;
    },
    async inFlight(instanceIds) {
      inFlightQueries += 1;
      if (inFlightHandler !== undefined) return inFlightHandler(instanceIds);
      return Object.fromEntries(instanceIds.map((id) => [id, inFlightCounts.get(id) ?? 0]));
    },
    upstreamIds: () => latest().routes.flatMap((r) => r.upstreams.map((u) => u.instanceId)),
    async apply(table) {
      const copy = structuredClone(table);
      applied.push(copy);
      onApply(copy);
    },
    async status(): Promise<RouterStatus> {
      return { isRunning: true, pid: null, address: '127.0.0.1:0', routes: latest().routes.length };
    },
    wakes: [],
    async awaitWakes(waitMs, signal) {
      if (this.wakes.length === 0) {
        // A short wait stands for the long poll, so a waker under test does not spin.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(waitMs, 10));
          signal?.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return this.wakes.splice(0);
    },
  };
}
