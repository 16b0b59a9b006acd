/**
 * The access log: one JSON line per request, built by hand (no object per line), batched and written
 * asynchronously every `flushIntervalMs` or once a batch reaches `maxBatchBytes`, so a busy router makes a few
 * writes per second, not one per request.
 */
import { RotatingLogFile, type LogSink, type RotatingLogFileOptions } from './rotating-log-file.js';

export interface AccessLog {
  /**
   * One line per request: `path` without its query, `instanceId` and `release` of the upstream that answered (`null`
   * for the router's own answers: 404, 503, 502, 504), `bytes` written to the client (head included). Positional,
   * so that recording a request makes no object (an entry object escapes whenever the optimizer does not inline this).
   */
  readonly record: (
    method: string,
    host: string,
    path: string,
    status: number,
    instanceId: string | null,
    release: number | null,
    durationUs: number,
    bytes: number,
    requestId: string,
  ) => void;
  /** Resolves once every recorded line has been handed to the OS. */
  readonly flush: () => Promise<void>;
  readonly close: () => Promise<void>;
}

export const noAccessLog: AccessLog = {
  record: () => undefined,
  flush: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

/** Lines beyond this in the stream's queue are dropped (and counted) rather than growing memory when the disk stalls. */
const maxQueuedBytes = 8 * 1024 * 1024;
const flushIntervalMs = 50;
const maxBatchBytes = 64 * 1024;

/** Appends to `path`, rotated by size (default: past 64 MiB, 3 old files kept). */
export function createFileAccessLog(path: string, rotation: RotatingLogFileOptions = {}): AccessLog {
  return createAccessLog(new RotatingLogFile(path, rotation));
}

export function createAccessLog(stream: LogSink): AccessLog {
  let batch = '';
  let isScheduled = false;
  let droppedLines = 0;

  function write(): void {
    isScheduled = false;
    clearTimeout(timer);
    if (batch === '') return;
    if (stream.writableLength > maxQueuedBytes) {
      droppedLines += countLines(batch);
    } else {
      if (droppedLines > 0) batch += `{"time":${Date.now()},"droppedLines":${droppedLines}}\n`;
      droppedLines = 0;
      // Every line is ASCII (see `jsonEscaped`): one byte per char, no UTF-8 pass.
      stream.write(Buffer.from(batch, 'latin1'));
    }
    batch = '';
  }

  let timer: NodeJS.Timeout | undefined;

  function record(
    method: string,
    host: string,
    path: string,
    status: number,
    instanceId: string | null,
    release: number | null,
    durationUs: number,
    bytes: number,
    requestId: string,
  ): void {
    // Every string goes in between quotes as it is unless it needs escaping (rare: the router's own values and
    // what its strict parser accepted are printable ASCII); no string is made per field.
    const quote = instanceId === null ? '' : '"';
    batch += `{"time":${Date.now()},"method":"${jsonEscaped(method)}","host":"${jsonEscaped(host)}","path":"${jsonEscaped(path)}","status":${status},"instanceId":${quote}${instanceId === null ? 'null' : jsonEscaped(instanceId)}${quote},"release":${release ?? 'null'},"durationUs":${durationUs},"bytes":${bytes},"requestId":"${jsonEscaped(requestId)}"}\n`;
    if (batch.length >= maxBatchBytes) {
      write();
      return;
    }
    if (!isScheduled) {
      isScheduled = true;
      timer = setTimeout(write, flushIntervalMs);
    }
  }

  function flush(): Promise<void> {
    if (isScheduled) write();
    return new Promise((resolve) => stream.write('', () => resolve()));
  }

  async function close(): Promise<void> {
    await flush();
    await new Promise<void>((resolve) => stream.end(() => resolve()));
  }

  return { record, flush, close };
}

/**
 * `text` as the inside of a JSON string literal, in ASCII: itself when nothing needs escaping (what the router's
 * parser accepts is printable ASCII, or latin1 field bytes read one char each), else escaped, `\u00XX` above `~`.
 */
function jsonEscaped(text: string): string {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 32 || code === 34 || code === 92 || code > 126) return escapeJson(text);
  }
  return text;
}

function escapeJson(text: string): string {
  return JSON.stringify(text)
    .slice(1, -1)
    .replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function countLines(text: string): number {
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines += 1;
  return lines;
}
