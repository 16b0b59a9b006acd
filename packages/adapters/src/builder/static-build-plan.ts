/** Plans a static site: no build unless the manifest names one, served by Slipway's built-in static server. */
import { isAbsolute, normalize } from 'node:path';
import { SlipwayError } from '@slipway/contract';
import type { BuildPlan, PlanContext } from './build-plan.js';
import { detectionSummary, findStaticDir } from './detect-builder.js';
import { shellQuote } from './shell-quote.js';

/** The directory to serve, relative to the source root: `build.publicDir`, else the detected one. */
export async function resolvePublicDir(context: PlanContext): Promise<string> {
  const configured = context.manifest.build?.publicDir;
  if (configured !== undefined) {
    const normalized = normalize(configured).replace(/\/+$/, '') || '.';
    if (isAbsolute(normalized) || normalized === '..' || normalized.startsWith('../')) {
      throw new SlipwayError(
        'MANIFEST_INVALID',
        `build.publicDir "${configured}" must be a directory inside the source`,
        {
          details: { issues: [{ path: 'build.publicDir', message: 'must stay inside the source directory' }] },
        },
      );
    }
    return normalized;
  }
  const detected = await findStaticDir(context.dir);
  if (detected === undefined) {
    throw new SlipwayError(
      'BUILDER_NOT_DETECTED',
      `the static builder found no index.html and no build.publicDir; looked for ${detectionSummary}`,
    );
  }
  return detected;
}

export async function planStaticBuild(context: PlanContext): Promise<BuildPlan & { publicDir: string }> {
  const publicDir = await resolvePublicDir(context);
  const steps = context.manifest.build?.command === undefined ? [] : [context.manifest.build.command];
  const command = `exec ${shellQuote(context.nodePath)} ${shellQuote(context.staticServerPath)} --dir ${shellQuote(publicDir)}`;
  return { steps, processes: { web: { command } }, publicDir };
}
