/**
 * Reads a secret value from stdin, so it stays out of the shell history and the process list: all of a pipe or
 * file (without its one final newline), or one line typed on a terminal without echo.
 */
import { SlipwayError } from '@slipway/contract';
import type { TextSink } from './output.js';
import { isRawTerminal, readAllInput, readHiddenLine, type TerminalInput } from './read-hidden-line.js';

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
  if (isRawTerminal(stdin)) {
    prompt.write(`value of ${name} (not shown; Enter to finish): `);
    try {
      return await readHiddenLine(stdin, 'no value entered (Ctrl-C)');
    } finally {
      prompt.write('\n');
    }
  }
  return readAllInput(stdin);
}
