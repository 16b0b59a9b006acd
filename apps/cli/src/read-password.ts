/**
 * Reads a password: typed on a terminal without echo (Enter ends it, Backspace edits, Ctrl-C aborts), or — with
 * `--password-stdin` — all of stdin without its final newline, so scripts never put it on a command line.
 */
import { SlipwayError } from '@slipway/contract';
import type { ProgramIo } from './cli-context.js';
import type { TextSink } from './output.js';

type Stdin = NonNullable<ProgramIo['stdin']> & { setRawMode?: (mode: boolean) => unknown };

async function readAll(stdin: Stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function readHidden(stdin: Stdin & { setRawMode: (mode: boolean) => unknown }): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: SlipwayError): void => {
      stdin.removeListener('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      if (error === undefined) resolve(value);
      else reject(error);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new SlipwayError('VALIDATION_FAILED', 'no password entered (Ctrl-C)'));
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else value += char;
      }
    };
    stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}

/**
 * The password, from stdin when `fromStdin`, else asked for on the terminal with `promptText`.
 * Errors: `VALIDATION_FAILED` when there is no terminal to ask on (use `--password-stdin`), or it is empty.
 */
export async function readPassword(
  io: ProgramIo,
  options: { fromStdin: boolean; promptText: string; prompt: TextSink },
): Promise<string> {
  const stdin = io.stdin as Stdin | undefined;
  let password: string;
  if (options.fromStdin) {
    if (stdin === undefined) throw new SlipwayError('VALIDATION_FAILED', '--password-stdin: there is no stdin');
    password = await readAll(stdin);
  } else if (stdin?.isTTY === true && typeof stdin.setRawMode === 'function') {
    options.prompt.write(options.promptText);
    try {
      password = await readHidden(stdin as Stdin & { setRawMode: (mode: boolean) => unknown });
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
