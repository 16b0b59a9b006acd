/**
 * Reads a secret value from stdin, so it stays out of the shell history and the process list: all of a pipe or
 * file (without its one final newline), or one line typed on a terminal without echo.
 */
import { SlipwayError } from '@slipway/contract';
import type { TextSink } from './output.js';

/** A terminal's stdin as Node gives it: raw mode turns echo and line editing off. */
interface TerminalInput extends NodeJS.ReadableStream {
  isTTY?: boolean | undefined;
  setRawMode?: (mode: boolean) => unknown;
}

type RawTerminalInput = TerminalInput & { setRawMode: (mode: boolean) => unknown };

const isTerminal = (input: TerminalInput): input is RawTerminalInput =>
  input.isTTY === true && typeof input.setRawMode === 'function';

const withoutFinalNewline = (text: string): string => text.replace(/\r?\n$/, '');

async function readAll(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return withoutFinalNewline(Buffer.concat(chunks).toString('utf8'));
}

/** One line from a terminal in raw mode: Enter ends it, Backspace edits it, Ctrl-C aborts, Ctrl-D ends it. */
function readHiddenLine(input: RawTerminalInput): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error): void => {
      input.removeListener('data', onData);
      input.setRawMode(false);
      input.pause();
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new SlipwayError('VALIDATION_FAILED', 'no value entered (Ctrl-C)'));
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else value += char;
      }
    };
    input.setRawMode(true);
    input.on('data', onData);
    input.resume();
  });
}

/**
 * The value of secret `name` from `stdin`. On a terminal, asks for it on `prompt` and reads it unechoed.
 * Errors: `VALIDATION_FAILED` when there is no stdin or the entry is aborted.
 */
export async function readSecretValue(
  name: string,
  stdin: TerminalInput | undefined,
  prompt: TextSink,
): Promise<string> {
  if (stdin === undefined) {
    throw new SlipwayError('VALIDATION_FAILED', `--from-stdin ${name}: there is no stdin to read the value from`);
  }
  if (isTerminal(stdin)) {
    prompt.write(`value of ${name} (not shown; Enter to finish): `);
    try {
      return await readHiddenLine(stdin);
    } finally {
      prompt.write('\n');
    }
  }
  return readAll(stdin);
}
