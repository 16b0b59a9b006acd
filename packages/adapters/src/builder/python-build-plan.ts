/**
 * Plans a Python build: the interpreter the app asks for, a virtualenv filled from `uv.lock`, `poetry.lock`,
 * `requirements.txt` or `pyproject.toml` (first found), its scripts made relocatable and its `bin` first on PATH at run
 * time, started with the detected entry file unless a Procfile or the manifest says otherwise.
 */
import { join } from 'node:path';
import { SlipwayError } from '@slipway/contract';
import type { BuildPlan, DependencyInstall, PlanContext } from './build-plan.js';
import { isFile, pythonEntries } from './detect-builder.js';
import { findExecutable } from './find-executable.js';
import { resolvePythonInterpreter, type PythonInterpreter } from './python-interpreter.js';
import { relocateVirtualenv } from './relocate-virtualenv.js';
import { shellQuote } from './shell-quote.js';
import { readSourceFile, sourceFileLimit } from '../source/source-file.js';

const venvDir = '.venv';
const pip = `${venvDir}/bin/python -m pip install --disable-pip-version-check --no-input`;

/** The venv's tools first on PATH, so `gunicorn app:app` in a Procfile finds the installed one. */
const pythonRuntimePrefix = `export PATH="$PWD/${venvDir}/bin:$PATH" VIRTUAL_ENV="$PWD/${venvDir}" PYTHONUNBUFFERED="\${PYTHONUNBUFFERED:-1}";`;

async function requireTool(name: string, lockfile: string, context: PlanContext): Promise<string> {
  const found = await findExecutable(name, context.path, context.isRunnable);
  if (found === undefined) {
    throw new SlipwayError(
      'BUILD_FAILED',
      `${lockfile} needs ${name} to install the app's dependencies, and ${name} is not on the machine's PATH: install ${name} where slipwayd runs, or remove ${lockfile} and list the dependencies in requirements.txt`,
      { details: { lockfile, tool: name } },
    );
  }
  return found;
}

/**
 * A requirements file that pulls in other files or the app itself (`-r`, `-e .`, a path) depends on more than its own
 * bytes, so its install is not cached.
 */
async function isSelfContained(dir: string): Promise<boolean> {
  const text = (await readSourceFile(dir, 'requirements.txt', sourceFileLimit(1024 * 1024))) ?? '';
  return !text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .some((line) => /^(-r|-c|-e|--requirement|--constraint|--editable|\.|\/|file:)/.test(line));
}

async function planInstall(
  context: PlanContext,
  interpreter: PythonInterpreter,
): Promise<DependencyInstall | undefined> {
  const { dir } = context;
  const python = shellQuote(interpreter.path);
  const createVenv = `${python} -m venv ${venvDir}`;
  const toolchain = `python ${interpreter.version} ${interpreter.path}`;
  const finish = async (root: string): Promise<void> => {
    const count = await relocateVirtualenv(join(root, venvDir));
    if (count > 0) context.log(`made ${count} virtualenv script${count === 1 ? '' : 's'} relocatable`);
  };
  // The app itself is installed non-editable: an editable install records the build's path, which does not survive.
  if (await isFile(join(dir, 'uv.lock'))) {
    const uv = shellQuote(await requireTool('uv', 'uv.lock', context));
    return {
      steps: [`UV_PROJECT_ENVIRONMENT=${venvDir} ${uv} sync --locked --no-dev --no-editable --python ${python}`],
      outputDir: venvDir,
      toolchain,
      keyFiles: [],
      finish,
    };
  }
  if (await isFile(join(dir, 'poetry.lock'))) {
    const poetry = shellQuote(await requireTool('poetry', 'poetry.lock', context));
    return {
      steps: [
        createVenv,
        `VIRTUAL_ENV="$PWD/${venvDir}" POETRY_VIRTUALENVS_CREATE=false ${poetry} install --only main --no-root --no-interaction`,
        `${pip} --no-deps .`,
      ],
      outputDir: venvDir,
      toolchain,
      keyFiles: [],
      finish,
    };
  }
  if (await isFile(join(dir, 'requirements.txt'))) {
    return {
      steps: [createVenv, `${pip} -r requirements.txt`],
      outputDir: venvDir,
      toolchain,
      keyFiles: (await isSelfContained(dir)) ? ['requirements.txt'] : [],
      finish,
    };
  }
  if (await isFile(join(dir, 'pyproject.toml'))) {
    return { steps: [createVenv, `${pip} .`], outputDir: venvDir, toolchain, keyFiles: [], finish };
  }
  return undefined;
}

export async function planPythonBuild(context: PlanContext): Promise<BuildPlan> {
  const { dir, manifest } = context;
  const interpreter = await resolvePythonInterpreter(dir, context.pythonPath, context.path, context.isRunnable);
  context.log(
    `python ${interpreter.version} (${interpreter.path})` +
      (interpreter.asked === undefined ? '' : `, as ${interpreter.asked.file} asks (${interpreter.asked.version})`),
  );
  const install = await planInstall(context, interpreter);
  const steps = manifest.build?.command === undefined ? [] : [manifest.build.command];

  const processes: Record<string, { command: string }> = {};
  for (const entry of pythonEntries) {
    if (await isFile(join(dir, entry))) {
      // -u: unbuffered, so the app's prints reach the instance log as they happen.
      const python = install === undefined ? shellQuote(interpreter.path) : 'python';
      processes['web'] = { command: `exec ${python} -u ${entry}` };
      break;
    }
  }
  return {
    ...(install === undefined ? {} : { install, runtimePrefix: pythonRuntimePrefix }),
    steps,
    processes,
  };
}
