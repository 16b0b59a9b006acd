// Installs dependencies when node_modules does not match package.json and package-lock.json, so `npm start` and
// `npm test` work on a fresh clone. `npm start` needs only what running takes (`--omit=dev`: no test, lint or type
// tooling; esbuild, which builds the programs, is a dependency); `npm test` and a direct build need everything.
// A stamp in node_modules records the manifests' hash and which of the two is installed.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** @typedef {'run' | 'develop'} InstallPurpose */

export function installStampPath(root) {
  return join(root, 'node_modules', '.slipway-install-stamp');
}

function manifestsHash(root) {
  const manifests = ['package.json', 'package-lock.json'].map((f) =>
    existsSync(join(root, f)) ? readFileSync(join(root, f)) : '',
  );
  return createHash('sha256').update(manifests.join('\0')).digest('hex');
}

/** What the stamp says is installed, and for which manifests. */
function readStamp(root) {
  const stamp = installStampPath(root);
  if (!existsSync(stamp)) return undefined;
  const [hash, purpose = 'develop'] = readFileSync(stamp, 'utf8').trim().split(/\s+/);
  return { hash, purpose };
}

/** @param {string} root @param {{ purpose?: InstallPurpose }} [options] */
export function ensureInstall(root, options = {}) {
  const hash = manifestsHash(root);
  const stamp = readStamp(root);
  // `develop` covers `run`; a tree installed for development stays one when the manifests change.
  const purpose = stamp?.purpose === 'develop' ? 'develop' : (options.purpose ?? 'develop');
  if (stamp?.hash === hash && (stamp.purpose === 'develop' || stamp.purpose === purpose)) return;
  const env = { ...process.env };
  // Native addons (better-sqlite3) build from source against the system's Node headers when no prebuilt binary can be fetched.
  if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';
  const hasLock = existsSync(join(root, 'package-lock.json'));
  const args = [
    hasLock ? 'ci' : 'install',
    ...(purpose === 'run' ? ['--omit=dev'] : []),
    '--no-audit',
    '--no-fund',
    // Install scripts (a native addon compiling) print as they run: a long first install shows its progress.
    '--foreground-scripts',
  ];
  const what = purpose === 'run' ? 'the packages slipwayd needs to run' : 'every package, test and lint tools included';
  console.error(`slipway: installing ${what} (npm ${args.join(' ')}) …`);
  const startedMs = Date.now();
  const result = spawnSync('npm', args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error('slipway: npm install failed; see the output above');
    process.exit(result.status ?? 1);
  }
  writeFileSync(installStampPath(root), `${hash} ${purpose}\n`);
  console.error(`slipway: installed in ${((Date.now() - startedMs) / 1000).toFixed(1)} s`);
}
