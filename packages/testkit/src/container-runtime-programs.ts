/** The runtime driver contract's programs for drivers that run images, as `node -e` one-liners for `dockerTestImages.node`. */
import type { RuntimeDriverPrograms } from './runtime-driver-contract.js';

const quote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

/** The shell command running `script` with the image's `node`, `args` after it (`process.argv.slice(1)`), all quoted. */
export const nodeCommand = (script: string, ...args: string[]): string =>
  ['node', '-e', quote(script), ...args.map(quote)].join(' ');

/** Ends a script so that node keeps running until it is stopped. */
export const runForeverScript = 'setInterval(() => {}, 1e9);';

/** `RuntimeDriverPrograms` for the Docker and Swarm drivers: node programs in the node image, exec commands for its `sh`. */
export const containerRuntimePrograms = {
  httpServer: nodeCommand(
    "require('http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), () => console.log('listening'));" +
      "process.on('SIGTERM', () => process.exit(0));",
  ),
  exitThree: nodeCommand('process.exit(3);'),
  chatty: (lines) => nodeCommand(`for (let i = 1; i <= ${lines}; i++) console.log('line ' + i); ${runForeverScript}`),
  printEnv: (names) =>
    nodeCommand(
      `for (const name of process.argv.slice(1)) console.log(name + '=' + process.env[name]); ${runForeverScript}`,
      ...names,
    ),
  execEcho: (text, exitCode) => `echo ${quote(text)}; exit ${exitCode}`,
  execHang: 'sleep 600',
  // Buffer.alloc fills its memory, so every chunk is really resident.
  memoryHog: nodeCommand('const held = []; setInterval(() => held.push(Buffer.alloc(8 * 1024 * 1024, 1)), 10);'),
} satisfies RuntimeDriverPrograms;
