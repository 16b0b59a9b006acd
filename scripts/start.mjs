// `npm start`: install what running needs when it is missing, build when the sources changed, and run slipwayd in the
// foreground with its embedded defaults. Stopping this script stops slipwayd (its apps and the edge keep running, as
// on any stop of slipwayd): SIGINT, SIGTERM and SIGHUP are passed on, and so is the end of the parent — `npm` exits
// on SIGTERM without passing it to its script, which would otherwise leave slipwayd running orphaned.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInstall } from './ensure-install.mjs';
import { slipwaydNodeFlags } from './slipwayd-node-flags.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const parentPid = process.ppid;
const say = (text) => console.error(`slipway: ${text}`);

ensureInstall(root, { purpose: 'run' });
const { buildIfChanged } = await import('./build.mjs');
const buildStartedMs = Date.now();
say('building slipwayd, the edge and the CLI if their sources changed …');
const isBuilt = await buildIfChanged();
say(isBuilt ? `built in ${((Date.now() - buildStartedMs) / 1000).toFixed(1)} s` : 'up to date, nothing to build');

const child = spawn(
  process.execPath,
  [...slipwaydNodeFlags, join(root, 'apps/server/dist/slipwayd.mjs'), ...process.argv.slice(2)],
  { stdio: 'inherit', cwd: root },
);

let forwarded;
const forward = (signal) => {
  if (forwarded !== undefined || child.exitCode !== null || child.signalCode !== null) return;
  forwarded = signal;
  child.kill(signal);
};
process.on('SIGINT', () => forward('SIGINT'));
process.on('SIGTERM', () => forward('SIGTERM'));
// A closed terminal: an orderly stop, not SIGHUP's default of dying on the spot.
process.on('SIGHUP', () => forward('SIGTERM'));
// Re-parented (the parent exited without a word): stop as if told to.
const parentWatch = setInterval(() => {
  if (process.ppid !== parentPid) forward('SIGTERM');
}, 250);
child.on('exit', (code, signal) => {
  clearInterval(parentWatch);
  process.exit(code ?? (signal ? 1 : 0));
});
