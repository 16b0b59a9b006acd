// Slipway as the system under test of bench:catalog: a real slipwayd (the release bundle) on loopback ports with its
// own data dir, its catalog's HTTP API and DNS on free ports, spoken to as a Consul client does (`PUT /v1/kv/<key>`
// with the raw value, `GET /v1/kv/<key>` answering `[DirEntry]` with the value base64) with the admin token in
// `X-Consul-Token`. Writes are acknowledged once the catalog's SQLite file has them (WAL, `synchronous = FULL`).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, repoRoot, sleep, SlipwaydProcess } from '../recovery/slipwayd-process.mjs';
import { slipwaydNodeFlags } from '../../scripts/slipwayd-node-flags.mjs';

const slipwaydEntry = join(repoRoot, 'apps', 'server', 'dist', 'slipwayd.mjs');

/** `key` with each segment percent-encoded, as clients send it. */
const keyPath = (key) => `/v1/kv/${key.split('/').map(encodeURIComponent).join('/')}`;

export class SlipwaydCatalog extends SlipwaydProcess {
  name = 'slipway';

  /** A slipwayd with the catalog on (`isCatalogOn`, the default) or with its HTTP API and DNS off. */
  static async start({ isCatalogOn = true } = {}) {
    const base = await SlipwaydProcess.create('catalog');
    const target = new SlipwaydCatalog(base.dataDir, base.apiPort, base.edgePort, base.instancePortFrom);
    target.isCatalogOn = isCatalogOn;
    target.catalogPort = isCatalogOn ? await freePort() : undefined;
    target.dnsPort = isCatalogOn ? await freePort() : undefined;
    target.startToReadyMs = Math.round(await target.start());
    return target;
  }

  get origin() {
    return `http://127.0.0.1:${this.catalogPort}`;
  }

  describe() {
    return 'slipwayd (release bundle), catalog HTTP API, SQLite WAL with synchronous = FULL, admin token';
  }

  /** Spawns slipwayd with the catalog's listeners; resolves with the milliseconds until `/readyz` answers 200. */
  async start() {
    const startedAt = performance.now();
    const catalogFlags = this.isCatalogOn
      ? ['--catalog-http', `127.0.0.1:${this.catalogPort}`, '--dns', `127.0.0.1:${this.dnsPort}`]
      : ['--catalog-http', 'off', '--dns', 'off'];
    const child = spawn(
      process.execPath,
      [
        ...slipwaydNodeFlags,
        slipwaydEntry,
        '--data-dir',
        this.dataDir,
        '--api',
        `127.0.0.1:${this.apiPort}`,
        '--edge',
        `127.0.0.1:${this.edgePort}`,
        ...catalogFlags,
        '--node-name',
        'bench',
        '--log-level',
        'warn',
      ],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          SLIPWAY_INSTANCE_PORTS: `${this.instancePortFrom}-${this.instancePortFrom + 199}`,
          SLIPWAY_DRAIN_MS: '200',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    const keep = (chunk) => (this.output = (this.output + chunk.toString()).slice(-50_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    for (;;) {
      if (child.exitCode !== null) throw new Error(`slipwayd exited with ${child.exitCode}: ${this.output}`);
      const status = await fetch(`${this.url}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      if (performance.now() - startedAt > 60_000) throw new Error(`slipwayd not ready after 60 s: ${this.output}`);
      await sleep(10);
    }
    if (this.isCatalogOn) await this.#waitForCatalog();
    return performance.now() - startedAt;
  }

  async #waitForCatalog() {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const status = await fetch(`${this.origin}/v1/status/leader`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return;
      if (Date.now() > deadline) throw new Error(`the catalog HTTP API never answered: ${this.output.slice(-2000)}`);
      await sleep(20);
    }
  }

  /** The admin token slipwayd wrote to its data dir on first start. */
  get token() {
    this.adminToken ??= readFileSync(join(this.dataDir, 'admin-token'), 'utf8').trim();
    return this.adminToken;
  }

  /** A put of `key` to the value's n-th version: the raw bytes, answered `true`. */
  put(key, value, n) {
    return {
      method: 'PUT',
      path: keyPath(key),
      headers: { 'x-consul-token': this.token, 'content-type': 'application/octet-stream' },
      body: value.forWrite(n),
      check: (body) => body.toString('utf8').trim() === 'true',
    };
  }

  /** A read of `key`; with `isChecked`, answered only when it holds a value of the expected size. */
  get(key, value, isChecked) {
    const expectedBase64Length = Math.ceil(value.sizeBytes / 3) * 4;
    return {
      method: 'GET',
      path: keyPath(key),
      headers: { 'x-consul-token': this.token },
      ...(isChecked && {
        check: (body) => {
          const entries = JSON.parse(body.toString('utf8'));
          return entries.length === 1 && entries[0].Value.length === expectedBase64Length;
        },
      }),
    };
  }

  /** The catalog's own request with the admin token; the answer's status, headers and text. */
  async catalog(method, path, body) {
    const res = await fetch(`${this.origin}${path}`, {
      method,
      headers: { 'x-consul-token': this.token },
      body,
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  async stop() {
    await this.destroy();
  }
}
