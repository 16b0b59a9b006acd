// Bundles the three programs (slipwayd, the edge router, the CLI) with esbuild, npm packages included: one file to
// load instead of hundreds to resolve and compile halves slipwayd's start-up. Builds the web dashboard with Vite. Packages that cannot be bundled stay
// external: native addons, code that starts worker threads from its own files, and what is loaded only on demand.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * better-sqlite3 is a native addon; pino's transports run in worker threads loaded by path; selfsigned is imported
 * only to generate a certificate; ssh2 (and its optional cpu-features) carry native addons and serve only Docker
 * Engines reached over ssh; OpenTelemetry's SDK, resources and OTLP exporter are imported only when tracing is on.
 */
const externalPackages = new Set([
  'better-sqlite3',
  'pino',
  'thread-stream',
  'pino-pretty',
  'selfsigned',
  'ssh2',
  'cpu-features',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/resources',
]);

const externalNpm = {
  name: 'external-npm',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      return externalPackages.has(name) ? { path: args.path, external: true } : undefined;
    });
  },
};

/**
 * docker-modem requires its ssh transport (and so ssh2, whose poly1305 WebAssembly module reserves 16 MiB) when it
 * loads, though only a Docker Engine reached over `ssh://` uses it: the require is moved into the call, so ssh2
 * loads on the first ssh connection and not in every slipwayd. Fails the build when docker-modem's line changes.
 */
const sshOnDemand = {
  name: 'ssh-on-demand',
  setup(b) {
    b.onLoad({ filter: /[\\/]docker-modem[\\/]lib[\\/]modem\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const eager = "ssh = require('./ssh'),";
      if (!source.includes(eager)) throw new Error(`${args.path}: no "${eager}" to make lazy (docker-modem changed)`);
      return {
        contents: source.replace(eager, "ssh = (options) => require('./ssh')(options),"),
        loader: 'js',
      };
    });
  },
};

/**
 * V8 keeps a script's whole source in memory, as Latin-1 when every character of it fits, or else as UTF-16 (twice
 * the size): a bundle with one character above U+00FF (esbuild escapes strings, not comments or regular expressions)
 * fails the build.
 */
function assertLatin1(file) {
  const source = readFileSync(file, 'utf8');
  const at = source.search(/[\u0100-\u{10ffff}]/u);
  if (at !== -1) {
    const line = source.slice(0, at).split('\n').length;
    throw new Error(
      `${file}:${line}: ${JSON.stringify(source.slice(Math.max(0, at - 40), at + 10))} is not Latin-1; escape it`,
    );
  }
}

/**
 * `isTestBuild` sets `SLIPWAY_TEST_BUILD`: slipwayd's test build honours `SLIPWAY_FAILPOINTS` (the end-to-end
 * suites and the recovery benchmark run it to stop a deployment at a chosen point); the release build leaves the
 * failpoint module out and ignores the variable.
 */
const programs = [
  { entry: 'apps/server/src/main.ts', out: 'apps/server/dist/slipwayd.mjs', isTestBuild: false },
  { entry: 'apps/server/src/main.ts', out: 'apps/server/dist/slipwayd-test.mjs', isTestBuild: true },
  { entry: 'apps/edge/src/main.ts', out: 'apps/edge/dist/edge.mjs', isTestBuild: false },
  { entry: 'apps/cli/src/main.ts', out: 'apps/cli/dist/slipway.mjs', isTestBuild: false },
];

/**
 * The web dashboard (apps/web): Vite builds it into apps/web/dist, which slipwayd serves at `/`; each asset also gets
 * its gzip and brotli forms, sent to browsers that accept them.
 */
async function buildDashboard() {
  const webRoot = join(root, 'apps', 'web');
  const viteEntry = createRequire(join(webRoot, 'package.json')).resolve('vite');
  const { build: viteBuild } = await import(pathToFileURL(viteEntry).href);
  await viteBuild({ configFile: join(webRoot, 'vite.config.ts'), logLevel: 'warn' });
  const dist = join(webRoot, 'dist');
  for (const entry of readdirSync(dist, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.(js|css|html|svg)$/.test(entry.name)) continue;
    const file = join(entry.parentPath, entry.name);
    const body = readFileSync(file);
    writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
    writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }));
  }
}

export async function buildAll() {
  await Promise.all([
    buildDashboard(),
    ...programs.map((p) =>
      build({
        entryPoints: [join(root, p.entry)],
        outfile: join(root, p.out),
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'esm',
        sourcemap: 'linked',
        // Without comments and indentation the source V8 holds is a third smaller; names are kept, so logs and
        // errors read the same, and a stack trace's lines and columns still map to the sources through the map.
        minifyWhitespace: true,
        logLevel: 'warning',
        plugins: [externalNpm, sshOnDemand],
        define: { SLIPWAY_TEST_BUILD: String(p.isTestBuild) },
        banner: {
          js: "import { createRequire as __slipwayRequire } from 'node:module'; const require = __slipwayRequire(import.meta.url);",
        },
      }).then(() => assertLatin1(join(root, p.out))),
    ),
  ]);
}

/** What the bundles are made of: the workspaces' sources and manifests, the lockfile, and this script. */
const sourceDirs = ['packages', 'apps'];
const sourceFilePattern = /\.(ts|tsx|mts|mjs|js|json|css|html|svg)$/;
const skippedParts = new Set(['node_modules', 'dist']);

function sourceFiles() {
  const files = [join(root, 'package-lock.json'), join(root, 'tsconfig.base.json'), fileURLToPath(import.meta.url)];
  for (const dir of sourceDirs) {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true, recursive: true })) {
      if (!entry.isFile() || !sourceFilePattern.test(entry.name) || entry.name.endsWith('.test.ts')) continue;
      const file = join(entry.parentPath, entry.name);
      if (
        relative(root, file)
          .split('/')
          .some((part) => skippedParts.has(part))
      )
        continue;
      files.push(file);
    }
  }
  return files.filter((file) => existsSync(file)).sort();
}

/** A hash of every file the bundles are built from (paths and contents). */
export function sourcesHash() {
  const hash = createHash('sha256');
  for (const file of sourceFiles())
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

const buildStamp = join(root, 'node_modules', '.slipway-build-stamp');

/**
 * Builds the programs unless the last build was made from the same sources (its hash in a stamp) and its bundles are
 * all there. Resolves whether it built.
 */
export async function buildIfChanged() {
  const hash = sourcesHash();
  const isBuilt =
    programs.every((p) => existsSync(join(root, p.out))) && existsSync(join(root, 'apps', 'web', 'dist', 'index.html'));
  if (isBuilt && existsSync(buildStamp) && readFileSync(buildStamp, 'utf8').trim() === hash) return false;
  await buildAll();
  writeFileSync(buildStamp, `${hash}\n`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { ensureInstall } = await import('./ensure-install.mjs');
  ensureInstall(root);
  await buildAll();
  writeFileSync(buildStamp, `${sourcesHash()}\n`);
}
