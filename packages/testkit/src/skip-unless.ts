/**
 * Skips that say why: a suite that cannot run here (no Docker Engine, no swarm) skips with its reason recorded on every
 * test (`meta.skipReason`, in Vitest's JSON report), where CI lists it and fails unless the skip is allowed.
 */
import type { SuiteOptions } from 'vitest';

declare module '@vitest/runner' {
  interface TaskMeta {
    /** Why the test did not run: set by `skipUnless` for a suite, and from `context.skip(reason)` for one test. */
    skipReason?: string;
  }
}

export interface Availability {
  readonly isAvailable: boolean;
  /** Why it is not available; read only when it is not. */
  readonly reason: string;
}

/** Options for `describe(name, skipUnless(engine), fn)`: none when available, else a skip carrying the reason. */
export function skipUnless(need: Availability): SuiteOptions {
  return need.isAvailable ? {} : { skip: true, meta: { skipReason: need.reason } };
}
