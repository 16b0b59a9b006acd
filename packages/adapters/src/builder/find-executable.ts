/** Finds a program by name in the directories of a PATH value, as the shell would. */
import { access, constants } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { isFile } from './detect-builder.js';

/** Every executable file called `name` in the PATH directories, in PATH order, that `isRunnable` accepts. */
export async function findExecutables(
  name: string,
  path: string,
  isRunnable: (path: string) => boolean = () => true,
): Promise<string[]> {
  const found: string[] = [];
  for (const dir of path.split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (!(await isFile(candidate)) || !isRunnable(candidate)) continue;
    try {
      await access(candidate, constants.X_OK);
      found.push(candidate);
    } catch {
      // Not executable: the shell would skip it too.
    }
  }
  return found;
}

/** The first executable called `name` on PATH that `isRunnable` accepts, or undefined. */
export async function findExecutable(
  name: string,
  path: string,
  isRunnable?: (path: string) => boolean,
): Promise<string | undefined> {
  return (await findExecutables(name, path, isRunnable))[0];
}
