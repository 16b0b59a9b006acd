/**
 * The catalog's one writer: writes queue up and are run in order against a draft, and every write that queued while
 * the previous commit was on its way to disk goes into the next one (group commit): under many concurrent clients,
 * one fsync acknowledges many writes. Memory changes only once the store has the commit; then the waiters of the
 * touched topics wake and each write resolves. A write that throws is taken back alone; a commit the store refuses
 * rejects every write in it and changes nothing.
 */
import type { CatalogStore } from '../ports/catalog-store.js';
import type { Logger } from '../ports/logger.js';
import { CatalogDraft } from './catalog-draft.js';
import type { CatalogState } from './catalog-state.js';
import type { CatalogWaiters } from './catalog-waiters.js';

interface WriteJob {
  kind: 'write';
  run: (draft: CatalogDraft) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** A job that runs alone, between two commits (a restore). */
interface ExclusiveJob {
  kind: 'exclusive';
  run: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Job = WriteJob | ExclusiveJob;

/** Most writes in one commit, so one commit stays bounded in size and time. */
const maxWritesPerCommit = 1024;

export class CommitQueue {
  private readonly jobs: Job[] = [];
  private isDraining = false;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => undefined;
  /** Commits stored so far, and writes in them (group commit ratio). */
  commits = 0;
  writesCommitted = 0;

  constructor(
    private readonly deps: {
      store: CatalogStore;
      state: CatalogState;
      waiters: CatalogWaiters;
      logger: Logger;
      /** Called after each applied commit (timers reschedule). */
      onApplied(draft: CatalogDraft): void;
    },
  ) {}

  /** Runs `run` against the draft of the next commit; resolves with its answer once that commit is stored. */
  write<T>(run: (draft: CatalogDraft) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.jobs.push({ kind: 'write', run, resolve: (value) => resolve(value as T), reject });
      this.drain();
    });
  }

  /** Runs `run` alone, after every write queued before it is committed and before any queued after it. */
  exclusive<T>(run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.jobs.push({ kind: 'exclusive', run, resolve: (value) => resolve(value as T), reject });
      this.drain();
    });
  }

  /** Resolves once nothing is queued or being committed. */
  settled(): Promise<void> {
    return this.isDraining ? this.idle : Promise.resolve();
  }

  private drain(): void {
    if (this.isDraining) return;
    this.isDraining = true;
    this.idle = new Promise((resolve) => (this.markIdle = resolve));
    void this.loop()
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'catalog commit loop failed'))
      .finally(() => {
        this.isDraining = false;
        // A write queued after the loop's last look (between its end and this callback) starts a new loop.
        if (this.jobs.length > 0) this.drain();
        else this.markIdle();
      });
  }

  private async loop(): Promise<void> {
    while (this.jobs.length > 0) {
      const first = this.jobs[0] as Job;
      if (first.kind === 'exclusive') {
        this.jobs.shift();
        await first.run().then(
          (value) => first.resolve(value),
          (error: unknown) => first.reject(error),
        );
        continue;
      }
      let count = 0;
      while (count < this.jobs.length && count < maxWritesPerCommit && (this.jobs[count] as Job).kind === 'write') {
        count += 1;
      }
      await this.commitBatch(this.jobs.splice(0, count) as WriteJob[]);
    }
  }

  private async commitBatch(batch: WriteJob[]): Promise<void> {
    const { state, store, waiters } = this.deps;
    const draft = new CatalogDraft(state);
    const outcomes = batch.map((job) => {
      const mark = draft.mark();
      draft.beginWrite();
      try {
        return { isOk: true as const, value: job.run(draft) };
      } catch (error) {
        draft.rollback(mark);
        return { isOk: false as const, error };
      }
    });
    if (draft.hasChanges()) {
      try {
        await store.commit(draft.toChange());
      } catch (error) {
        this.deps.logger.error({ err: error, writes: batch.length }, 'catalog commit failed');
        batch.forEach((job, i) =>
          job.reject((outcomes[i] as { isOk: boolean }).isOk ? error : (outcomes[i] as { error: unknown }).error),
        );
        return;
      }
      state.apply(draft);
      this.commits += 1;
      this.writesCommitted += batch.length;
      waiters.wake(draft.touched.map(([topic]) => topic));
    }
    for (const effect of draft.effects) effect();
    this.deps.onApplied(draft);
    batch.forEach((job, i) => {
      const outcome = outcomes[i] as { isOk: true; value: unknown } | { isOk: false; error: unknown };
      if (outcome.isOk) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }
}
