// `npm start`: install what is missing, build, and run slipwayd in the foreground with its embedded defaults.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInstall } from './ensure-install.mjs';
import { slipwaydNodeFlags } from './slipwayd-node-flags.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
ensureInstall(root);
const { buildAll } = await import('./build.mjs');
await buildAll();
const child = spawn(
  process.execPath,
  [...slipwaydNodeFlags, join(root, 'apps/server/dist/slipwayd.mjs'), ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    cwd: root,
  },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
