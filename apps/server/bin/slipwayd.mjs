#!/usr/bin/env node
// Entry of `slipwayd`: runs the bundled control plane, building it first on a fresh clone.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/slipwayd.mjs', import.meta.url));
if (!existsSync(bundle)) {
  const { buildAll } = await import('../../../scripts/build.mjs');
  await buildAll();
}
await import(bundle);
