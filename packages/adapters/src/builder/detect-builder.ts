/** Finds which builder fits a source tree: the manifest's `image:` or `build.dockerfile`, then marker files in a fixed order. */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuilderName, Manifest } from '@slipway/contract';

export interface Detection {
  builder: BuilderName;
  /** The marker that decided it, for the build log: `package.json`, `public/index.html` … */
  marker: string;
}

export const pythonMarkers = [
  'requirements.txt',
  'pyproject.toml',
  'app.py',
  'main.py',
  'server.py',
  'wsgi.py',
] as const;
export const pythonEntries = ['app.py', 'main.py', 'server.py', 'wsgi.py'] as const;
export const staticDirs = ['.', 'public', 'dist', 'build'] as const;

/** What detection looks for, in order; used in the `BUILDER_NOT_DETECTED` message. */
export const detectionSummary =
  'image: in slipway.yaml (image); build.dockerfile in slipway.yaml or a Dockerfile (dockerfile); package.json (node); requirements.txt, pyproject.toml, app.py, main.py, server.py or wsgi.py (python); ' +
  'index.html at the root or in public/, dist/ or build/ (static); Procfile (procfile)';

export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The first of `.`, `public`, `dist`, `build` holding an `index.html`. */
export async function findStaticDir(dir: string): Promise<string | undefined> {
  for (const candidate of staticDirs) {
    if (await isFile(join(dir, candidate, 'index.html'))) return candidate;
  }
  return undefined;
}

/**
 * Order: image (`manifest.image`), dockerfile (`manifest.build.dockerfile`, or a `Dockerfile` at the root, which wins
 * over package.json and the rest as in Dokku: whoever wrote one means it), node, python, static, procfile — the first
 * match wins; undefined when nothing matches.
 */
export async function detectBuilder(
  dir: string,
  manifest: Pick<Manifest, 'image' | 'build'> = {},
): Promise<Detection | undefined> {
  if (manifest.image !== undefined) return { builder: 'image', marker: 'image: in slipway.yaml' };
  if (manifest.build?.dockerfile !== undefined) {
    return { builder: 'dockerfile', marker: 'build.dockerfile in slipway.yaml' };
  }
  if (await isFile(join(dir, 'Dockerfile'))) return { builder: 'dockerfile', marker: 'Dockerfile' };
  if (await isFile(join(dir, 'package.json'))) return { builder: 'node', marker: 'package.json' };
  for (const marker of pythonMarkers) {
    if (await isFile(join(dir, marker))) return { builder: 'python', marker };
  }
  const staticDir = await findStaticDir(dir);
  if (staticDir !== undefined) return { builder: 'static', marker: join(staticDir, 'index.html') };
  if (await isFile(join(dir, 'Procfile'))) return { builder: 'procfile', marker: 'Procfile' };
  return undefined;
}
