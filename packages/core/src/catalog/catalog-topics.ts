/**
 * The names of what a write touches, shared by the tables' indexes and the blocking waiters: a write records each
 * topic it touches with its index; the state raises that topic's index, and the waiters of that topic wake.
 */
import type { WatchTopic } from './catalog.js';

/** A touched or watched topic, as a string key (`k:<key>`, `p:<prefix>`, `s:<service>`, `n:<node>`, or a table). */
export type TopicKey = string;

export const topicKeys = {
  key: (key: string): TopicKey => `k:${key}`,
  prefix: (prefix: string): TopicKey => `p:${prefix}`,
  /** Service names are case-insensitive (Consul indexes them lowercased). */
  service: (name: string): TopicKey => `s:${name.toLowerCase()}`,
  node: (name: string): TopicKey => `n:${name.toLowerCase()}`,
  services: 'services' as TopicKey,
  checks: 'checks' as TopicKey,
  /** A node-level check changed: the health of every service may have. */
  nodeChecks: 'node-checks' as TopicKey,
  sessions: 'sessions' as TopicKey,
  nodes: 'nodes' as TopicKey,
};

/** The waiter key of a watch topic. */
export function topicKeyOf(topic: WatchTopic): TopicKey {
  switch (topic.kind) {
    case 'key':
      return topicKeys.key(topic.key);
    case 'prefix':
      return topicKeys.prefix(topic.prefix);
    case 'services':
      return topicKeys.services;
    case 'service':
      return topicKeys.service(topic.name);
    case 'nodes':
      return topicKeys.nodes;
    case 'node':
      return topicKeys.node(topic.name);
    case 'checks':
      return topicKeys.checks;
    case 'sessions':
      return topicKeys.sessions;
  }
}
