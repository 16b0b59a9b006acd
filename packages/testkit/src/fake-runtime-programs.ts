/** The fake runtime driver's program vocabulary, as the contract suite's programs and for core tests. */
import type { RuntimeDriverPrograms } from './runtime-driver-contract.js';

/**
 * The fake's program vocabulary. A command is not run: the fake acts it out in the test process.
 * - `fake:http-server` listens on `PORT` with a real HTTP server (200 `ok`) and prints `listening`;
 * - `fake:exit <code>` exits at once with that code;
 * - `fake:oom` is killed at once for going over its memory limit (137, SIGKILL, `oomKilled`);
 * - `fake:chatty <n>` prints `line 1` … `line <n>`;
 * - `fake:print-env <NAME> …` prints `NAME=value` for each name; `fake:print-env-and-exit <NAME> …` then exits 0;
 * - any other command runs silently until it is stopped or `crash`ed, so realistic commands work in core tests.
 * A spec with an image runs it only when the image's name starts with `fake-image:`; other images do not exist.
 * Exec commands: `fake:echo-exit <code> <text>` prints the text and exits with the code; `fake:hang` runs until its
 * timeout (exit code 124); any other exec succeeds with no output unless `setExecHandler` says otherwise.
 */
export const fakeRuntimePrograms = {
  httpServer: 'fake:http-server',
  exitThree: 'fake:exit 3',
  chatty: (lines) => `fake:chatty ${lines}`,
  printEnv: (names) => `fake:print-env ${names.join(' ')}`,
  execEcho: (text, exitCode) => `fake:echo-exit ${exitCode} ${text}`,
  execHang: 'fake:hang',
} satisfies RuntimeDriverPrograms;
