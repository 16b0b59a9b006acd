/**
 * Keeps one slot per upstream instance: its idle keep-alive connections and its requests in flight. A slot that
 * leaves the table drains: it takes no new request, its idle connections close at once, busy ones after their
 * response, and its in-flight count stays readable until it reaches 0 (slipwayd waits on it before stopping the
 * instance).
 */
import type { Upstream } from '@slipway/contract';

/** A keep-alive connection to an upstream, as the pool sees it. */
export interface PooledConnection {
  /** `performance.now()` after which the idle connection is closed (the pool's timeout or the upstream's hint). */
  idleUntilMs: number;
  /** Closes the connection at once. */
  close(): void;
}

export interface UpstreamSlot {
  readonly instanceId: string;
  readonly host: string;
  readonly port: number;
  /** Idle keep-alive connections, the most recently used last (taken first). */
  readonly idle: PooledConnection[];
  /** Requests (and upgraded tunnels) sent to this upstream and not finished yet. */
  inFlight: number;
  /** Set once the upstream left the table: no new request goes to it. */
  isRetired: boolean;
  /** 5xx answers and connect errors in a row (passive health). */
  consecutiveFailures: number;
  /** `Date.now()` until which the upstream is ejected; 0 when it is not. */
  ejectedUntilMs: number;
}

export interface UpstreamPool {
  /** The slot of this upstream instance, created on first use; a new address under the same id retires the old slot. */
  readonly slotFor: (upstream: Upstream) => UpstreamSlot;
  /** Retires (drains) every slot whose upstream is not listed any more. */
  readonly retainOnly: (upstreams: Iterable<Upstream>) => void;
  /** Counts one request on its way to the slot's upstream. */
  readonly acquire: (slot: UpstreamSlot) => void;
  /** Counts one request finished. */
  readonly release: (slot: UpstreamSlot) => void;
  /** The most recently used idle connection of the slot, if any (it is no longer idle). */
  readonly takeIdle: (slot: UpstreamSlot) => PooledConnection | undefined;
  /**
   * Returns a connection whose exchange is over to the slot's idle list, idle for at most `idleMs` (the upstream's
   * `Keep-Alive: timeout` hint, when shorter than the pool's); a retired slot closes it instead.
   */
  readonly checkIn: (slot: UpstreamSlot, connection: PooledConnection, nowMs: number, idleMs?: number) => void;
  /** Forgets an idle connection that closed by itself. */
  readonly forget: (slot: UpstreamSlot, connection: PooledConnection) => void;
  /** Closes idle connections past their time. */
  readonly sweep: (nowMs: number) => void;
  /** Passive health: a 5xx answer, a connect error or a timeout; true when this one ejected the upstream. */
  readonly recordFailure: (slot: UpstreamSlot) => boolean;
  /** Passive health: any answer below 500 ends a run of failures. */
  readonly recordSuccess: (slot: UpstreamSlot) => void;
  /** Requests in flight to this instance, in the table or draining; 0 for an unknown one. */
  readonly inFlightOf: (instanceId: string) => number;
  /** Closes every idle connection (shutdown; busy ones are closed with their exchanges). */
  readonly destroyAll: () => void;
}

export interface UpstreamPoolOptions {
  /** Idle keep-alive connections are closed after this (default 30 s), or sooner when the upstream hints so. */
  idleSocketTimeoutMs?: number;
  /** Failures in a row that eject an upstream (default 5). */
  ejectAfterFailures?: number;
  /** How long an ejected upstream takes no new request (default 10 s); the picker ignores it for the last one. */
  ejectionCooldownMs?: number;
}

export function createUpstreamPool(options: UpstreamPoolOptions = {}): UpstreamPool {
  const idleSocketTimeoutMs = options.idleSocketTimeoutMs ?? 30_000;
  const ejectAfterFailures = options.ejectAfterFailures ?? 5;
  const ejectionCooldownMs = options.ejectionCooldownMs ?? 10_000;
  let active = new Map<string, UpstreamSlot>();
  /** Retired slots with requests still in flight; dropped when their count reaches 0. */
  const draining = new Set<UpstreamSlot>();

  function createSlot(upstream: Upstream): UpstreamSlot {
    return {
      instanceId: upstream.instanceId,
      host: upstream.host,
      port: upstream.port,
      idle: [],
      inFlight: 0,
      isRetired: false,
      consecutiveFailures: 0,
      ejectedUntilMs: 0,
    };
  }

  function retire(slot: UpstreamSlot): void {
    slot.isRetired = true;
    closeIdle(slot);
    // Busy connections come back after their response: `checkIn` closes them then.
    if (slot.inFlight > 0) draining.add(slot);
  }

  function closeIdle(slot: UpstreamSlot): void {
    const idle = slot.idle.splice(0);
    for (const connection of idle) connection.close();
  }

  function slotFor(upstream: Upstream): UpstreamSlot {
    const slot = active.get(upstream.instanceId);
    if (slot !== undefined && slot.host === upstream.host && slot.port === upstream.port) return slot;
    if (slot !== undefined) retire(slot);
    const created = createSlot(upstream);
    active.set(upstream.instanceId, created);
    return created;
  }

  function retainOnly(upstreams: Iterable<Upstream>): void {
    const next = new Map<string, UpstreamSlot>();
    for (const upstream of upstreams) {
      const slot = active.get(upstream.instanceId);
      if (slot !== undefined && slot.host === upstream.host && slot.port === upstream.port)
        next.set(upstream.instanceId, slot);
    }
    for (const [instanceId, slot] of active) if (next.get(instanceId) !== slot) retire(slot);
    active = next;
  }

  function acquire(slot: UpstreamSlot): void {
    slot.inFlight += 1;
  }

  function release(slot: UpstreamSlot): void {
    slot.inFlight -= 1;
    if (slot.inFlight === 0 && slot.isRetired) draining.delete(slot);
  }

  function takeIdle(slot: UpstreamSlot): PooledConnection | undefined {
    return slot.idle.pop();
  }

  function checkIn(slot: UpstreamSlot, connection: PooledConnection, nowMs: number, idleMs?: number): void {
    if (slot.isRetired) {
      connection.close();
      return;
    }
    connection.idleUntilMs = nowMs + Math.min(idleMs ?? idleSocketTimeoutMs, idleSocketTimeoutMs);
    slot.idle.push(connection);
  }

  function forget(slot: UpstreamSlot, connection: PooledConnection): void {
    const at = slot.idle.indexOf(connection);
    if (at !== -1) slot.idle.splice(at, 1);
  }

  function sweep(nowMs: number): void {
    for (const slot of active.values()) {
      if (slot.idle.length === 0) continue;
      const expired = slot.idle.filter((connection) => connection.idleUntilMs <= nowMs);
      if (expired.length === 0) continue;
      slot.idle.splice(0, slot.idle.length, ...slot.idle.filter((connection) => connection.idleUntilMs > nowMs));
      for (const connection of expired) connection.close();
    }
  }

  function recordFailure(slot: UpstreamSlot): boolean {
    slot.consecutiveFailures += 1;
    if (slot.consecutiveFailures < ejectAfterFailures) return false;
    slot.consecutiveFailures = 0;
    slot.ejectedUntilMs = Date.now() + ejectionCooldownMs;
    return true;
  }

  function recordSuccess(slot: UpstreamSlot): void {
    slot.consecutiveFailures = 0;
    // Back after its cool-down (or answering anyway as the last one left): forget the ejection.
    if (slot.ejectedUntilMs !== 0 && slot.ejectedUntilMs <= Date.now()) slot.ejectedUntilMs = 0;
  }

  function inFlightOf(instanceId: string): number {
    let count = active.get(instanceId)?.inFlight ?? 0;
    for (const slot of draining) if (slot.instanceId === instanceId) count += slot.inFlight;
    return count;
  }

  function destroyAll(): void {
    for (const slot of active.values()) closeIdle(slot);
    active.clear();
    draining.clear();
  }

  return {
    slotFor,
    retainOnly,
    acquire,
    release,
    takeIdle,
    checkIn,
    forget,
    sweep,
    recordFailure,
    recordSuccess,
    inFlightOf,
    destroyAll,
  };
}
