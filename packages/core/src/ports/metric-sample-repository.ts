/** The metrics history part of the Store port: traffic samples per release, usage samples per instance, bounded. */

/** One release's traffic between two reads of the edge's counters, taken at `atMs`. */
export interface TrafficSampleRecord {
  appId: string;
  environmentId: string;
  releaseNumber: number;
  atMs: number;
  /** Time since the previous read the counts cover. */
  intervalMs: number;
  requests: number;
  /** Responses with a 5xx status. */
  errors: number;
  /** Requests per latency bucket of the interval (the edge's bounds; the last bucket is beyond every bound). */
  latencyCounts: number[];
  /** The buckets' upper bounds (µs). */
  latencyBucketsUs: number[];
  /** Percentiles of the interval from the histogram, ms; null without a request. */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  /** Requests under way at `atMs`. */
  inFlight: number;
}

/** One instance's usage at `atMs`, as its runtime reported it. */
export interface InstanceSampleRecord {
  appId: string;
  environmentId: string;
  instanceId: string;
  process: string;
  releaseNumber: number | null;
  atMs: number;
  /** CPU used since the runtime's previous reading, in percent of one CPU; null when the runtime did not answer. */
  cpuPercent: number | null;
  memoryBytes: number | null;
  /** Limits the runtime enforces, null when none. */
  cpuLimit: number | null;
  memoryLimitBytes: number | null;
}

export interface MetricSampleWindow {
  environmentId: string;
  /** Samples with `sinceMs <= atMs < untilMs`. */
  sinceMs: number;
  untilMs: number;
  /** At most this many, oldest first (the newest are dropped beyond it). */
  limit: number;
}

/** One instance's usage averaged over one step of a series' axis. */
export interface InstanceUsageStep {
  instanceId: string;
  /** The step's index: `floor((atMs - window.sinceMs) / window.stepMs)`. */
  step: number;
  /** Averages of the step's samples that have a value; null when none has. */
  cpuPercent: number | null;
  memoryBytes: number | null;
}

export interface MetricSampleRepository {
  insertTraffic(records: readonly TrafficSampleRecord[]): Promise<void>;
  insertInstances(records: readonly InstanceSampleRecord[]): Promise<void>;
  /** The app environment's traffic samples in the window, oldest first (then by release number). */
  listTraffic(appId: string, window: MetricSampleWindow): Promise<TrafficSampleRecord[]>;
  /** The app environment's instance samples in the window, oldest first (then by instance id). */
  listInstances(appId: string, window: MetricSampleWindow): Promise<InstanceSampleRecord[]>;
  /**
   * The app environment's instance usage in the window averaged per instance and step (the aggregation runs in the
   * store, so a long window reads one row per instance and step, not every sample), ordered by instance then step;
   * with, per instance, its newest sample in the window (`latest`, for its process, release and limits).
   */
  listInstanceSteps(
    appId: string,
    window: Omit<MetricSampleWindow, 'limit'> & { stepMs: number },
  ): Promise<{ steps: InstanceUsageStep[]; latest: InstanceSampleRecord[] }>;
  /** Deletes the samples (of both kinds) taken before `beforeMs`; returns how many. Idempotent. */
  pruneBefore(beforeMs: number): Promise<number>;
  /**
   * Keeps the app's newest `maxRows` samples of each kind (over all its environments), deleting the older ones;
   * returns how many went. Samples taken at the same time as the oldest kept one may go with the older ones.
   */
  pruneToRows(appId: string, maxRows: number): Promise<number>;
}
