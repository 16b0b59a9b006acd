/**
 * What a crash report quotes of an instance's output: the first line that names an error (a thrown message sits above
 * its stack trace, which fills the last lines) and the last lines.
 */

/** A line naming an error: Node's `Error: …`/`TypeError: …`, Python's `Traceback`/`…Error:`, Java's `…Exception`. */
const errorLinePattern = /Error|Exception|Traceback|panic:|FATAL/;

export interface ErrorExcerpt {
  /** The first line naming an error, when there is one and it is not among `lastLines` already. */
  firstError: string | null;
  lastLines: string[];
}

export function errorExcerpt(lines: readonly string[], lastCount: number): ErrorExcerpt {
  const lastLines = lines.slice(-lastCount);
  const firstError = lines.find((line) => errorLinePattern.test(line));
  const isShown = firstError === undefined || lines.indexOf(firstError) >= lines.length - lastCount;
  return { firstError: isShown ? null : firstError, lastLines };
}

/** The excerpt in one line: `first error: …; last output: a | b | c`. */
export function formatErrorExcerpt(excerpt: ErrorExcerpt): string {
  const parts = [
    ...(excerpt.firstError === null ? [] : [`first error: ${excerpt.firstError}`]),
    ...(excerpt.lastLines.length === 0 ? [] : [`last output: ${excerpt.lastLines.join(' | ')}`]),
  ];
  return parts.join('; ');
}
