/**
 * Blocking-query waiters by topic: a commit wakes exactly the waiters of the topics it touched (a KV key wakes its
 * own waiters and those of every prefix of it; a node-level check wakes every service's), never the others.
 */
import type { TopicKey } from './catalog-topics.js';

type Wake = () => void;

export class CatalogWaiters {
  private readonly byTopic = new Map<TopicKey, Set<Wake>>();
  /** Prefix waiters by prefix, apart, since a key write looks them up by prefix. */
  private readonly byPrefix = new Map<string, Set<Wake>>();
  private waiting = 0;

  get count(): number {
    return this.waiting;
  }

  /** Registers a waiter; the returned function removes it (idempotent). */
  add(topic: TopicKey, wake: Wake): () => void {
    const isPrefix = topic.startsWith('p:');
    const table = isPrefix ? this.byPrefix : this.byTopic;
    const name = isPrefix ? topic.slice(2) : topic;
    let set = table.get(name);
    if (!set) {
      set = new Set();
      table.set(name, set);
    }
    set.add(wake);
    this.waiting += 1;
    const owner = set;
    return () => {
      if (!owner.delete(wake)) return;
      this.waiting -= 1;
      if (owner.size === 0 && table.get(name) === owner) table.delete(name);
    };
  }

  /** Wakes the waiters of the touched topics (each once) and forgets them. */
  wake(touched: Iterable<TopicKey>): void {
    const sets = new Set<Set<Wake>>();
    const seen = new Set<TopicKey>();
    for (const topic of touched) {
      if (seen.has(topic)) continue;
      seen.add(topic);
      const own = this.byTopic.get(topic);
      if (own) sets.add(own);
      if (topic.startsWith('k:') && this.byPrefix.size > 0) {
        const key = topic.slice(2);
        for (const [prefix, set] of this.byPrefix) if (key.startsWith(prefix)) sets.add(set);
      } else if (topic === 'node-checks') {
        for (const [name, set] of this.byTopic) if (name.startsWith('s:')) sets.add(set);
      }
    }
    for (const set of sets) this.fire(set);
  }

  /** Wakes everyone (restore, close). */
  wakeAll(): void {
    for (const set of [...this.byTopic.values(), ...this.byPrefix.values()]) this.fire(set);
  }

  private fire(set: Set<Wake>): void {
    for (const wake of [...set]) wake();
  }
}
