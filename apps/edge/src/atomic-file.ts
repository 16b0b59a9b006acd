/** Writes a file so readers see the old content or the new, never a torn one: temp file, fsync, rename, fsync the directory. */
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

let sequence = 0;

export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  sequence += 1;
  const temporary = `${path}.${process.pid}.${sequence}.tmp`;
  try {
    const file = await open(temporary, 'w', mode);
    try {
      await file.writeFile(data);
      await file.datasync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  // The rename itself is only durable once the directory entry is on disk.
  const directory = await open(dirname(path), 'r');
  try {
    await directory.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    await directory.close();
  }
}
