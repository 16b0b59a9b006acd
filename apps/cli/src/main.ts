/** Entry of the `slipway` CLI: runs the program against the real process and exits with its code. */
import { createProgram } from './program.js';

const controller = new AbortController();
// The first Ctrl-C lets a follower stop politely (and anything else within 2 s); a second one ends the process at once.
process.once('SIGINT', () => {
  controller.abort();
  setTimeout(() => process.exit(130), 2000).unref();
  process.once('SIGINT', () => process.exit(130));
});

// A reader that stops early (`slipway status | head`) closes the pipe: the output is no longer wanted, which is not an
// error — stop quietly, as `cat` and `ls` do, instead of dying of an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const program = createProgram({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  signal: controller.signal,
});
process.exitCode = await program.run(process.argv.slice(2));
