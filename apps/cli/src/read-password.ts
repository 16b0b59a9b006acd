/**
 * Reads a password: typed on a terminal without echo (Enter ends it, Backspace edits, Ctrl-C aborts), or — with
 * `--password-stdin` — all of stdin without its final newline, so scripts never put it on a command line.
 */
import { SlipwayError } from '@slipway/contract';
import type { ProgramIo } from './cli-context.js';
import type { TextSink } from './output.js';
import { isRawTerminal, readAllInput, readHiddenLine, type TerminalInput } from './read-hidden-line.js';

/**
 * The password, from stdin when `fromStdin`, else asked for on the terminal with `promptText`.
 * Errors: `VALIDATION_FAILED` when there is no terminal to ask on (use `--password-stdin`), or it is empty.
 */
export async function readPassword(
  io: ProgramIo,
  options: { fromStdin: boolean; promptText: string; prompt: TextSink },
): Promise<string> {
  const stdin = io.stdin as TerminalInput | undefined;
  let password: string;
  if (options.fromStdin) {
    if (stdin === undefined) throw new SlipwayError('VALIDATION_FAILED', '--password-stdin: there is no stdin');
    password = await readAllInput(stdin);
  } else if (stdin !== undefined && isRawTerminal(stdin)) {
    options.prompt.write(options.promptText);
    try {
      password = await readHiddenLine(stdin, 'no password entered (Ctrl-C)');
    } finally {
      options.prompt.write('\n');
    }
  } else {
    throw new SlipwayError(
      'VALIDATION_FAILED',
      'no terminal to ask for the password on: pipe it in with --password-stdin',
    );
  }
  if (password === '') throw new SlipwayError('VALIDATION_FAILED', 'the password is empty');
  return password;
}
