/**
 * What a crash report quotes of an instance's output: the first line that names an error (a thrown message sits above
 * its stack trace, which fills the last lines) and the last lines.
 */

/**
 * A line that states an error: Node's `Error: …` and `TypeError [ERR_X]: …`, Python's `ValueError: …`, Java's
 * `java.lang.IllegalStateException: …`, Go's `panic: …`. Preferred over a line that only mentions one (the source line
 * Node echoes above the thrown message, Python's `Traceback` header).
 */
const statedErrorPattern = /^\s*(Uncaught\s+)?([\w$.]*(Error|Exception)(\s*\[[^\]]*\])?:|panic:|fatal error:)/;
const mentionedErrorPattern = /Error|Exception|Traceback|panic:|FATAL/;

export interface ErrorExcerpt {
  /** The first line naming an error, when there is one and it is not among `lastLines` already. */
  firstError: string | null;
  lastLines: string[];
}

export function errorExcerpt(lines: readonly string[], lastCount: number): ErrorExcerpt {
  // Blank lines and indentation say nothing in one line of text.
  const said = lines.map((line) => line.trim()).filter((line) => line !== '');
  const lastLines = said.slice(-lastCount);
  const firstError =
    said.find((line) => statedErrorPattern.test(line)) ?? said.find((line) => mentionedErrorPattern.test(line));
  const isShown = firstError === undefined || said.indexOf(firstError) >= said.length - lastCount;
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
