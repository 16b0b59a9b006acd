/**
 * What the image build tests share: a namespace per test file, a base image carrying its label (so even the layers a
 * failed build leaves behind are found by label), build requests that label what they build, and clean-up by label.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manifestSchema, type Manifest } from '@slipway/contract';
import type { Builder, BuildRequest } from '@slipway/core';
import { parse as parseYaml } from 'yaml';
import { createDockerEngine, namespaceLabel, type DockerEngine } from '../docker/docker-engine.js';
import { createBuilder } from './builder.js';

const fixturesDir = fileURLToPath(new URL('../../../../test/fixtures/apps/', import.meta.url));
const staticServerPath = fileURLToPath(new URL('../../assets/static-server.mjs', import.meta.url));

export interface DockerBuildTestHarness {
  readonly namespace: string;
  /** `slipway.namespace=<namespace>`, for `docker … --filter label=`. */
  readonly label: string;
  readonly engine: DockerEngine;
  readonly builder: Builder;
  /** `local/busybox` with the namespace label, tagged for this run: what test Dockerfiles build FROM. */
  readonly baseImage: string;
  /** Runs the docker CLI and returns its trimmed stdout; throws on a non-zero exit. */
  docker(args: string[], input?: Buffer): string;
  /** A fresh directory holding `files` (name → content). */
  source(files: Record<string, string>): Promise<string>;
  /** A copy of `test/fixtures/apps/<name>`. */
  fixture(name: string): Promise<string>;
  /** A build request for `dir` that tags `slipway-test/<namespace>:<n>` and labels it; its log lines are kept. */
  request(dir: string, overrides?: Partial<BuildRequest>): Promise<BuildRequest & { lines: string[] }>;
  /** Containers (running or not) of images built on the base image. */
  containersOnBase(): string[];
  /** Removes every container, image and directory of this run. */
  cleanup(): Promise<void>;
  /** Containers and images (intermediate ones too) still carrying the run's label: empty after `cleanup`. */
  leftovers(): { containers: string[]; images: string[] };
}

export interface DockerBuildTestHarnessOptions {
  /** The local busybox image the run's base image is made from (testkit's `dockerTestImages.busybox`). */
  busyboxImage: string;
}

export function createDockerBuildTestHarness(options: DockerBuildTestHarnessOptions): DockerBuildTestHarness {
  const namespace = `test-${randomBytes(4).toString('hex')}`;
  const label = `${namespaceLabel}=${namespace}`;
  const engine = createDockerEngine();
  const baseImage = `slipway-test-base/${namespace}:busybox`;
  const dirs: string[] = [];
  let builds = 0;
  let isBaseBuilt = false;

  const docker = (args: string[], input?: Buffer): string =>
    execFileSync('docker', args, {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(input === undefined ? {} : { input }),
      maxBuffer: 512 * 1024 * 1024,
    }).trim();

  const ensureBase = () => {
    if (isBaseBuilt) return;
    docker(['build', '-q', '-t', baseImage, '-'], Buffer.from(`FROM ${options.busyboxImage}\nLABEL ${label}\n`));
    isBaseBuilt = true;
  };

  const newDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-image-build-'));
    dirs.push(dir);
    return dir;
  };

  return {
    namespace,
    label,
    engine,
    builder: createBuilder({ staticServerPath, docker: { engine } }),
    get baseImage() {
      ensureBase();
      return baseImage;
    },
    docker,
    async source(files) {
      const dir = await newDir();
      for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
      return dir;
    },
    async fixture(name) {
      const dir = join(await newDir(), name);
      await cp(join(fixturesDir, name), dir, { recursive: true });
      return dir;
    },
    async request(dir, overrides = {}) {
      builds += 1;
      const lines: string[] = [];
      const manifestText = await readFile(join(dir, 'slipway.yaml'), 'utf8').catch(() => undefined);
      const manifest: Manifest = manifestText === undefined ? {} : manifestSchema.parse(parseYaml(manifestText) ?? {});
      return {
        dir,
        manifest,
        env: {},
        log: (line: string) => lines.push(line),
        timeoutMs: 120_000,
        image: {
          repository: `slipway-test/${namespace}`,
          tag: `build-${builds}`,
          labels: { [namespaceLabel]: namespace },
        },
        secrets: {},
        ...overrides,
        lines,
      };
    },
    containersOnBase() {
      if (!isBaseBuilt) return [];
      return docker(['ps', '-aq', '--filter', `ancestor=${baseImage}`])
        .split('\n')
        .filter(Boolean);
    },
    async cleanup() {
      const labelled = (args: string[]) => {
        const out = spawnSync('docker', [...args, '--filter', `label=${label}`], { encoding: 'utf8' });
        return out.stdout.split('\n').filter(Boolean);
      };
      const containers = labelled(['ps', '-aq']);
      if (containers.length > 0) spawnSync('docker', ['rm', '-f', '-v', ...containers], { stdio: 'ignore' });
      // A parent image goes in a later round, once the images built on it are gone.
      for (let round = 0; round < 6; round += 1) {
        const images = labelled(['image', 'ls', '-aq']);
        if (images.length === 0) break;
        spawnSync('docker', ['image', 'rm', '-f', ...new Set(images)], { stdio: 'ignore' });
      }
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    },
    leftovers() {
      const ids = (args: string[]) =>
        docker([...args, '--filter', `label=${label}`])
          .split('\n')
          .filter(Boolean);
      return { containers: ids(['ps', '-aq']), images: ids(['image', 'ls', '-aq']) };
    },
  };
}
