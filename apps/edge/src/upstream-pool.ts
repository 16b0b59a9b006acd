/**
 * Keeps one slot per upstream instance: its keep-alive agent and its requests in flight. A slot that leaves the
 * table drains: it takes no new request, its idle sockets close at once, busy ones after their response, and its
 * in-flight count stays readable until it reaches 0 (slipwayd waits on it before stopping the instance).
 */
import { Agent } from 'node:http';
import type { Socket } from 'node:net';
import type { Upstream } from '@slipway/contract';

export interface UpstreamSlot {
  readonly instanceId: string;
  readonly host: string;
  readonly port: number;
  readonly agent: Agent;
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
  /** Counts one request finished; a retired slot closes its agent once none is left. */
  readonly release: (slot: UpstreamSlot) => void;
  /** Passive health: a 5xx answer, a connect error or a timeout; true when this one ejected the upstream. */
  readonly recordFailure: (slot: UpstreamSlot) => boolean;
  /** Passive health: any answer below 500 ends a run of failures. */
  readonly recordSuccess: (slot: UpstreamSlot) => void;
  /** Requests in flight to this instance, in the table or draining; 0 for an unknown one. */
  readonly inFlightOf: (instanceId: string) => number;
  /** Closes every socket of every agent (shutdown). */
  readonly destroyAll: () => void;
}

export interface UpstreamPoolOptions {
  /** Idle keep-alive sockets are closed after this; Node also honours a shorter `Keep-Alive: timeout` hint from the upstream. */
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
      // `timeout` only closes sockets while they sit idle in the pool: the agent ignores it for busy ones.
      agent: new Agent({ keepAlive: true, keepAliveMsecs: 1_000, timeout: idleSocketTimeoutMs, scheduling: 'lifo' }),
      inFlight: 0,
      isRetired: false,
      consecutiveFailures: 0,
      ejectedUntilMs: 0,
    };
  }

  function retire(slot: UpstreamSlot): void {
    slot.isRetired = true;
    if (slot.inFlight === 0) {
      slot.agent.destroy();
      return;
    }
    draining.add(slot);
    destroyFreeSockets(slot.agent);
    // Busy sockets come back to the pool after their response: close them there instead of keeping them alive.
    slot.agent.on('free', (socket: Socket) => socket.destroy());
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
    if (slot.inFlight === 0 && slot.isRetired) {
      draining.delete(slot);
      // The response is complete (or abandoned): nothing more will use these sockets.
      slot.agent.destroy();
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
    for (const slot of active.values()) slot.agent.destroy();
    for (const slot of draining) slot.agent.destroy();
    active.clear();
    draining.clear();
  }

  return { slotFor, retainOnly, acquire, release, recordFailure, recordSuccess, inFlightOf, destroyAll };
}

function destroyFreeSockets(agent: Agent): void {
  for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
}
