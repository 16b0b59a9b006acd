/** Splits text that arrives in pieces into lines, holding at most one capped partial line between pieces. */

/**
 * The longest line delivered whole; a longer one is delivered in pieces, each but the last ending with
 * `lineContinuesMarker`. An app (or a build) that prints megabytes without a newline then costs this much memory, not
 * the size of its line.
 */
export const maxLineLength = 16 * 1024;

/** Ends every piece of a line that was split at `maxLineLength`, so a reader can tell a cut from a line end. */
export const lineContinuesMarker = ' [line continues]';

export class LineSplitter {
  private pending = '';

  constructor(private readonly maxLength: number = maxLineLength) {}

  /** The lines `text` completes (without their `\n` or `\r\n`), and the pieces of any line grown past the cap. */
  push(text: string): string[] {
    const buffer = this.pending + text;
    const lines: string[] = [];
    let start = 0;
    for (let at = buffer.indexOf('\n'); at !== -1; at = buffer.indexOf('\n', start)) {
      const line = buffer.slice(start, at);
      this.cut(line.endsWith('\r') ? line.slice(0, -1) : line, lines);
      start = at + 1;
    }
    // The unfinished line is held back, but only up to the cap: its pieces beyond it go out now.
    this.cut(buffer.slice(start), lines);
    this.pending = lines.pop() ?? '';
    return lines;
  }

  /** The unfinished line, once the text has ended (nothing when it ended with a newline). */
  end(): string[] {
    const rest = this.pending;
    this.pending = '';
    return rest === '' ? [] : [rest];
  }

  /** Forgets the unfinished line (the reader skipped ahead past it). */
  reset(): void {
    this.pending = '';
  }

  private cut(line: string, into: string[]): void {
    let rest = line;
    while (rest.length > this.maxLength) {
      into.push(rest.slice(0, this.maxLength) + lineContinuesMarker);
      rest = rest.slice(this.maxLength);
    }
    into.push(rest);
  }
}
