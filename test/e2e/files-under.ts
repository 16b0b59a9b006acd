/** Test support: every regular file under a directory, for scans of the data dir (sockets and links are skipped). */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir)) {
    const path = join(dir, entry);
    const stats = await lstat(path);
    if (stats.isDirectory()) out.push(...(await filesUnder(path)));
    else if (stats.isFile()) out.push(path);
  }
  return out;
}
