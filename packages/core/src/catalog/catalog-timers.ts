/**
 * The catalog's deadlines in memory: TTL checks, TTL sessions, lock-delays, and when tombstones are reaped. One timer
 * (unref'd, so it never keeps slipwayd alive) is set for the earliest of them; when it fires the engine runs what is
 * due by the clock's time. Deadlines are not stored: after a restart every TTL starts again, as Consul's do.
 */
import type { Clock } from '../ports/clock.js';

/** Longest a timer may be set for (setTimeout's limit). */
const maxTimerMs = 2 ** 31 - 1;

export class CatalogTimers {
  readonly checkDeadlines = new Map<string, number>();
  readonly sessionDeadlines = new Map<string, number>();
  private readonly lockDelays = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAtMs: number | undefined;
  private isClosed = false;
  private nextReapAtMs: number;

  constructor(
    private readonly deps: {
      clock: Pick<Clock, 'nowMs'>;
      /** How often tombstones are looked at for reaping. */
      reapIntervalMs: number;
      onDue(): void;
    },
  ) {
    this.nextReapAtMs = deps.clock.nowMs() + deps.reapIntervalMs;
  }

  setCheckDeadline(checkId: string, atMs: number | undefined): void {
    setOrDelete(this.checkDeadlines, checkId, atMs);
  }

  setSessionDeadline(sessionId: string, atMs: number | undefined): void {
    setOrDelete(this.sessionDeadlines, sessionId, atMs);
  }

  setLockDelay(key: string, untilMs: number): void {
    this.lockDelays.set(key, Math.max(untilMs, this.lockDelays.get(key) ?? 0));
  }

  lockDelayUntilMs(key: string): number | undefined {
    return this.lockDelays.get(key);
  }

  /** Whether tombstones are due for reaping now; if so, the next reaping is one interval on. */
  takeReapDue(nowMs: number): boolean {
    if (nowMs < this.nextReapAtMs) return false;
    this.nextReapAtMs = nowMs + this.deps.reapIntervalMs;
    for (const [key, untilMs] of this.lockDelays) if (untilMs <= nowMs) this.lockDelays.delete(key);
    return true;
  }

  /** Ids whose deadline is at or before `nowMs`. */
  due(deadlines: ReadonlyMap<string, number>, nowMs: number): string[] {
    const ids: string[] = [];
    for (const [id, atMs] of deadlines) if (atMs <= nowMs) ids.push(id);
    return ids;
  }

  clearAll(): void {
    this.checkDeadlines.clear();
    this.sessionDeadlines.clear();
    this.lockDelays.clear();
  }

  /** Sets the one timer for the earliest deadline (or the next reaping). */
  schedule(): void {
    if (this.isClosed) return;
    let atMs = this.nextReapAtMs;
    for (const deadline of this.checkDeadlines.values()) atMs = Math.min(atMs, deadline);
    for (const deadline of this.sessionDeadlines.values()) atMs = Math.min(atMs, deadline);
    if (this.timer !== undefined && this.timerAtMs !== undefined && this.timerAtMs <= atMs) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAtMs = atMs;
    const delayMs = Math.min(Math.max(atMs - this.deps.clock.nowMs(), 0), maxTimerMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAtMs = undefined;
      this.deps.onDue();
    }, delayMs);
    this.timer.unref?.();
  }

  close(): void {
    this.isClosed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function setOrDelete(map: Map<string, number>, id: string, atMs: number | undefined): void {
  if (atMs === undefined) map.delete(id);
  else map.set(id, atMs);
}
