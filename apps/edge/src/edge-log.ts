/** The edge router's structured log: pino-compatible JSON lines written asynchronously, never blocking a request. */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';

/** The subset of the Logger port the edge uses; a pino logger or the core Logger fits it structurally. */
export interface EdgeLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface JsonLineLog extends EdgeLog {
  /** Resolves once every accepted line has been handed to the OS. */
  flush(): Promise<void>;
}

export const silentLog: EdgeLog = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** pino's numeric levels, so pino-pretty and friends read our file as is. */
const levels = { info: 30, warn: 40, error: 50 } as const;

/** Lines queued beyond this are dropped (and counted) rather than growing memory when the disk stalls. */
const maxQueuedBytes = 4 * 1024 * 1024;

export interface JsonLineLogOptions {
  /** Defaults to an asynchronous stream on fd 1: `process.stdout` is synchronous when redirected to a file. */
  stream?: Writable;
  bindings?: object;
}

export function createJsonLineLog(options: JsonLineLogOptions = {}): JsonLineLog {
  const stream = options.stream ?? createWriteStream('/dev/stdout', { fd: 1, autoClose: false });
  const bindings = { pid: process.pid, ...options.bindings };
  let droppedLines = 0;

  function write(level: keyof typeof levels, fields: object, message: string): void {
    if (stream.writableLength > maxQueuedBytes) {
      droppedLines += 1;
      return;
    }
    const dropped = droppedLines > 0 ? { droppedLines } : undefined;
    droppedLines = 0;
    const line = { level: levels[level], time: Date.now(), ...bindings, ...dropped, ...fields, msg: message };
    stream.write(`${JSON.stringify(line, errorReplacer)}\n`);
  }

  return {
    info: (fields, message) => write('info', fields, message),
    warn: (fields, message) => write('warn', fields, message),
    error: (fields, message) => write('error', fields, message),
    flush: () =>
      new Promise((resolve) => {
        // An empty write calls back once everything queued before it has been written.
        stream.write('', () => resolve());
      }),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as NodeJS.ErrnoException).code;
    return { type: value.name, message: value.message, ...(code === undefined ? {} : { code }), stack: value.stack };
  }
  return value;
}
