/** Keeps one keep-alive `http.Agent` per upstream `host:port`, reused across table updates. */
import { Agent } from 'node:http';
import type { Upstream } from '@slipway/contract';

export interface AgentPool {
  /** The agent of this upstream's `host:port`, created on first use. */
  readonly agentFor: (upstream: Upstream) => Agent;
  /** Forgets agents of upstreams no longer listed; their in-flight requests finish and idle sockets time out. */
  readonly retainOnly: (upstreams: Iterable<Upstream>) => void;
  /** Closes every socket of every agent (shutdown). */
  readonly destroyAll: () => void;
}

export interface AgentPoolOptions {
  /** Idle keep-alive sockets are closed after this; Node also honours a shorter `Keep-Alive: timeout` hint from the upstream. */
  idleSocketTimeoutMs?: number;
}

export function createAgentPool(options: AgentPoolOptions = {}): AgentPool {
  const idleSocketTimeoutMs = options.idleSocketTimeoutMs ?? 30_000;
  let agents = new Map<string, Agent>();

  function agentFor(upstream: Upstream): Agent {
    const key = keyOf(upstream);
    let agent = agents.get(key);
    if (agent === undefined) {
      // `timeout` only closes sockets while they sit idle in the pool: the agent ignores it for busy ones.
      agent = new Agent({ keepAlive: true, keepAliveMsecs: 1_000, timeout: idleSocketTimeoutMs, scheduling: 'lifo' });
      agents.set(key, agent);
    }
    return agent;
  }

  function retainOnly(upstreams: Iterable<Upstream>): void {
    const next = new Map<string, Agent>();
    for (const upstream of upstreams) {
      const key = keyOf(upstream);
      const agent = agents.get(key);
      if (agent !== undefined) next.set(key, agent);
    }
    agents = next;
  }

  function destroyAll(): void {
    for (const agent of agents.values()) agent.destroy();
    agents.clear();
  }

  return { agentFor, retainOnly, destroyAll };
}

function keyOf(upstream: Upstream): string {
  return `${upstream.host}:${upstream.port}`;
}
