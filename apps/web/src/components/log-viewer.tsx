/**
 * A log view: it follows the newest line while the reader is at the bottom (scrolling up pauses it, "Jump to latest"
 * resumes), searches (highlights, or shows only the matching lines), shows or hides timestamps, wraps or not, and
 * downloads the lines shown as text. ANSI colours are rendered as styled text nodes (never as HTML). It keeps the
 * newest `maxLines` lines (5,000 by default) and says when older ones were dropped. Every line carries
 * `data-line-id`: its persisted id.
 */
import { memo, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { BufferedLine, LineChunk, LogBufferHandle } from './log-buffer.js';

export interface LogViewerProps {
  readonly log: LogBufferHandle;
  /** The view's accessible name ("Deployment log"). */
  readonly label: string;
  /** The downloaded file's name. */
  readonly fileName: string;
  /** Said while there is no line. */
  readonly empty?: ReactNode;
}

const bottomSlackPx = 4;
/** Keys that scroll the focused box up: they stop following at once (before the box's scroll event comes). */
const keysUp = new Set(['ArrowUp', 'PageUp', 'Home']);

export function LogViewer({ log, label, fileName, empty }: LogViewerProps) {
  const { buffer, version } = log;
  const box = useRef<HTMLDivElement>(null);
  const [isFollowing, setIsFollowing] = useState(true);
  const [takenAtPause, setTakenAtPause] = useState(0);
  const [query, setQuery] = useState('');
  const [isFilter, setIsFilter] = useState(false);
  const [showTime, setShowTime] = useState(false);
  const [isWrapped, setIsWrapped] = useState(true);
  const needle = query.trim().toLowerCase();
  const shown = useMemo(
    () =>
      isFilter && needle !== '' ? buffer.lines.filter((l) => l.plain.toLowerCase().includes(needle)) : buffer.lines,
    // `version` changes whenever the buffer's lines do.
    [buffer, version, isFilter, needle],
  );

  useLayoutEffect(() => {
    const element = box.current;
    if (isFollowing && element !== null) element.scrollTop = element.scrollHeight;
  }, [isFollowing, shown, showTime, isWrapped]);

  const pause = (): void => {
    if (!isFollowing) return;
    setIsFollowing(false);
    setTakenAtPause(buffer.taken);
  };
  const onScroll = (): void => {
    const element = box.current;
    if (element === null) return;
    const isAtBottom = element.scrollHeight - element.scrollTop - element.clientHeight <= bottomSlackPx;
    if (isAtBottom && !isFollowing) setIsFollowing(true);
    if (!isAtBottom && isFollowing) pause();
  };
  const download = (): void => {
    const text = shown.map((line) => textOf(line, showTime)).join('\n');
    const url = URL.createObjectURL(new Blob([text === '' ? '' : `${text}\n`], { type: 'text/plain;charset=utf-8' }));
    const anchor = document.createElement('a');
    anchor.href = url;
    anchor.download = fileName;
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  const newLines = isFollowing ? 0 : buffer.taken - takenAtPause;

  return (
    <div className="log-viewer">
      <div className="log-toolbar">
        <button
          type="button"
          className="button"
          aria-pressed={!isFollowing}
          onClick={() => (isFollowing ? pause() : setIsFollowing(true))}
        >
          {isFollowing ? 'Pause' : 'Follow'}
        </button>
        <label className="inline-field">
          <span>Search</span>
          <input
            className="input"
            type="search"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            placeholder="text in the line"
          />
        </label>
        <label className="inline-field">
          <input type="checkbox" checked={isFilter} onChange={(event) => setIsFilter(event.target.checked)} />
          Only matching lines
        </label>
        <label className="inline-field">
          <input type="checkbox" checked={showTime} onChange={(event) => setShowTime(event.target.checked)} />
          Timestamps
        </label>
        <label className="inline-field">
          <input type="checkbox" checked={isWrapped} onChange={(event) => setIsWrapped(event.target.checked)} />
          Wrap lines
        </label>
        <button type="button" className="button" onClick={download}>
          Download
        </button>
      </div>
      <p className="meta small" data-testid="log-count">
        {shown.length} {shown.length === 1 ? 'line' : 'lines'} shown
        {buffer.dropped > 0
          ? ` · the ${buffer.dropped.toLocaleString('en')} oldest dropped (this view keeps the newest ${buffer.maxLines.toLocaleString('en')})`
          : ` · this view keeps the newest ${buffer.maxLines.toLocaleString('en')}`}
      </p>
      <div
        ref={box}
        className={`log-box${isWrapped ? ' is-wrapped' : ''}`}
        role="log"
        aria-label={label}
        aria-live="off"
        tabIndex={0}
        onScroll={onScroll}
        onWheel={(event) => {
          if (event.deltaY < 0) pause();
        }}
        onKeyDown={(event) => {
          if (keysUp.has(event.key)) pause();
        }}
      >
        {shown.length === 0 ? <p className="meta">{empty ?? 'No line yet.'}</p> : null}
        {shown.map((line) => (
          <LogLine key={line.id} line={line} needle={needle} showTime={showTime} />
        ))}
      </div>
      {isFollowing ? null : (
        <button type="button" className="button button-primary log-jump" onClick={() => setIsFollowing(true)}>
          Jump to latest{newLines > 0 ? ` (${newLines} new)` : ''}
        </button>
      )}
    </div>
  );
}

function textOf(line: BufferedLine, showTime: boolean): string {
  const time = showTime && line.time !== null ? `${line.time} ` : '';
  const label = line.label === undefined ? '' : `[${line.label}] `;
  return `${time}${label}${line.plain}`;
}

const LogLine = memo(function LogLine(props: { line: BufferedLine; needle: string; showTime: boolean }) {
  const { line, needle, showTime } = props;
  return (
    <div className={`log-line${line.stream === 'stderr' ? ' is-stderr' : ''}`} data-line-id={line.id}>
      {showTime && line.time !== null ? <time dateTime={line.time}>{line.time}</time> : null}
      {line.label === undefined ? null : <span className="log-label">{line.label}</span>}
      <span className="log-text">
        {line.chunks.map((chunk, index) => (
          <Chunk key={index} chunk={chunk} needle={needle} />
        ))}
      </span>
    </div>
  );
});

function Chunk({ chunk, needle }: { chunk: LineChunk; needle: string }) {
  const style =
    chunk.color === undefined && chunk.background === undefined
      ? undefined
      : {
          ...(chunk.color === undefined ? {} : { color: chunk.color }),
          ...(chunk.background === undefined ? {} : { backgroundColor: chunk.background }),
        };
  const content = needle === '' ? chunk.text : highlighted(chunk.text, needle);
  if (chunk.classNames === '' && style === undefined) return <>{content}</>;
  return (
    <span className={chunk.classNames === '' ? undefined : chunk.classNames} style={style}>
      {content}
    </span>
  );
}

/** The text with each match of `needle` (any case) in a `<mark>`. */
function highlighted(text: string, needle: string): ReactNode {
  const lower = text.toLowerCase();
  const parts: ReactNode[] = [];
  let from = 0;
  for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, from)) {
    if (at > from) parts.push(text.slice(from, at));
    parts.push(<mark key={at}>{text.slice(at, at + needle.length)}</mark>);
    from = at + needle.length;
  }
  if (parts.length === 0) return text;
  if (from < text.length) parts.push(text.slice(from));
  return parts;
}
