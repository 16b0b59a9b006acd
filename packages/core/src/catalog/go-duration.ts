/** Durations as Go's `time.Duration.String()` writes them (`15s`, `1m30s`, `24h0m0s`, `500ms`), as Consul answers them. */

/** Formats a duration in milliseconds (fractions below a millisecond in µs) the way Go formats one. */
export function formatGoDuration(durationMs: number): string {
  if (durationMs === 0) return '0s';
  const sign = durationMs < 0 ? '-' : '';
  let restMs = Math.abs(durationMs);
  if (restMs < 1000) {
    if (Number.isInteger(restMs)) return `${sign}${restMs}ms`;
    return `${sign}${Math.round(restMs * 1e6) / 1e3}µs`;
  }
  const hours = Math.floor(restMs / 3_600_000);
  restMs -= hours * 3_600_000;
  const minutes = Math.floor(restMs / 60_000);
  restMs -= minutes * 60_000;
  const seconds = Math.round(restMs) / 1000;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}
