/** In-process notification that a deployment has new events, so streams wake without polling the store hard. */
export type Listener = () => void;

export class EventBus {
  private readonly listeners = new Map<string, Set<Listener>>();

  notify(key: string): void {
    for (const listener of this.listeners.get(key) ?? []) listener();
  }

  subscribe(key: string, listener: Listener): () => void {
    let set = this.listeners.get(key);
    if (!set) {
      set = new Set();
      this.listeners.set(key, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    };
  }
}
