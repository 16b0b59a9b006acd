// Installs dependencies when node_modules is missing or older than package-lock.json, so `npm start`/`npm test` work on a fresh clone.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export function ensureInstall(root) {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.slipway-install-stamp');
  const manifests = ['package.json', 'package-lock.json'].map((f) =>
    existsSync(join(root, f)) ? readFileSync(join(root, f)) : '',
  );
  const hash = createHash('sha256').update(manifests.join('\0')).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;
  const env = { ...process.env };
  // Native addons (better-sqlite3) build from source against the system's Node headers when no prebuilt binary can be fetched.
  if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';
  const args = existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  console.error(`slipway: installing dependencies (npm ${args[0]}) …`);
  const result = spawnSync('npm', args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error('slipway: npm install failed; see the output above');
    process.exit(result.status ?? 1);
  }
  writeFileSync(stamp, hash);
}
