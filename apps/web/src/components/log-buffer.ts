/**
 * The lines a log view holds: at most `maxLines` (the oldest are dropped, and counted), each id once (a line that
 * comes again after a reconnect is ignored), each line's ANSI colours parsed once when it arrives.
 */
import { useEffect, useRef, useState } from 'react';
import Anser from 'anser';

/** A line as it arrives: its persisted id (a log line's id, a journal event's seq), when, and its raw text. */
export interface IncomingLine {
  readonly id: number;
  readonly time: string | null;
  readonly text: string;
  readonly stream?: 'stdout' | 'stderr' | undefined;
  /** Where it came from, shown before it (a process and instance, `deploy`). */
  readonly label?: string | undefined;
}

/** One run of text with its colours: class names of the 16 ANSI colours, or an `r, g, b` true colour. */
export interface LineChunk {
  readonly text: string;
  readonly classNames: string;
  readonly color: string | undefined;
  readonly background: string | undefined;
}

export interface BufferedLine extends IncomingLine {
  readonly chunks: readonly LineChunk[];
  /** The text without its escape codes (searched, downloaded). */
  readonly plain: string;
}

export const defaultMaxLines = 5_000;

const namedColour = /^ansi-(bright-)?(black|red|green|yellow|blue|magenta|cyan|white)$/;
const trueColour = /^\d{1,3}, \d{1,3}, \d{1,3}$/;

/** The line's text split into coloured runs; escape codes that are not colours are dropped, never rendered. */
export function parseAnsi(text: string): LineChunk[] {
  return Anser.ansiToJson(text, { use_classes: true, remove_empty: true }).map((entry) => {
    const classes: string[] = [];
    if (namedColour.test(entry.fg)) classes.push(`${entry.fg}-fg`);
    if (namedColour.test(entry.bg)) classes.push(`${entry.bg}-bg`);
    for (const decoration of entry.decorations) classes.push(`ansi-${decoration}`);
    const rgb = (value: string): string | undefined => (trueColour.test(value) ? `rgb(${value})` : undefined);
    return {
      text: entry.content,
      classNames: classes.join(' '),
      color: rgb(entry.fg_truecolor),
      background: rgb(entry.bg_truecolor),
    };
  });
}

/** The lines, bounded and without repeats; `append` answers how many were new. */
export class LogBuffer {
  lines: BufferedLine[] = [];
  /** Lines dropped to stay within `maxLines`. */
  dropped = 0;
  /** Every line taken since the start (a counter for "n new lines"). */
  taken = 0;
  private readonly ids = new Set<number>();

  constructor(readonly maxLines = defaultMaxLines) {}

  append(incoming: readonly IncomingLine[]): number {
    const fresh: BufferedLine[] = [];
    for (const line of incoming) {
      if (this.ids.has(line.id)) continue;
      this.ids.add(line.id);
      const chunks = parseAnsi(line.text);
      fresh.push({ ...line, chunks, plain: chunks.map((c) => c.text).join('') });
    }
    if (fresh.length === 0) return 0;
    let lines = [...this.lines, ...fresh];
    if (lines.some((line, index) => index > 0 && line.id < (lines[index - 1]?.id ?? 0))) {
      lines = lines.sort((a, b) => a.id - b.id);
    }
    const excess = lines.length - this.maxLines;
    if (excess > 0) {
      for (const line of lines.slice(0, excess)) this.ids.delete(line.id);
      lines = lines.slice(excess);
      this.dropped += excess;
    }
    this.lines = lines;
    this.taken += fresh.length;
    return fresh.length;
  }

  clear(): void {
    this.lines = [];
    this.ids.clear();
    this.dropped = 0;
    this.taken = 0;
  }
}

export interface LogBufferHandle {
  readonly buffer: LogBuffer;
  /** Queues a line; queued lines are added together, at most once a frame. */
  readonly push: (line: IncomingLine) => void;
  /** Changes whenever lines were added (a render key). */
  readonly version: number;
}

/** A `LogBuffer` for a component's life, with lines batched so a busy log renders once a frame, not once a line. */
export function useLogBuffer(maxLines = defaultMaxLines): LogBufferHandle {
  const bufferRef = useRef<LogBuffer | undefined>(undefined);
  bufferRef.current ??= new LogBuffer(maxLines);
  const buffer = bufferRef.current;
  const queue = useRef<IncomingLine[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const [version, setVersion] = useState(0);
  useEffect(() => () => clearTimeout(timer.current), []);
  const push = useRef((line: IncomingLine) => {
    queue.current.push(line);
    if (timer.current !== undefined) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      const taken = queue.current;
      queue.current = [];
      if (bufferRef.current?.append(taken) !== 0) setVersion((v) => v + 1);
    }, 16);
  }).current;
  return { buffer, push, version };
}
