/**
 * Makes a virtualenv's scripts work wherever the venv lands: pip writes each entry point with the absolute path of
 * the venv's python (`#!/…/workspace/.venv/bin/python`), and the build's workspace is renamed into the releases
 * (and a cached venv is copied into later builds), so that path no longer exists where the release runs.
 */
import { open, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The launcher uv writes for relocatable venvs: `sh` runs the second line (an `exec` of the python beside the script,
 * found through the script's own path), while Python reads the same lines as a harmless string expression.
 */
const relocatableHeader = `#!/bin/sh\n'''exec' "$(dirname -- "$(realpath -- "$0")")"/python "$0" "$@"\n' '''\n`;

/** First line `#!<abs>/bin/python…` (short paths), or the `sh` trick pip uses when that path is too long. */
const pythonShebang = /^#!\s*(\/\S*\/bin\/python[0-9.]*)\s*\n/;
const longPathLauncher = /^#!\/bin\/sh\n'''exec' (?:"|')?(\/\S*?\/bin\/python[0-9.]*)(?:"|')? "\$0" "\$@"\n' '''\n/;

/** Rewrites the scripts of `<venvDir>/bin` whose interpreter is a python of a `bin` directory; returns how many. */
export async function relocateVirtualenv(venvDir: string): Promise<number> {
  const binDir = join(venvDir, 'bin');
  let entries;
  try {
    entries = await readdir(binDir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let rewritten = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(binDir, entry.name);
    if (!(await startsWithShebang(path))) continue;
    const text = await readFile(path, 'utf8');
    const match = longPathLauncher.exec(text) ?? pythonShebang.exec(text);
    if (match === null) continue;
    // writeFile keeps the file's owner and mode (a sandboxed build's user, the executable bit).
    await writeFile(path, relocatableHeader + text.slice(match[0].length));
    rewritten += 1;
  }
  return rewritten;
}

/** Reads two bytes only, so a large binary in `bin/` is never read whole. */
async function startsWithShebang(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head.toString('latin1') === '#!';
  } finally {
    await handle.close();
  }
}
