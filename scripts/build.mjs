// Bundles the three programs (slipwayd, the edge router, the CLI) with esbuild; npm packages stay external.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const externalNpm = {
  name: 'external-npm',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@slipway/') ? undefined : { path: args.path, external: true },
    );
  },
};

const programs = [
  { entry: 'apps/server/src/main.ts', out: 'apps/server/dist/slipwayd.mjs' },
  { entry: 'apps/edge/src/main.ts', out: 'apps/edge/dist/edge.mjs' },
  { entry: 'apps/cli/src/main.ts', out: 'apps/cli/dist/slipway.mjs' },
];

export async function buildAll() {
  await Promise.all(
    programs.map((p) =>
      build({
        entryPoints: [join(root, p.entry)],
        outfile: join(root, p.out),
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'esm',
        sourcemap: 'linked',
        logLevel: 'warning',
        plugins: [externalNpm],
        banner: {
          js: "import { createRequire as __slipwayRequire } from 'node:module'; const require = __slipwayRequire(import.meta.url);",
        },
      }),
    ),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { ensureInstall } = await import('./ensure-install.mjs');
  ensureInstall(root);
  await buildAll();
}
