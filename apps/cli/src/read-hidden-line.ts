/** Reading what must not be echoed or left in the shell history: one line typed unechoed, or all of a pipe. */
import { SlipwayError } from '@slipway/contract';

/** A terminal's stdin as Node gives it: raw mode turns echo and line editing off. */
export interface TerminalInput extends NodeJS.ReadableStream {
  isTTY?: boolean | undefined;
  setRawMode?: (mode: boolean) => unknown;
}

export type RawTerminalInput = TerminalInput & { setRawMode: (mode: boolean) => unknown };

export const isRawTerminal = (input: TerminalInput): input is RawTerminalInput =>
  input.isTTY === true && typeof input.setRawMode === 'function';

/** All of `input` as UTF-8, without its one final newline. */
export async function readAllInput(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * One line from a terminal in raw mode: Enter or Ctrl-D ends it, Backspace edits it, Ctrl-C aborts it with
 * `VALIDATION_FAILED` and `abortMessage`.
 */
export function readHiddenLine(input: RawTerminalInput, abortMessage: string): Promise<string> {
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
        if (char === '\u0003') return finish(new SlipwayError('VALIDATION_FAILED', abortMessage));
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else value += char;
      }
    };
    input.setRawMode(true);
    input.on('data', onData);
    input.resume();
  });
}
