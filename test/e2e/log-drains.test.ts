/**
 * Log drains against a real slipwayd: an app's lines reach a syslog server over TLS (verified with a certificate
 * authority made for the test), one over plain TCP, an HTTP endpoint, and a project drain's endpoint; receivers down
 * for a while get every line by retry once back; a restarted slipwayd resumes after each drain's cursor; none of it
 * loses a line (every id the persisted log holds from the first shipped line on arrives); a deployment's output goes
 * too. A sentinel token in a drain's URL appears in no API answer, no CLI output and nowhere in slipwayd's own log.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogDrainView, LogLineView } from '@slipway/contract';
import {
  createTestCertificateAuthority,
  startHttpDrainReceiver,
  startSyslogReceiver,
  waitFor,
  type DrainReceiver,
  type ReceivedDrainBatch,
} from '@slipway/testkit';
import { SlipwaydHarness } from './slipwayd-harness.js';

const sentinel = 'drain-sentinel-9c41e7b2';

/** Counts ticks on stdout every 20 ms and serves. */
const server = `let n = 0;
setInterval(() => { n += 1; console.log('tick ' + n); }, 20);
require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT));
process.on('SIGTERM', () => process.exit(0));
`;

async function persistedIds(slipwayd: SlipwaydHarness, afterId: number): Promise<number[]> {
  const ids: number[] = [];
  let after = afterId;
  for (;;) {
    const answer = await slipwayd.fetch(`/api/v1/apps/ticker/logs?after=${after}&tail=10000`);
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { lines: LogLineView[]; nextAfter?: number };
    ids.push(...body.lines.map((line) => line.id ?? 0));
    if (body.nextAfter === undefined) return ids;
    after = body.nextAfter;
  }
}

const syslogSeqs = (receiver: DrainReceiver<string>): number[] =>
  receiver.received.map((frame) => Number(/ seq="(\d+)"/u.exec(frame)?.[1]));
const httpSeqs = (receiver: DrainReceiver<ReceivedDrainBatch>): number[] =>
  receiver.received.flatMap((batch) => batch.lines.map((line) => Number(line['seq'])));

describe('log drains', () => {
  let slipwayd: SlipwaydHarness;
  let dir: string;
  let tls: DrainReceiver<string>;
  let tcp: DrainReceiver<string>;
  let http: Awaited<ReturnType<typeof startHttpDrainReceiver>>;
  /** A project drain's receiver: every app of project `default`. */
  let projectHttp: Awaited<ReturnType<typeof startHttpDrainReceiver>>;
  const answers: string[] = [];

  const cli = async (args: string[], input?: string) => {
    const result = await slipwayd.cli(args, input === undefined ? {} : { input });
    answers.push(result.stdout, result.stderr);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    return result;
  };
  const drains = async (): Promise<LogDrainView[]> => {
    const { stdout } = await cli(['drains', 'list', 'ticker', '--json']);
    return (JSON.parse(stdout) as { drains: LogDrainView[] }).drains;
  };
  /** Every line the persisted log holds from the receiver's first line to its last arrived: no gap. */
  const expectNoGap = async (seqs: readonly number[]): Promise<void> => {
    const first = Math.min(...seqs);
    const last = Math.max(...seqs);
    const held = (await persistedIds(slipwayd, first - 1)).filter((id) => id <= last);
    const got = new Set(seqs);
    expect(held.filter((id) => !got.has(id))).toEqual([]);
    expect(held.length).toBeGreaterThan(0);
  };
  const maxOf = (seqs: readonly number[]): number => (seqs.length === 0 ? 0 : Math.max(...seqs));
  /** Waits until each receiver has lines past `beyond` (a persisted id). */
  const waitPast = async (beyond: number): Promise<void> => {
    await waitFor(
      () => {
        expect(maxOf(syslogSeqs(tls))).toBeGreaterThan(beyond);
        expect(maxOf(syslogSeqs(tcp))).toBeGreaterThan(beyond);
        expect(maxOf(httpSeqs(http))).toBeGreaterThan(beyond);
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  };
  const lastPersisted = async (): Promise<number> => maxOf(await persistedIds(slipwayd, 0));

  beforeAll(async () => {
    const ca = await createTestCertificateAuthority();
    tls = await startSyslogReceiver({ tls: { cert: ca.cert, key: ca.key } });
    tcp = await startSyslogReceiver();
    http = await startHttpDrainReceiver();
    projectHttp = await startHttpDrainReceiver();
    slipwayd = await SlipwaydHarness.create();
    dir = await mkdtemp(join(tmpdir(), 'slipway-log-drains-'));
    const configFile = join(dir, 'slipwayd.yaml');
    // Retries after 200 ms, up to 1 s, rather than 1 s up to a minute: the backoff itself is the core tests' business.
    await writeFile(configFile, 'logs:\n  drainRetryBaseMs: 200\n  drainRetryMaxMs: 1000\n  drainBatchLines: 50\n');
    await writeFile(join(dir, 'ca.pem'), ca.caPem);
    await writeFile(join(dir, 'Procfile'), 'web: node server.js\n');
    await writeFile(join(dir, 'server.js'), server);
    // The debug level: every line slipwayd logs is looked through for the sentinel.
    await slipwayd.start({ args: ['--config', configFile], logLevel: 'debug' });
    await cli(['apps', 'create', 'ticker']);
    await cli(['deploy', 'ticker', '--path', dir]);
    await cli(['drains', 'add', 'ticker', tls.url, '--drain-ca-file', join(dir, 'ca.pem')]);
    await cli(['drains', 'add', 'ticker', tcp.url]);
    // The URL with a credential goes on stdin, out of the process list.
    const url = `http://drain:${sentinel}@127.0.0.1:${http.port}/ingest?token=${sentinel}`;
    await cli(['drains', 'add', 'ticker', '-'], url);
    await cli(['drains', 'add', 'default', projectHttp.url, '--project']);
  }, 180_000);

  afterAll(async () => {
    await slipwayd.destroy();
    await Promise.all([tls, tcp, http, projectHttp].map((receiver) => receiver.stop().catch(() => undefined)));
    await rm(dir, { recursive: true, force: true });
  });

  it('ships the app’s lines to syslog over TLS and TCP and to HTTP, with no gap', async () => {
    await waitPast((await lastPersisted()) + 0);
    const frame = tls.received.find((f) => / tick \d+$/u.test(f)) ?? '';
    expect(frame).toMatch(/^<14>1 \S+Z e2e ticker \S+ stdout \[slipway@32473 seq="\d+" project="default" /u);
    expect(frame).toMatch(/ release="[^"]+"/u);
    const batch = http.received[0];
    expect(batch?.path).toBe(`/ingest?token=${sentinel}`);
    expect(batch?.headers.authorization).toBe(`Basic ${Buffer.from(`drain:${sentinel}`).toString('base64')}`);
    expect(batch?.lines[0]).toMatchObject({ app: 'ticker', stream: 'stdout', process: 'web', source: 'app' });
    for (const seqs of [syslogSeqs(tls), syslogSeqs(tcp), httpSeqs(http)]) await expectNoGap(seqs);
    const listed = await drains();
    expect(listed.map((d) => d.destination)).toEqual([tls.url, tcp.url, `http://127.0.0.1:${http.port}`]);
    expect(listed.map((d) => d.hasCa)).toEqual([true, false, false]);
    for (const drain of listed) expect(drain.linesShipped).toBeGreaterThan(0);
    // The project drain ships the app's lines too, and is listed with the project, not the app.
    await waitFor(() => expect(httpSeqs(projectHttp).length).toBeGreaterThan(0), { timeoutMs: 10_000 });
    expect(projectHttp.received[0]?.lines[0]).toMatchObject({ project: 'default', app: 'ticker' });
    const { stdout } = await cli(['drains', 'list', 'default', '--project', '--json']);
    expect((JSON.parse(stdout) as { drains: LogDrainView[] }).drains).toMatchObject([
      { project: 'default', app: null, destination: projectHttp.url },
    ]);
  }, 60_000);

  it('gets every line by retry after its receivers were down for a while', async () => {
    await Promise.all([tls.stop(), http.stop()]);
    await waitFor(
      async () => {
        const listed = await drains();
        expect(listed[0]?.lastError?.code).toBe('LOG_DRAIN_UNREACHABLE');
        expect(listed[2]?.lastError?.code).toBe('LOG_DRAIN_UNREACHABLE');
        expect(listed[2]?.lagLines).toBeGreaterThan(0);
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    const duringOutage = await lastPersisted();
    await Promise.all([tls.start(), http.start()]);
    await waitPast(duringOutage);
    for (const seqs of [syslogSeqs(tls), syslogSeqs(tcp), httpSeqs(http)]) await expectNoGap(seqs);
    const listed = await drains();
    expect([listed[0]?.linesFailed, listed[2]?.linesFailed].every((failed) => (failed ?? 0) > 0)).toBe(true);
    const text = await (await slipwayd.fetch('/metrics')).text();
    const counter = (name: string, kind: string): number =>
      Number(new RegExp(`${name}\\{kind="${kind}"\\} (\\d+)`, 'u').exec(text)?.[1] ?? '0');
    expect(counter('slipway_log_drain_lines_shipped_total', 'http')).toBeGreaterThan(0);
    expect(counter('slipway_log_drain_lines_shipped_total', 'syslog')).toBeGreaterThan(0);
    expect(counter('slipway_log_drain_failed_sends_total', 'http')).toBeGreaterThan(0);
    expect(counter('slipway_log_drain_failed_sends_total', 'syslog')).toBeGreaterThan(0);
  }, 60_000);

  it('resumes after each drain’s cursor when slipwayd restarts, losing nothing', async () => {
    await slipwayd.kill('SIGTERM');
    const cursorAtStop = maxOf(httpSeqs(http));
    await slipwayd.start({ args: ['--config', join(dir, 'slipwayd.yaml')], logLevel: 'debug' });
    await waitPast((await lastPersisted()) + 0);
    for (const seqs of [syslogSeqs(tls), syslogSeqs(tcp), httpSeqs(http)]) await expectNoGap(seqs);
    // Resumed after the cursor: the HTTP receiver got nothing it was sent before the stop, bar a batch unacknowledged.
    const resent = httpSeqs(http).filter((seq, index, all) => all.indexOf(seq) !== index);
    expect(resent.filter((seq) => seq <= cursorAtStop - 50)).toEqual([]);
  }, 90_000);

  it('ships a deployment’s output too, named by its deployment', async () => {
    await cli(['deploy', 'ticker', '--path', dir]);
    await waitFor(
      () => {
        expect(http.received.flatMap((batch) => batch.lines).some((line) => line['source'] === 'deploy')).toBe(true);
        expect(
          tls.received.some((frame) => / source="deploy" process="deploy" deployment="[^"]+"\]/u.test(frame)),
        ).toBe(true);
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const deployLine = http.received.flatMap((batch) => batch.lines).find((line) => line['source'] === 'deploy');
    expect(deployLine).toMatchObject({ app: 'ticker', process: 'deploy' });
    expect(deployLine?.['deployment']).toBe(deployLine?.['instance']);
    await expectNoGap(httpSeqs(http));
  }, 90_000);

  it('never shows the sentinel token: not in API answers, CLI output or slipwayd’s log', async () => {
    const answer = await (await slipwayd.fetch('/api/v1/apps/ticker/log-drains')).text();
    expect(answer).toContain('"destination"');
    const bad = await slipwayd.cli(['drains', 'add', 'ticker', `ftp://u:${sentinel}@127.0.0.1/`]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('LOG_DRAIN_INVALID');
    for (const text of [answer, bad.stdout, bad.stderr, ...answers, slipwayd.output]) {
      expect(text).not.toContain(sentinel);
    }
    expect(slipwayd.output).toContain('log drain send failed');
  });
});
