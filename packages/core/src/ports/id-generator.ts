/** Generates unique, sortable ids; injectable so tests get predictable ones. */
export interface IdGenerator {
  /** A new id with the given prefix, e.g. `dep_01J…`. Unique within this store. */
  next(prefix: string): string;
}
