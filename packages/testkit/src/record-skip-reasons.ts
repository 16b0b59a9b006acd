/**
 * Vitest setup file: a test skipped at run time with `context.skip(reason)` keeps its reason only as a note the JSON
 * report leaves out; copying it into `meta.skipReason` puts it where CI's list of skips reads it.
 */
import { afterEach } from 'vitest';

declare module '@vitest/runner' {
  interface TaskResult {
    /** What `context.skip(note)` gave (Vitest's runner sets it; its types leave it out). */
    note?: string;
  }
}

afterEach(({ task }) => {
  if (task.result?.state === 'skip' && task.result.note !== undefined) task.meta.skipReason ??= task.result.note;
});
