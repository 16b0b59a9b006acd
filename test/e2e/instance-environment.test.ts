/**
 * What an instance sees of its surroundings, against a real slipwayd started the way `npm start` starts it (npm's own
 * variables and `node_modules/.bin` of Slipway's checkout in its environment): a clean environment, and a port only
 * for the processes that serve on one.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { repoRoot, SlipwaydHarness } from './slipwayd-harness.js';

const reportEnv = `const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLIPWAY_')));
const report = () => JSON.stringify({ process: process.argv[2], env });`;

const appFiles: Record<string, string> = {
  Procfile: 'web: node server.js web\nworker: node worker.js worker\n',
  'server.js': `${reportEnv}
const http = process.getBuiltinModule('node:http');
http.createServer((req, res) => res.end(report())).listen(Number(process.env.PORT));
process.on('SIGTERM', () => process.exit(0));`,
  'worker.js': `${reportEnv}
console.log('env-report ' + report());
setInterval(() => undefined, 1000);
process.on('SIGTERM', () => process.exit(0));`,
};

interface EnvReport {
  process: string;
  env: Record<string, string>;
}

describe('the environment of an instance', () => {
  let slipwayd: SlipwaydHarness;
  let appDir: string;
  let deployOutput: string;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start({
      env: {
        PATH: `${join(repoRoot, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
        npm_lifecycle_event: 'start',
        npm_config_user_agent: 'npm/10.8.2 node/v20',
        DATABASE_URL: 'postgres://control-plane-only',
      },
    });
    appDir = await mkdtemp(join(tmpdir(), 'slipway-env-app-'));
    for (const [name, text] of Object.entries(appFiles)) await writeFile(join(appDir, name), text);
    expect((await slipwayd.cli(['apps', 'create', 'envy'])).code).toBe(0);
    const deployed = await slipwayd.cli(['deploy', 'envy', '--path', appDir]);
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
    deployOutput = deployed.stdout + deployed.stderr;
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(appDir, { recursive: true, force: true });
  });

  async function workerReport(): Promise<EnvReport> {
    return waitFor(async () => {
      const logs = await slipwayd.cli(['logs', 'envy', '--process', 'worker']);
      const line = logs.stdout.split('\n').find((l) => l.includes('env-report '));
      if (line === undefined) throw new Error(`no report yet: ${logs.stdout}${logs.stderr}`);
      return JSON.parse(line.slice(line.indexOf('env-report ') + 'env-report '.length)) as EnvReport;
    });
  }

  it('gives instances PATH, HOME and LANG of their own, and nothing else of the control plane', async () => {
    const web = JSON.parse((await slipwayd.edge('envy.localhost')).body) as EnvReport;
    for (const { env } of [web, await workerReport()]) {
      expect(Object.keys(env).filter((key) => key.startsWith('npm_'))).toEqual([]);
      expect(env.DATABASE_URL).toBeUndefined();
      expect(env.PATH).not.toContain('node_modules');
      expect(env.PATH?.split(':')).toContain('/usr/bin');
      expect(env.LANG).toBeDefined();
      expect(env.HOME).toBeDefined();
    }
    expect(web.env.PORT).toMatch(/^\d+$/);
  });

  it('gives a worker no port, and does not call it healthy on one', async () => {
    expect((await workerReport()).env.PORT).toBeUndefined();
    expect(deployOutput).not.toMatch(/worker instance \S+ is healthy \(port/);
    expect(deployOutput).toMatch(/worker instance \S+ is running/);
    const ps = await slipwayd.cli(['ps', 'envy', '--json']);
    const { instances } = JSON.parse(ps.stdout) as { instances: { process: string; port: number | null }[] };
    expect(instances.find((i) => i.process === 'worker')?.port).toBeNull();
    expect(instances.find((i) => i.process === 'web')?.port).toEqual(expect.any(Number));
  });
});
