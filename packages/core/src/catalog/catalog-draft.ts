/**
 * The working copy one group commit writes into: overlays over the committed tables, an undo log so a failed write
 * (or a transaction that does not hold) leaves no trace, the indexes handed out, the topics touched and the effects
 * to run once the store has the commit. Nothing here reaches the committed state; `CatalogState.apply` does.
 */
import type { CatalogChange } from '../ports/catalog-store.js';
import type {
  CatalogNode,
  CatalogSession,
  CheckRecord,
  KvEntry,
  KvTombstone,
  ServiceRecord,
} from './catalog-records.js';
import type { SortedKeys } from './sorted-keys.js';
import type { TopicKey } from './catalog-topics.js';

type UndoStep = () => void;

/** One table seen through the draft: reads fall through to the committed rows; writes stay in `changed`. */
export class Overlay<T> {
  /** Changed rows by key; null for a removed row. */
  readonly changed = new Map<string, T | null>();

  constructor(
    private readonly base: ReadonlyMap<string, T>,
    private readonly undo: UndoStep[],
    private readonly sortedBase?: SortedKeys,
  ) {}

  get(key: string): T | undefined {
    const changed = this.changed.get(key);
    if (changed !== undefined) return changed ?? undefined;
    if (this.changed.has(key)) return undefined;
    return this.base.get(key);
  }

  set(key: string, value: T): void {
    this.remember(key);
    this.changed.set(key, value);
  }

  delete(key: string): void {
    if (this.get(key) === undefined) return;
    this.remember(key);
    this.changed.set(key, null);
  }

  /** Keys of present rows starting with `prefix`, sorted (needs the committed keys sorted). */
  keysWithPrefix(prefix: string): string[] {
    const fromBase = this.sortedBase
      ? this.sortedBase.withPrefix(prefix)
      : [...this.base.keys()].filter((k) => k.startsWith(prefix));
    if (this.changed.size === 0) return fromBase;
    const keys = new Set(fromBase);
    for (const [key, value] of this.changed) {
      if (!key.startsWith(prefix)) continue;
      if (value === null) keys.delete(key);
      else keys.add(key);
    }
    return [...keys].sort(compareKeys);
  }

  /** Every present row (committed rows overlaid by the changed ones). */
  values(): T[] {
    const rows: T[] = [];
    for (const [key, value] of this.base) if (!this.changed.has(key)) rows.push(value);
    for (const value of this.changed.values()) if (value !== null) rows.push(value);
    return rows;
  }

  private remember(key: string): void {
    const had = this.changed.has(key);
    const previous = this.changed.get(key);
    this.undo.push(() => {
      if (had) this.changed.set(key, previous as T | null);
      else this.changed.delete(key);
    });
  }
}

/** Code-unit order, as the sorted keys keep. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface DraftMark {
  undoLength: number;
  lastIndex: number;
  jobIndex: number | undefined;
  touchedLength: number;
  effectsLength: number;
  node: CatalogNode | undefined;
}

export interface DraftBase {
  index: number;
  node: CatalogNode;
  kv: ReadonlyMap<string, KvEntry>;
  kvKeys: SortedKeys;
  tombstones: ReadonlyMap<string, KvTombstone>;
  sessions: ReadonlyMap<string, CatalogSession>;
  services: ReadonlyMap<string, ServiceRecord>;
  checks: ReadonlyMap<string, CheckRecord>;
}

export class CatalogDraft {
  private readonly undo: UndoStep[] = [];
  readonly kv: Overlay<KvEntry>;
  readonly tombstones: Overlay<KvTombstone>;
  readonly sessions: Overlay<CatalogSession>;
  readonly services: Overlay<ServiceRecord>;
  readonly checks: Overlay<CheckRecord>;
  /** The node, when a write of this draft changed it. */
  changedNode: CatalogNode | undefined;
  /** The last index handed out (the committed index until a write takes one). */
  lastIndex: number;
  private jobIndex: number | undefined;
  /** Topics touched, with the index of the write that touched them, in order. */
  readonly touched: [TopicKey, number][] = [];
  /** Run once the commit is stored and applied (lock-delays, deadlines). */
  readonly effects: (() => void)[] = [];

  constructor(readonly base: DraftBase) {
    this.kv = new Overlay(base.kv, this.undo, base.kvKeys);
    this.tombstones = new Overlay(base.tombstones, this.undo);
    this.sessions = new Overlay(base.sessions, this.undo);
    this.services = new Overlay(base.services, this.undo);
    this.checks = new Overlay(base.checks, this.undo);
    this.lastIndex = base.index;
  }

  get node(): CatalogNode {
    return this.changedNode ?? this.base.node;
  }

  /** Starts a write: it takes an index only once it changes something. */
  beginWrite(): void {
    this.jobIndex = undefined;
  }

  /** The index of the running write (taken on first use). */
  writeIndex(): number {
    if (this.jobIndex === undefined) {
      this.lastIndex += 1;
      this.jobIndex = this.lastIndex;
    }
    return this.jobIndex;
  }

  /** Whether the running write has taken an index (changed something that raises indexes). */
  hasWriteIndex(): boolean {
    return this.jobIndex !== undefined;
  }

  touch(topic: TopicKey): void {
    this.touched.push([topic, this.writeIndex()]);
  }

  mark(): DraftMark {
    return {
      undoLength: this.undo.length,
      lastIndex: this.lastIndex,
      jobIndex: this.jobIndex,
      touchedLength: this.touched.length,
      effectsLength: this.effects.length,
      node: this.changedNode,
    };
  }

  /** Takes back everything written since the mark. */
  rollback(mark: DraftMark): void {
    while (this.undo.length > mark.undoLength) (this.undo.pop() as UndoStep)();
    this.lastIndex = mark.lastIndex;
    this.jobIndex = mark.jobIndex;
    this.touched.length = mark.touchedLength;
    this.effects.length = mark.effectsLength;
    this.changedNode = mark.node;
  }

  hasChanges(): boolean {
    return (
      this.changedNode !== undefined ||
      this.kv.changed.size > 0 ||
      this.tombstones.changed.size > 0 ||
      this.sessions.changed.size > 0 ||
      this.services.changed.size > 0 ||
      this.checks.changed.size > 0
    );
  }

  /** The rows to store, at the last index handed out. */
  toChange(): CatalogChange {
    const change: CatalogChange = { index: this.lastIndex };
    if (this.changedNode) change.node = this.changedNode;
    split(
      this.kv,
      (puts) => (change.kvPut = puts),
      (deletes) => (change.kvDelete = deletes),
    );
    split(
      this.tombstones,
      (puts) => (change.tombstonePut = puts),
      (deletes) => (change.tombstoneDelete = deletes),
    );
    split(
      this.sessions,
      (puts) => (change.sessionPut = puts),
      (deletes) => (change.sessionDelete = deletes),
    );
    split(
      this.services,
      (puts) => (change.servicePut = puts),
      (deletes) => (change.serviceDelete = deletes),
    );
    split(
      this.checks,
      (puts) => (change.checkPut = puts),
      (deletes) => (change.checkDelete = deletes),
    );
    return change;
  }
}

function split<T>(overlay: Overlay<T>, onPuts: (rows: T[]) => void, onDeletes: (keys: string[]) => void): void {
  if (overlay.changed.size === 0) return;
  const puts: T[] = [];
  const deletes: string[] = [];
  for (const [key, value] of overlay.changed) {
    if (value === null) deletes.push(key);
    else puts.push(value);
  }
  if (puts.length > 0) onPuts(puts);
  if (deletes.length > 0) onDeletes(deletes);
}
