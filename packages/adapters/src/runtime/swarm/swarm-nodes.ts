/** Which Swarm node the engine the driver talks to is, and the hostname and address of each node, cached. */
import type { DockerClient } from '../../docker/docker-engine.js';
import { swarmError } from './swarm-errors.js';

export interface SwarmNodeFacts {
  hostname: string;
  /** The address the node's engine reports for itself (its advertise address). */
  address: string;
}

export interface SwarmNodes {
  /** The id of the node the driver's engine runs on (its containers are the ones the driver can reach). */
  localNodeId(): Promise<string>;
  /** The node's hostname and address, or undefined for a node the swarm no longer has. */
  describe(nodeId: string): Promise<SwarmNodeFacts | undefined>;
}

interface NodeInfo {
  ID: string;
  Description?: { Hostname?: string };
  Status?: { Addr?: string };
}

export function createSwarmNodes(client: DockerClient): SwarmNodes {
  let localId: string | undefined;
  const facts = new Map<string, SwarmNodeFacts>();

  async function refresh(): Promise<void> {
    let nodes: NodeInfo[];
    try {
      nodes = (await client.listNodes()) as NodeInfo[];
    } catch (error) {
      throw swarmError(error, 'listing swarm nodes');
    }
    facts.clear();
    for (const node of nodes) {
      facts.set(node.ID, { hostname: node.Description?.Hostname ?? node.ID, address: node.Status?.Addr ?? '' });
    }
  }

  return {
    async localNodeId() {
      if (localId !== undefined) return localId;
      let info: { Swarm?: { NodeID?: string } };
      try {
        info = (await client.info()) as { Swarm?: { NodeID?: string } };
      } catch (error) {
        throw swarmError(error, 'asking the engine for its swarm node');
      }
      const id = info.Swarm?.NodeID ?? '';
      // An engine outside a swarm has no id yet: ask again next time.
      if (id !== '') localId = id;
      return id;
    },

    async describe(nodeId) {
      if (!facts.has(nodeId)) await refresh();
      return facts.get(nodeId);
    },
  };
}
