/** Picks the Python a build uses: the version the app asks for (`.python-version`, `runtime.txt`) when the machine has it. */
import { execFile } from 'node:child_process';
import { SlipwayError } from '@slipway/contract';
import { findExecutable, findExecutables } from './find-executable.js';
import { readSourceFile, sourceFileLimit } from '../source/source-file.js';

export interface PythonInterpreter {
  /** Absolute path (or the configured command) of the interpreter. */
  path: string;
  /** `3.11.7`, as the interpreter reports it. */
  version: string;
  /** What the app asked for and where, when it did: `{ version: '3.11', file: '.python-version' }`. */
  asked?: { version: string; file: string };
}

/** Each version query is bounded: a broken shim must not stall the build. */
const versionQueryTimeoutMs = 10_000;

/** `3.12`, `3.12.1`, `python-3.12.1` (runtime.txt), `cpython-3.12` → the `major.minor[.patch]` part; else undefined. */
export function parsePythonVersion(text: string): string | undefined {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:c?python-?)?(3\.\d+(?:\.\d+)?)\s*$/i.exec(line);
    return match?.[1];
  }
  return undefined;
}

async function askedVersion(dir: string): Promise<{ version: string; file: string } | undefined> {
  for (const file of ['.python-version', 'runtime.txt']) {
    const text = await readSourceFile(dir, file, sourceFileLimit(4096));
    if (text === undefined) continue;
    const version = parsePythonVersion(text);
    if (version === undefined) {
      throw new SlipwayError(
        'SOURCE_INVALID',
        `${file} does not name a Python version Slipway understands: write one line such as "3.11"${file === 'runtime.txt' ? ' or "python-3.11.7"' : ''}`,
        { details: { file } },
      );
    }
    return { version, file };
  }
  return undefined;
}

/** The interpreter's `major.minor.micro`, or undefined when it does not run (a pyenv shim of a missing version). */
function versionOf(path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      path,
      ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'],
      { timeout: versionQueryTimeoutMs, maxBuffer: 4096 },
      (error, stdout) => resolve(error === null ? stdout.trim() : undefined),
    );
  });
}

function matches(version: string, asked: string): boolean {
  return version === asked || version.startsWith(`${asked}.`);
}

/**
 * The default Python when the app asks for none; else the first `python3.X` on PATH that runs and reports the
 * version asked (`3.11` matches any 3.11.x; `3.11.7` only itself), the default one included.
 * Errors: `BUILD_FAILED` naming the version asked, the file asking and what the machine has.
 */
export async function resolvePythonInterpreter(
  dir: string,
  configuredPython: string,
  path: string,
  isRunnable: (path: string) => boolean = () => true,
): Promise<PythonInterpreter> {
  const asked = await askedVersion(dir);
  // A bare name is looked up as the build's shell would, among the programs the build can run (a sandboxed build
  // does not see a python under a user's home), so the version asked of it is the one the build gets.
  const defaultPython = configuredPython.includes('/')
    ? configuredPython
    : ((await findExecutable(configuredPython, path, isRunnable)) ?? configuredPython);
  const defaultVersion = await versionOf(defaultPython);
  if (asked === undefined) {
    if (defaultVersion === undefined) {
      throw new SlipwayError('BUILD_FAILED', `the python builder needs Python: "${defaultPython}" does not run`, {
        details: { python: defaultPython },
      });
    }
    // The name as configured: the build's shell finds the same program.
    return { path: configuredPython, version: defaultVersion };
  }
  const minor = asked.version.split('.').slice(0, 2).join('.');
  for (const candidate of await findExecutables(`python${minor}`, path, isRunnable)) {
    const version = await versionOf(candidate);
    if (version !== undefined && matches(version, asked.version)) return { path: candidate, version, asked };
  }
  if (defaultVersion !== undefined && matches(defaultVersion, asked.version)) {
    return { path: defaultPython, version: defaultVersion, asked };
  }
  const available = defaultVersion === undefined ? 'no working python3' : `${defaultPython} is ${defaultVersion}`;
  throw new SlipwayError(
    'BUILD_FAILED',
    `the app asks for Python ${asked.version} (${asked.file}), but this machine has no python${minor} of that version on PATH (${available}): install Python ${asked.version} on the machine, or change ${asked.file}`,
    {
      details: {
        asked: asked.version,
        file: asked.file,
        ...(defaultVersion === undefined ? {} : { available: defaultVersion }),
      },
    },
  );
}
