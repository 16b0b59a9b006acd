/**
 * A counting semaphore whose waiters are served round-robin by key (an app): an app that queues many builds (one per
 * environment, previews) takes turns with the others instead of holding the queue until all of its own are done.
 */
export class FairSemaphore {
  private available: number;
  /** Waiters by key; a key is in `turns` while it has waiters, in the order its turn comes. */
  private readonly queues = new Map<string, (() => void)[]>();
  private readonly turns: string[] = [];

  constructor(private readonly size: number) {
    this.available = size;
  }

  /** Slots held now. */
  get held(): number {
    return this.size - this.available;
  }

  get waiting(): number {
    let count = 0;
    for (const queue of this.queues.values()) count += queue.length;
    return count;
  }

  /** Resolves to the release function once a slot is free and it is `key`'s turn; rejects when `signal` aborts. */
  async acquire(key: string, signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.available > 0) {
      this.available -= 1;
      return this.releaser();
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.releaser());
      };
      const onAbort = (): void => {
        const queue = this.queues.get(key) ?? [];
        const index = queue.indexOf(grant);
        if (index >= 0) queue.splice(index, 1);
        if (queue.length === 0) this.forget(key);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const queue = this.queues.get(key);
      if (queue === undefined) {
        this.queues.set(key, [grant]);
        this.turns.push(key);
      } else queue.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** A release that counts once, however often it is called. */
  private releaser(): () => void {
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      this.release();
    };
  }

  private release(): void {
    const key = this.turns.shift();
    if (key === undefined) {
      this.available += 1;
      return;
    }
    const queue = this.queues.get(key) ?? [];
    const next = queue.shift();
    // The key goes to the back of the line while it still waits for more.
    if (queue.length > 0) this.turns.push(key);
    else this.queues.delete(key);
    next?.();
  }

  private forget(key: string): void {
    this.queues.delete(key);
    const index = this.turns.indexOf(key);
    if (index >= 0) this.turns.splice(index, 1);
  }
}
