import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlipwayError } from '@slipway/contract';
import { readComposeFile } from './compose-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-compose-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The issues of the COMPOSE_INVALID that `run` throws, as `path: message` lines. */
async function composeIssues(run: () => unknown): Promise<string[]> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(SlipwayError);
    const coded = error as SlipwayError;
    expect(coded.code).toBe('COMPOSE_INVALID');
    const issues = coded.details?.['issues'] as Array<{ path: string; message: string }>;
    return issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected a COMPOSE_INVALID error');
}

describe('readComposeFile', () => {
  it('reads .env beside the file, lets the process environment win over it, and reads env files relative to the file', async () => {
    await writeFile(join(dir, '.env'), 'TAG=from-dotenv\nREPLICAS=2\n');
    await writeFile(join(dir, 'web.env'), 'LEVEL=debug\nIMAGE_TAG=${TAG}\n');
    await writeFile(
      join(dir, 'compose.yaml'),
      'services:\n  web:\n    image: shop:${TAG}\n    env_file: [web.env, { path: missing.env, required: false }]\n    deploy: { replicas: "${REPLICAS}" }\n',
    );
    const project = await readComposeFile('compose.yaml', { cwd: dir, env: { TAG: 'from-shell' } });
    expect(project.file).toBe(join(dir, 'compose.yaml'));
    expect(project.dir).toBe(dir);
    expect(project.compose.services['web']?.image).toBe('shop:from-shell');
    expect(project.compose.services['web']?.deploy?.replicas).toBe(2);
    expect(project.variables).toMatchObject({ TAG: 'from-shell', REPLICAS: '2' });
    expect(project.envFiles.get(join(dir, 'web.env'))).toEqual({ LEVEL: 'debug', IMAGE_TAG: 'from-shell' });
    expect(project.envFiles.has(join(dir, 'missing.env'))).toBe(false);
    expect(project.warnings).toEqual([]);
  });

  it('refuses a missing required env file and a missing compose file with COMPOSE_INVALID', async () => {
    await writeFile(join(dir, 'docker-compose.yml'), 'services:\n  web:\n    image: x\n    env_file: nope.env\n');
    expect(await composeIssues(() => readComposeFile('docker-compose.yml', { cwd: dir, env: {} }))).toEqual([
      `services.web.env_file[0]: ${join(dir, 'nope.env')} does not exist`,
    ]);
    await expect(readComposeFile('absent.yml', { cwd: dir, env: {} })).rejects.toMatchObject({
      code: 'COMPOSE_INVALID',
      message: 'cannot read absent.yml: ENOENT',
    });
  });

  it('reads the shop fixture', async () => {
    const project = await readComposeFile('test/fixtures/stacks/shop/docker-compose.yml', {
      cwd: join(import.meta.dirname, '../../../..'),
      env: {},
    });
    expect(project.compose.name).toBe('shop');
    expect(Object.keys(project.compose.services)).toEqual(['web', 'api']);
    expect(project.compose.services['web']?.environment).toMatchObject({ GREETING: 'hello from the shop' });
  });
});
