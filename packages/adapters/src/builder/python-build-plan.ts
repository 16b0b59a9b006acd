/** Plans a Python build: a virtualenv with `requirements.txt` installed when there is one, started with the detected entry file. */
import { join } from 'node:path';
import type { BuildPlan, PlanContext } from './build-plan.js';
import { isFile, pythonEntries } from './detect-builder.js';
import { shellQuote } from './shell-quote.js';

export async function planPythonBuild(context: PlanContext): Promise<BuildPlan> {
  const { dir, manifest } = context;
  const python = shellQuote(context.pythonPath);
  const steps: string[] = [];

  const hasRequirements = await isFile(join(dir, 'requirements.txt'));
  if (hasRequirements) {
    steps.push(`${python} -m venv .venv`);
    steps.push('.venv/bin/python -m pip install --disable-pip-version-check --no-input -r requirements.txt');
  }
  if (manifest.build?.command !== undefined) steps.push(manifest.build.command);

  const processes: Record<string, { command: string }> = {};
  for (const entry of pythonEntries) {
    if (await isFile(join(dir, entry))) {
      // -u: unbuffered, so the app's prints reach the instance log as they happen.
      processes['web'] = { command: `exec ${hasRequirements ? '.venv/bin/python' : python} -u ${entry}` };
      break;
    }
  }
  return { steps, processes };
}
