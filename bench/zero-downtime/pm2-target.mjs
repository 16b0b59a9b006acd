// pm2 as the peer: the same hello-node server in pm2 cluster mode (2 workers sharing one port through pm2's master),
// reloaded with `pm2 reload --update-env`. pm2 is installed outside the workspace (the lockfile stays untouched) into
// `<os tmpdir>/slipway-bench-peers`, once, and runs with its own PM2_HOME, killed at the end.
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureDir, freePort, waitForBody } from './slipway-target.mjs';

/** Engines `node >= 18`: runs on Node 20. Pinned so every run measures the same peer. */
export const pm2Version = '7.0.4';
const peersDir = join(tmpdir(), 'slipway-bench-peers');
const pm2Cli = join(peersDir, 'node_modules', 'pm2', 'bin', 'pm2');

function ensurePm2() {
  if (existsSync(pm2Cli)) return;
  mkdirSync(peersDir, { recursive: true });
  console.log(`installing pm2@${pm2Version} into ${peersDir} (outside the workspace) …`);
  const result = spawnSync('npm', ['install', '--prefix', peersDir, '--no-audit', '--no-fund', `pm2@${pm2Version}`], {
    cwd: peersDir,
    stdio: 'inherit',
  });
  if (result.status !== 0 || !existsSync(pm2Cli)) throw new Error(`npm could not install pm2@${pm2Version}`);
}

export class Pm2Target {
  /** `killSignal`: SIGTERM (the fixture's graceful close, as on Slipway) or pm2's own default, SIGINT. */
  static async create({ killSignal = 'SIGTERM' } = {}) {
    ensurePm2();
    return new Pm2Target(await freePort(), killSignal);
  }

  constructor(port, killSignal) {
    this.name = killSignal === 'SIGTERM' ? 'pm2' : `pm2-${killSignal.toLowerCase()}`;
    this.killSignal = killSignal;
    this.port = port;
    this.app = 'zd';
    this.host = `127.0.0.1:${port}`;
    this.home = mkdtempSync(join(tmpdir(), 'slipway-bench-pm2-'));
    this.appDir = join(this.home, 'hello-node');
    this.env = {
      ...process.env,
      PM2_HOME: join(this.home, 'pm2'),
      // pm2's default is SIGINT, which the fixture does not handle (it dies at once); SIGTERM runs the same graceful
      // close as on Slipway.
      PM2_KILL_SIGNAL: killSignal,
    };
  }

  describe() {
    return `pm2 ${pm2Version} cluster mode, 2 workers, pm2 reload, kill signal ${this.killSignal}`;
  }

  pm2(args) {
    return new Promise((resolve, reject) => {
      execFile(process.execPath, [pm2Cli, ...args], { env: this.env, cwd: this.home }, (error, stdout, stderr) => {
        if (error) reject(new Error(`pm2 ${args.join(' ')}: ${error.message}\n${stdout}\n${stderr}`));
        else resolve(stdout);
      });
    });
  }

  async start() {
    cpSync(fixtureDir, this.appDir, { recursive: true });
    await this.pm2(['start', this.ecosystem('v1')]);
    await waitForBody(this.port, this.host, 'release v1');
  }

  /** An ecosystem file per release message: `pm2 reload <file> --update-env` carries the new env to new workers. */
  ecosystem(message) {
    const file = join(this.home, `ecosystem-${message}.config.js`);
    const config = {
      apps: [
        {
          name: this.app,
          script: join(this.appDir, 'server.js'),
          cwd: this.appDir,
          exec_mode: 'cluster',
          instances: 2,
          kill_timeout: 5_000,
          autorestart: true,
          env: { PORT: String(this.port), HOST: '127.0.0.1', RELEASE_MESSAGE: message },
        },
      ],
    };
    writeFileSync(file, `module.exports = ${JSON.stringify(config, null, 2)};\n`);
    return file;
  }

  /** `pm2 reload` returns once every worker was replaced; then the new message must be served. */
  async rollout(message) {
    await this.pm2(['reload', this.ecosystem(message), '--update-env']);
    await waitForBody(this.port, this.host, `release ${message}`, 30_000);
    return {};
  }

  async destroy() {
    await this.pm2(['kill']).catch((error) => console.error(error.message));
    rmSync(this.home, { recursive: true, force: true });
  }
}
