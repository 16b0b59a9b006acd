// etcd as the reference of bench:catalog: a single-node etcd from Debian's `etcd-server` package on loopback ports,
// its own throw-away data dir (beside slipwayd's, on the same file system), started and stopped by the bench, spoken to
// through its v3 JSON gateway (`POST /v3/kv/put`, `POST /v3/kv/range`, keys and values base64). Its defaults are kept:
// every committed batch is fsynced to its WAL before the answer, as SQLite's `synchronous = FULL` does for Slipway;
// reads are linearizable, as Consul's default consistency mode is.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, sleep } from '../recovery/slipwayd-process.mjs';

const etcdBinary = process.env.BENCH_ETCD ?? 'etcd';

/** `etcd --version`'s first line, or undefined when etcd is not installed. */
export function etcdVersion() {
  const result = spawnSync(etcdBinary, ['--version'], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) return undefined;
  return result.stdout.split('\n')[0]?.trim();
}

const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');

export class EtcdServer {
  name = 'etcd';

  static async start() {
    const server = new EtcdServer(await freePort(), await freePort());
    await server.#spawn();
    return server;
  }

  constructor(clientPort, peerPort) {
    this.clientPort = clientPort;
    this.peerPort = peerPort;
    this.dataDir = mkdtempSync(join(tmpdir(), 'slipway-bench-etcd-'));
    this.child = undefined;
    this.output = '';
  }

  get origin() {
    return `http://127.0.0.1:${this.clientPort}`;
  }

  get pid() {
    return this.child?.pid;
  }

  describe() {
    return `${etcdVersion() ?? 'etcd'}, single node, v3 JSON gateway, default fsync of its WAL`;
  }

  async #spawn() {
    const client = this.origin;
    const peer = `http://127.0.0.1:${this.peerPort}`;
    const child = spawn(
      etcdBinary,
      [
        '--name',
        'bench',
        '--data-dir',
        this.dataDir,
        '--listen-client-urls',
        client,
        '--advertise-client-urls',
        client,
        '--listen-peer-urls',
        peer,
        '--initial-advertise-peer-urls',
        peer,
        '--initial-cluster',
        `bench=${peer}`,
        // Every put keeps a revision: compact as it goes, and leave room for the large values' history between.
        '--auto-compaction-mode',
        'revision',
        '--auto-compaction-retention',
        process.env.BENCH_ETCD_RETENTION ?? '1000',
        '--quota-backend-bytes',
        String(8 * 2 ** 30),
        '--log-level',
        'warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    const keep = (chunk) => (this.output = (this.output + chunk.toString()).slice(-20_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => keep(`spawn failed: ${error.message}`));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`etcd exited with ${child.exitCode}: ${this.output}`);
      const healthy = await fetch(`${client}/health`).then(
        async (r) => r.ok && (await r.json()).health === 'true',
        () => false,
      );
      if (healthy) return;
      if (Date.now() > deadline) throw new Error(`etcd not healthy after 30 s: ${this.output}`);
      await sleep(50);
    }
  }

  /** A put of `key` to the value's n-th version (a JSON body with both base64). */
  put(key, value, n) {
    return {
      method: 'POST',
      path: '/v3/kv/put',
      headers: { 'content-type': 'application/json' },
      body: `{"key":"${b64(key)}","value":"${value.base64ForWrite(n)}"}`,
    };
  }

  /** A read of `key`; with `isChecked`, answered only when it holds a value of the expected size. */
  get(key, value, isChecked) {
    const expectedBase64Length = Math.ceil(value.sizeBytes / 3) * 4;
    return {
      method: 'POST',
      path: '/v3/kv/range',
      headers: { 'content-type': 'application/json' },
      body: `{"key":"${b64(key)}"}`,
      ...(isChecked && {
        check: (body) => {
          const { kvs } = JSON.parse(body.toString('utf8'));
          return kvs?.length === 1 && kvs[0].value.length === expectedBase64Length;
        },
      }),
    };
  }

  async stop() {
    const child = this.child;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
