/**
 * Where the collection of an instance's output resumes: the backlog a runtime gives back (its last lines) overlaps
 * what was stored before a restart of slipwayd, or before a follower was opened again. The overlap is found by the
 * stored lines' times and, for lines the runtime dates no better than "when the file was last written", by matching the
 * last stored lines of the stream against the backlog.
 */

/**
 * How many lines at the start of `backlog` were stored already: the end of the longest prefix of `backlog` that ends
 * with the stored suffix (all of it, or, when the backlog starts inside it, as much of it as the prefix holds). 0 when
 * they do not meet.
 */
export function storedPrefixLength(backlog: readonly string[], storedSuffix: readonly string[]): number {
  if (storedSuffix.length === 0) return 0;
  let partial = 0;
  for (let end = backlog.length; end >= 1; end -= 1) {
    const span = Math.min(storedSuffix.length, end);
    let isMatch = true;
    for (let k = 1; k <= span; k += 1) {
      if (backlog[end - k] !== storedSuffix[storedSuffix.length - k]) {
        isMatch = false;
        break;
      }
    }
    if (!isMatch) continue;
    if (span === storedSuffix.length) return end;
    partial = Math.max(partial, end);
  }
  return partial;
}
