/**
 * What a router process counts of the requests it holds for wakeable routes (scale to zero): held, refused (queue
 * full), timed out, held now, cold starts, and the wake durations in the latency buckets; summed over the workers.
 */
import type { ColdStartCounters } from '@slipway/contract';
import { latencyBucketsUs } from './traffic-metrics.js';

/** Mutable counters of one route in one router process (plain fields, updated on the hot path). */
export interface ColdCounters {
  held: number;
  refused: number;
  timedOut: number;
  holding: number;
  wakes: number;
  readonly wakeDuration: number[];
  wakeDurationSumUs: number;
}

export function emptyColdCounters(): ColdCounters {
  return {
    held: 0,
    refused: 0,
    timedOut: 0,
    holding: 0,
    wakes: 0,
    wakeDuration: new Array<number>(latencyBucketsUs.length + 1).fill(0),
    wakeDurationSumUs: 0,
  };
}

/** Counts one wake: from the first request held to its release to an instance. */
export function countWake(counters: ColdCounters, durationUs: number): void {
  counters.wakeDurationSumUs += durationUs;
  let bucket = 0;
  while (bucket < latencyBucketsUs.length && durationUs > (latencyBucketsUs[bucket] ?? Infinity)) bucket += 1;
  counters.wakeDuration[bucket] = (counters.wakeDuration[bucket] ?? 0) + 1;
}

export function coldWireOf(counters: ColdCounters): ColdStartCounters {
  return { ...counters, wakeDuration: [...counters.wakeDuration] };
}

export function addColdCounters(
  a: ColdStartCounters | undefined,
  b: ColdStartCounters | undefined,
): ColdStartCounters | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return {
    held: a.held + b.held,
    refused: a.refused + b.refused,
    timedOut: a.timedOut + b.timedOut,
    holding: a.holding + b.holding,
    wakes: a.wakes + b.wakes,
    wakeDuration: a.wakeDuration.map((count, bucket) => count + (b.wakeDuration[bucket] ?? 0)),
    wakeDurationSumUs: a.wakeDurationSumUs + b.wakeDurationSumUs,
  };
}
