#!/usr/bin/env node
// Entry of `slipway` (npx slipway): runs the bundled CLI, building it first on a fresh clone.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/slipway.mjs', import.meta.url));
if (!existsSync(bundle)) {
  const { buildAll } = await import('../../../scripts/build.mjs');
  await buildAll();
}
await import(bundle);
