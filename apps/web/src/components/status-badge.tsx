/**
 * A status in words, with a shape for those who do not see colour: never colour alone. A status observed longer ago
 * than `staleAfterMs` reads "unknown (last seen …)", never the state it had then.
 */
import { formatAge } from './relative-time.js';

export type Tone = 'ok' | 'warn' | 'bad' | 'idle' | 'unknown';

const marks: Record<Tone, string> = { ok: '●', warn: '▲', bad: '✖', idle: '○', unknown: '?' };

/**
 * What a state is of: a `status` (an app, an instance, the edge: `running` is fine) or a piece of work under way
 * (`progress`: a deployment, its phase, an analysis: `running` is still in progress, not done well).
 */
export type StateKind = 'status' | 'progress';

export function toneOf(state: string, kind: StateKind = 'status'): Tone {
  if (kind === 'progress' && state === 'running') return 'warn';
  if (/^(running|healthy|succeeded|serving|passing|active|ready|issued|resolved)$/.test(state)) return 'ok';
  if (/^(failed|crash-?loop(ing)?|critical|error|unhealthy|rejected|aborted|expired)$/.test(state)) return 'bad';
  if (/^(starting|stopping|pending|queued|building|deploying|waiting|paused|warning|progressing|draining)/.test(state))
    return 'warn';
  if (/^(stopped|retired|cancelled|superseded|inactive|idle|none)$/.test(state)) return 'idle';
  return 'unknown';
}

export interface StatusBadgeProps {
  readonly state: string;
  readonly kind?: StateKind | undefined;
  /** When the state was last observed (epoch ms); with `staleAfterMs`, an old observation reads unknown. */
  readonly observedAtMs?: number | undefined;
  readonly staleAfterMs?: number | undefined;
  readonly nowMs?: number | undefined;
}

export function StatusBadge({ state, kind, observedAtMs, staleAfterMs, nowMs }: StatusBadgeProps) {
  const now = nowMs ?? Date.now();
  const isStale = observedAtMs !== undefined && staleAfterMs !== undefined && now - observedAtMs > staleAfterMs;
  const tone = isStale ? 'unknown' : toneOf(state, kind);
  const text = isStale ? `unknown (last seen ${formatAge(now - (observedAtMs ?? now))} ago)` : state;
  return (
    <span className={`badge badge-${tone}`} data-status={isStale ? 'unknown' : state}>
      <span aria-hidden="true">{marks[tone]}</span> {text}
    </span>
  );
}
