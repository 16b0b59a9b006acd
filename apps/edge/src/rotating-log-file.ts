/**
 * An append-only log file that rotates by size: past `maxBytes` it becomes `<path>.1` (older ones shift up to
 * `<path>.<keep>`, the oldest is dropped) and a new file is opened. Several router processes may append to the
 * same path: one that finds the file moved by another's rotation reopens it.
 */
import { createWriteStream, fstatSync, openSync, renameSync, rmSync, statSync, type WriteStream } from 'node:fs';

/** What the access log writes to: a file stream, or any Writable in tests. */
export interface LogSink {
  /** A string is written as UTF-8; a buffer as it is. */
  write(chunk: string | Buffer, callback?: () => void): boolean;
  readonly writableLength: number;
  end(callback: () => void): void;
}

export interface RotatingLogFileOptions {
  /** Size past which the file rotates (default 64 MiB). */
  readonly maxBytes?: number;
  /** Rotated files kept (default 3). */
  readonly keep?: number;
}

/** How often a process checks whether another one rotated the file under it. */
const movedCheckIntervalMs = 5_000;

export class RotatingLogFile implements LogSink {
  private stream: WriteStream;
  private fd = -1;
  private size: number;
  private checkedAtMs = Date.now();
  private readonly maxBytes: number;
  private readonly keep: number;

  constructor(
    private readonly path: string,
    options: RotatingLogFileOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.keep = Math.max(1, options.keep ?? 3);
    this.stream = this.open();
    this.size = sizeOf(path);
  }

  get writableLength(): number {
    return this.stream.writableLength;
  }

  write(chunk: string | Buffer, callback?: () => void): boolean {
    if (chunk.length > 0) {
      if (this.size >= this.maxBytes) this.rotate();
      else if (Date.now() - this.checkedAtMs > movedCheckIntervalMs) this.reopenIfMoved();
      this.size += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    }
    return this.stream.write(chunk, callback);
  }

  end(callback: () => void): void {
    this.stream.end(callback);
  }

  private open(): WriteStream {
    this.fd = openSync(this.path, 'a', 0o600);
    const stream = createWriteStream(this.path, { fd: this.fd, flags: 'a' });
    // A failing disk must not crash the router: lines are lost, traffic goes on.
    stream.on('error', () => undefined);
    return stream;
  }

  private rotate(): void {
    try {
      rmSync(`${this.path}.${this.keep}`, { force: true });
      for (let n = this.keep - 1; n >= 1; n -= 1) renameIfPresent(`${this.path}.${n}`, `${this.path}.${n + 1}`);
      renameIfPresent(this.path, `${this.path}.1`);
    } catch {
      // Another process rotated at the same moment; append to whatever file the path names now.
    }
    this.reopen();
  }

  private reopenIfMoved(): void {
    this.checkedAtMs = Date.now();
    try {
      if (statSync(this.path).ino === fstatSync(this.fd).ino) return;
    } catch {
      // Gone (moved away and not recreated yet): open it again.
    }
    this.reopen();
  }

  private reopen(): void {
    const old = this.stream;
    this.stream = this.open();
    old.end();
    this.size = sizeOf(this.path);
    this.checkedAtMs = Date.now();
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function renameIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
