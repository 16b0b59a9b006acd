// Webhook ingest on a real slipwayd: `measureWebhookIngest()` sends signed GitHub push deliveries to
// `POST /api/v1/hooks/github/<repository id>` of several repositories from concurrent connections (every tenth one a
// provider's retry of an earlier delivery), and measures verified deliveries accepted per second (target ≥ 1,000),
// then waits until the inbox has handed every delivery over and counts lost ones (sent, never stored or never
// handled) and duplicated ones (stored twice, or handed over more than once). Signatures are computed before the
// clock starts: they are the provider's work, not slipwayd's.
//
// Run alone: `node bench/git/webhook-ingest.mjs` (after `node scripts/build.mjs`).
// Environment: BENCH_WEBHOOK_REPOSITORIES (20), BENCH_WEBHOOK_DELIVERIES (250 per repository),
// BENCH_WEBHOOK_CONNECTIONS (32).
import { spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Agent, request } from 'undici';
import { slipwaydNodeFlags } from '../../scripts/slipwayd-node-flags.mjs';
import { killSlipwaydTree } from '../recovery/slipwayd-process.mjs';
import { freePort, repoRoot, sleep } from '../zero-downtime/slipway-target.mjs';

const slipwaydEntry = join(repoRoot, 'apps', 'server', 'dist', 'slipwayd.mjs');

async function startSlipwayd() {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-bench-webhooks-'));
  const apiPort = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...slipwaydNodeFlags,
      slipwaydEntry,
      ...['--data-dir', dataDir, '--api', `127.0.0.1:${apiPort}`, '--edge', `127.0.0.1:${await freePort()}`],
      ...['--catalog-http', `127.0.0.1:${await freePort()}`, '--dns', `127.0.0.1:${await freePort()}`],
      ...['--node-name', 'bench-webhooks', '--log-level', 'warn', '--docker', 'off'],
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, XDG_CONFIG_HOME: join(dataDir, 'slipwayd-config') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (c) => (output += c.toString()));
  child.stderr.on('data', (c) => (output += c.toString()));
  const url = `http://127.0.0.1:${apiPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`slipwayd exited with ${child.exitCode}: ${output}`);
    const status = await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() > deadline) throw new Error(`slipwayd not ready after 60 s: ${output}`);
    await sleep(20);
  }
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  return {
    url,
    pid: child.pid,
    async api(method, path, body) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return JSON.parse(text);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      killSlipwaydTree(dataDir);
    },
  };
}

/** CPU time slipwayd has used (user + system), in ms; undefined where /proc is not there. */
function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** A GitHub push delivery of `repository`, signed with its secret: body, headers and its delivery key. */
function pushDelivery(repository, n) {
  const key = randomUUID();
  const after = createHmac('sha1', 'commit').update(`${repository.id}/${n}`).digest('hex');
  const body = Buffer.from(
    JSON.stringify({
      ref: 'refs/heads/main',
      before: '0'.repeat(40),
      after,
      created: true,
      deleted: false,
      forced: false,
      pusher: { name: 'bench' },
      repository: { id: 1, full_name: 'acme/bench' },
    }),
  );
  const signature = `sha256=${createHmac('sha256', repository.secret).update(body).digest('hex')}`;
  return {
    key,
    path: `/api/v1/hooks/github/${repository.id}`,
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': key,
      'x-hub-signature-256': signature,
    },
  };
}

/**
 * @returns {Promise<{ deliveriesPerSecond: number, verifiedDeliveries: number, retries: number, lost: number,
 *   duplicated: number, handledPerSecond: number, refused: number, targetDeliveriesPerSecond: number, ... }>}
 */
export async function measureWebhookIngest(options = {}) {
  const repositoryCount = options.repositories ?? Number(process.env.BENCH_WEBHOOK_REPOSITORIES ?? 20);
  const perRepository = options.deliveries ?? Number(process.env.BENCH_WEBHOOK_DELIVERIES ?? 250);
  const connections = options.connections ?? Number(process.env.BENCH_WEBHOOK_CONNECTIONS ?? 32);
  const server = await startSlipwayd();
  const agent = new Agent({ connections, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: 30_000 });
  try {
    await server.api('POST', '/api/v1/projects', { name: 'bench' });
    const repositories = [];
    for (let i = 0; i < repositoryCount; i += 1) {
      const name = `hooks-${i}`;
      const { id } = await server.api('POST', '/api/v1/projects/bench/repositories', {
        name,
        url: `https://github.com/acme/${name}.git`,
        provider: 'github',
        auth: { kind: 'none' },
      });
      const { secret } = await server.api('POST', `/api/v1/projects/bench/repositories/${name}/webhook/rotate`, {
        graceSeconds: 0,
      });
      repositories.push({ id, name, secret });
    }
    // Interleaved across repositories, as several busy repositories would send them; every tenth a retry.
    const deliveries = [];
    for (let n = 0; n < perRepository; n += 1) {
      for (const repository of repositories) deliveries.push(pushDelivery(repository, n));
    }
    const sends = [];
    deliveries.forEach((delivery, index) => {
      sends.push(delivery);
      if (index % 10 === 9) sends.push(deliveries[index - 5]);
    });
    const statuses = new Map();
    let next = 0;
    const worker = async () => {
      while (next < sends.length) {
        const delivery = sends[next];
        next += 1;
        const answer = await request(`${server.url}${delivery.path}`, {
          method: 'POST',
          headers: delivery.headers,
          body: delivery.body,
          dispatcher: agent,
        });
        const text = await answer.body.text();
        const status = answer.statusCode === 202 ? JSON.parse(text).delivery.status : `http ${answer.statusCode}`;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    const cpuBefore = cpuMsOf(server.pid);
    const startedAt = performance.now();
    await Promise.all(Array.from({ length: connections }, worker));
    const ingestMs = performance.now() - startedAt;
    const cpuAfterIngest = cpuMsOf(server.pid);

    // Every unique delivery stored once, and handed over once.
    const keys = new Set(deliveries.map((d) => d.key));
    const handled = new Map();
    let stored = [];
    const drainDeadline = Date.now() + 300_000;
    for (;;) {
      stored = [];
      for (const repository of repositories) {
        const { deliveries: listed } = await server.api(
          'GET',
          `/api/v1/projects/bench/repositories/${repository.name}/deliveries?limit=500`,
        );
        stored.push(...listed);
      }
      if (stored.every((d) => d.status === 'done') || Date.now() > drainDeadline) break;
      await sleep(100);
    }
    const drainedMs = performance.now() - startedAt;
    const cpuAfterDrain = cpuMsOf(server.pid);
    const cpuPer = (after) =>
      cpuBefore === undefined || after === undefined
        ? undefined
        : Math.round(((after - cpuBefore) / sends.length) * 100) / 100;
    for (const delivery of stored) handled.set(delivery.deliveryKey, (handled.get(delivery.deliveryKey) ?? 0) + 1);
    const lost = [...keys].filter((key) => handled.get(key) !== 1 || false).length;
    const storedTwice = [...handled.values()].filter((count) => count > 1).length;
    const handedOverTwice = stored.filter((d) => d.attempts !== 1).length;
    const notDone = stored.filter((d) => d.status !== 'done').length;
    const accepted = (statuses.get('queued') ?? 0) + (statuses.get('duplicate') ?? 0);
    return {
      repositories: repositoryCount,
      connections,
      verifiedDeliveries: sends.length,
      uniqueDeliveries: keys.size,
      retries: sends.length - keys.size,
      answers: Object.fromEntries(statuses),
      ingestMs: Math.round(ingestMs),
      deliveriesPerSecond: Math.round((accepted / ingestMs) * 1000),
      handledPerSecond: Math.round((keys.size / drainedMs) * 1000),
      // slipwayd's CPU per delivery sent: what the rate would be with a core to itself, whatever else the machine runs.
      slipwaydCpuMsPerDeliveryIngest: cpuPer(cpuAfterIngest),
      slipwaydCpuMsPerDeliveryHandled: cpuPer(cpuAfterDrain),
      lost: lost + notDone,
      duplicated: storedTwice + handedOverTwice,
      targetDeliveriesPerSecond: 1_000,
    };
  } finally {
    await agent.close();
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await measureWebhookIngest(), null, 2));
}
